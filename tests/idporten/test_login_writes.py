"""What a login no longer writes twice: the SSO session's last_seen within a minute of the last
write, consent that stands; and what it still writes when it must."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEvent
from idporten import services
from idporten.models import Consent, SsoSession
from tests.folkeregister.factories import unique_identity_number
from tests.idporten.factories import REDIRECT_URI, Browser, authorize_params, client, logged_in, pkce

pytestmark = pytest.mark.django_db


def _authorize(browser, oidc_client):
    return browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1]))


def test_a_session_seen_seconds_ago_is_used_without_writing_last_seen_again():
    oidc_client, _secret = client()
    browser = Browser()
    session = logged_in(browser)
    seen = timezone.now() - timedelta(seconds=20)
    SsoSession.objects.filter(pk=session.pk).update(last_seen=seen)

    assert _authorize(browser, oidc_client).url.startswith(REDIRECT_URI)
    session.refresh_from_db()
    assert session.last_seen == seen


def test_a_session_seen_over_a_minute_ago_has_last_seen_moved_on():
    oidc_client, _secret = client()
    browser = Browser()
    session = logged_in(browser)
    seen = timezone.now() - timedelta(seconds=61)
    SsoSession.objects.filter(pk=session.pk).update(last_seen=seen)

    assert _authorize(browser, oidc_client).url.startswith(REDIRECT_URI)
    session.refresh_from_db()
    assert session.last_seen > seen + timedelta(seconds=60)


def test_consent_is_stored_and_audited_once_and_again_after_it_was_withdrawn():
    person = unique_identity_number()

    services.give_consent(person)
    services.give_consent(person)
    assert services.has_consent(person)
    assert Consent.objects.filter(identity_number=person).count() == 1
    assert AuditEvent.objects.filter(action="idporten.consent_given", actor=person).count() == 1

    services.withdraw_consent(person)
    assert not services.has_consent(person)
    services.give_consent(person)
    assert services.has_consent(person)
    assert Consent.objects.filter(identity_number=person, withdrawn_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(action="idporten.consent_given", actor=person).count() == 2


def test_consent_of_one_person_does_not_stand_for_another():
    first, second = unique_identity_number(), unique_identity_number()
    services.give_consent(first)
    services.give_consent(second)
    assert Consent.objects.filter(identity_number=second).count() == 1
    assert AuditEvent.objects.filter(action="idporten.consent_given", actor=second).count() == 1
