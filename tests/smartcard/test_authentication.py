"""verify_authentication: the card's ES256 signature over the origin and the one-time challenge."""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEvent
from smartkort import services
from smartkort.models import LoginChallenge, Provider
from tests.folkeregister.factories import make_person
from tests.smartcard.factories import ORIGIN, TestIssuer, token

pytestmark = pytest.mark.django_db

ATTEMPT = "attempt-1"


@pytest.fixture
def card():
    return TestIssuer().card(make_person(given_name="Kari", family_name="Nordmann"))


def challenge(**options) -> str:
    values = {"origin": ORIGIN, "provider": Provider.BUYPASS, "attempt": ATTEMPT, **options}
    return services.issue_challenge(**values)


def verify(answer, nonce, origin=ORIGIN, **options):
    return services.verify_authentication(
        answer, nonce, origin, **{"attempt": ATTEMPT, "provider": Provider.BUYPASS, **options}
    )


def refusal(answer, nonce, origin=ORIGIN, **options) -> str:
    with pytest.raises(services.SmartcardError) as refused:
        verify(answer, nonce, origin, **options)
    assert refused.value.message
    return refused.value.code


def test_the_challenge_is_32_random_bytes_base64url_for_five_minutes():
    nonce = challenge()
    assert len(base64.urlsafe_b64decode(nonce + "=")) == 32 and nonce != challenge()
    row = LoginChallenge.objects.get(nonce=nonce)
    assert timedelta(minutes=4, seconds=59) < row.expires_at - timezone.now() <= timedelta(minutes=5)


def test_a_signed_challenge_logs_the_card_holder_in(card):
    certificate, key = card
    nonce = challenge()
    holder = verify(token(certificate, key, nonce), nonce)
    assert holder.provider == Provider.BUYPASS and holder.name == "Kari Nordmann"
    event = AuditEvent.objects.get(action="smartkort.login")
    assert event.actor == holder.identity_number and event.details["origin"] == ORIGIN


def test_a_signature_over_another_challenge_is_refused(card):
    certificate, key = card
    signed, asked = challenge(), challenge()
    assert refusal(token(certificate, key, signed), asked) == "bad_signature"
    assert AuditEvent.objects.get(action="smartkort.login_refused").details["code"] == "bad_signature"


def test_a_signature_made_for_another_origin_is_refused(card):
    certificate, key = card
    nonce = challenge()
    assert refusal(token(certificate, key, nonce, origin="https://evil.example"), nonce) == "bad_signature"


def test_a_challenge_issued_for_another_origin_is_refused(card):
    certificate, key = card
    nonce = challenge(origin="https://evil.example")
    assert refusal(token(certificate, key, nonce), nonce) == "other_origin"


def test_a_replayed_answer_is_refused(card):
    certificate, key = card
    nonce = challenge()
    answer = token(certificate, key, nonce)
    verify(answer, nonce)
    assert refusal(answer, nonce) == "challenge_used"


def test_a_refused_answer_spends_the_challenge(card):
    certificate, key = card
    nonce = challenge()
    assert refusal(token(certificate, key, "something else"), nonce) == "bad_signature"
    assert refusal(token(certificate, key, nonce), nonce) == "challenge_used"


def test_an_expired_challenge_is_refused(card):
    certificate, key = card
    nonce = challenge()
    LoginChallenge.objects.filter(nonce=nonce).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert refusal(token(certificate, key, nonce), nonce) == "challenge_expired"


def test_a_challenge_from_another_login_attempt_is_refused(card):
    certificate, key = card
    nonce = challenge(attempt="someone else's browser")
    assert refusal(token(certificate, key, nonce), nonce) == "unknown_challenge"
    assert LoginChallenge.objects.get(nonce=nonce).used_at is None  # still theirs to use


def test_an_unknown_challenge_is_refused(card):
    certificate, key = card
    assert refusal(token(certificate, key, "made-up"), "made-up") == "unknown_challenge"


def test_another_algorithm_is_refused(card):
    certificate, key = card
    nonce = challenge()
    assert refusal(token(certificate, key, nonce, algorithm="RS256"), nonce) == "algorithm"


@pytest.mark.parametrize(
    "broken",
    [
        {"format": "web-eid:2.0"},
        {"format": None},
        {"signature": "not base64!"},
        {"signature": base64.b64encode(b"\x01" * 63).decode()},
        {"unverifiedCertificate": 42},
    ],
)
def test_a_malformed_answer_is_refused(card, broken):
    certificate, key = card
    nonce = challenge()
    assert refusal(token(certificate, key, nonce, **broken), nonce) == "bad_format"


@pytest.mark.parametrize("garbage", [None, [], "token", {}])
def test_garbage_is_refused(garbage):
    assert refusal(garbage, challenge()) == "bad_format"


def test_a_card_from_another_provider_than_chosen_is_refused():
    certificate, key = TestIssuer("Felles Test Commfides Person-High CA", Provider.COMMFIDES).card(
        make_person()
    )
    nonce = challenge()
    assert refusal(token(certificate, key, nonce), nonce) == "other_provider"


def test_a_revoked_card_cannot_log_in():
    issuer = TestIssuer()
    certificate, key = issuer.card(make_person())
    issuer.publish(certificate.serial_number)
    nonce = challenge()
    assert refusal(token(certificate, key, nonce), nonce) == "revoked"
