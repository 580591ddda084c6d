"""A MinID login moves the browser's session to a new key (against session fixation): the key the
browser had before the code was given no longer opens any session afterwards."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session

from tests.minid.factories import PASSWORD, last_code_sent, registered_user

pytestmark = pytest.mark.django_db


def test_the_key_from_before_the_login_stops_working_and_the_new_one_carries_the_login(client):
    user, _letter, _codes = registered_user()
    step_two = client.post(
        "/minid/logg-inn/", {"fodselsnummer": user.person.identity_number, "password": PASSWORD}
    )
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=before).exists()

    client.post(step_two.url, {"code": last_code_sent(user, "mobile")})

    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert Session.objects.get(session_key=after).get_decoded()["minid.user"] == user.pk
