"""A one-time code is used once, also when two requests bring it at the same moment."""

from unittest import mock

import pytest
from django.utils import timezone

from minid import services
from minid.models import OneTimeCode
from minid.services import accounts
from tests.minid.factories import PASSWORD, last_code_sent, registered_user


@pytest.mark.django_db
def test_a_code_used_by_another_request_meanwhile_is_refused():
    user, _letter, _codes = registered_user()
    login = services.start_login(user.person.identity_number, PASSWORD)
    code = last_code_sent(user, "mobile")
    real_match = accounts.code_matches

    def matches_while_another_request_uses_it(salt, code_hash, given):
        # The other request checks the same code and marks it used between our read and our update.
        OneTimeCode.objects.filter(bound_to=str(login.id)).update(used_at=timezone.now())
        return real_match(salt, code_hash, given)

    with mock.patch.object(accounts, "code_matches", matches_while_another_request_uses_it):
        assert not accounts.use_code(user, OneTimeCode.Purpose.LOGIN, str(login.id), code)


@pytest.mark.django_db
def test_a_code_works_once():
    user, _letter, _codes = registered_user()
    login = services.start_login(user.person.identity_number, PASSWORD)
    code = last_code_sent(user, "mobile")
    assert accounts.use_code(user, OneTimeCode.Purpose.LOGIN, str(login.id), code)
    assert not accounts.use_code(user, OneTimeCode.Purpose.LOGIN, str(login.id), code)
