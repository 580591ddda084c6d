"""complete_login() takes the user's lock from get_login()'s read when that read is of this moment
(the code page reads the attempt and completes it in one request), and reads it again otherwise."""

from unittest import mock

import pytest

from minid import services
from minid.models import MinidUser
from tests.minid.factories import PASSWORD, last_code_sent, registered_user

pytestmark = pytest.mark.django_db


def _lock(user):
    MinidUser.objects.filter(pk=user.pk).update(status=MinidUser.Status.LOCKED)


def test_an_attempt_held_since_before_a_lock_is_refused():
    user, _letter, _codes = registered_user()
    login = services.start_login(user.person.identity_number, PASSWORD)
    code = last_code_sent(user, "mobile")
    _lock(user)
    with pytest.raises(services.AccountLocked):
        services.complete_login(login, code)


def test_an_attempt_read_a_while_ago_is_read_again_before_the_code_is_used():
    user, _letter, _codes = registered_user()
    started = services.start_login(user.person.identity_number, PASSWORD)
    code = last_code_sent(user, "mobile")
    with mock.patch("minid.services.login.time") as clock:
        clock.monotonic.side_effect = [100.0, 105.0]  # read, then completed five seconds later
        login = services.get_login(started.id)
        _lock(user)
        with pytest.raises(services.AccountLocked):
            services.complete_login(login, code)


def test_a_second_completion_of_the_same_read_reads_the_lock_again():
    user, _letter, _codes = registered_user()
    started = services.start_login(user.person.identity_number, PASSWORD)
    code = last_code_sent(user, "mobile")
    login = services.get_login(started.id)
    with pytest.raises(services.CodeRejected):
        services.complete_login(login, "000000" if code != "000000" else "111111")
    _lock(user)
    with pytest.raises(services.AccountLocked):
        services.complete_login(login, code)


def test_an_attempt_just_read_is_completed_without_reading_the_user_again():
    user, _letter, _codes = registered_user()
    started = services.start_login(user.person.identity_number, PASSWORD)
    code = last_code_sent(user, "mobile")
    login = services.get_login(started.id)
    with mock.patch.object(MinidUser, "refresh_from_db", autospec=True) as refresh:
        assert services.complete_login(login, code).completed_at is not None
    refresh.assert_not_called()
