"""`manage.py rotate_signing_keys`: a schedule by default (the next key is published first and signs
later), `--now` for a compromised key."""

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from jose import jwt

from core.models import AuditEvent
from idporten import keys
from idporten.models import SigningKey

pytestmark = pytest.mark.django_db

ISSUER = "http://testserver"
PUBLISHED = re.compile(r"^(\w+): published key (\S+); it signs from (.+ UTC)")
LEAVES = re.compile(r"^(\w+): key (\S+) signs until then and leaves the JWKS at (.+ UTC)\.$")


def moment(printed: str) -> datetime:
    return datetime.strptime(printed, "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC)


def rotate(*args) -> tuple[dict, dict, str]:
    """Run the command; returns per algorithm (new kid, signs from) and (old kid, leaves the JWKS at),
    as printed, and what it wrote to stderr."""
    out, err = StringIO(), StringIO()
    call_command("rotate_signing_keys", *args, stdout=out, stderr=err)
    published, leaving = {}, {}
    for line in out.getvalue().splitlines():
        if found := PUBLISHED.match(line):
            published[found[1]] = (found[2], moment(found[3]))
        elif found := LEAVES.match(line):
            leaving[found[1]] = (found[2], moment(found[3]))
        else:
            raise AssertionError(f"Unexpected output: {line}")
    return published, leaving, err.getvalue()


def published_kids() -> set[str]:
    return {key["kid"] for key in keys.jwks()["keys"]}


def signing_kid(algorithm="RS256") -> str:
    return jwt.get_unverified_header(keys.sign({"iss": ISSUER, "sub": "abc"}, algorithm=algorithm))["kid"]


def test_rotation_publishes_the_next_key_and_says_when_it_signs_and_when_the_old_one_leaves(settings):
    settings.IDPORTEN_KEY_PREPUBLISH_SECONDS = 1800
    token = keys.sign({"iss": ISSUER, "sub": "abc", "exp": 4102444800})
    old = keys.active_key("RS256")
    before = timezone.now()

    published, leaving, err = rotate("--algorithm", "RS256")

    new_kid, signs_from = published["RS256"]
    assert new_kid != old.kid and SigningKey.objects.get(kid=new_kid).signs_from is not None
    assert timedelta(seconds=1799) <= signs_from - before <= timedelta(seconds=1801)
    assert leaving == {"RS256": (old.kid, signs_from + keys.RETIRED_KEY_KEPT)}
    assert err == ""
    # Published at once, but the old key signs until signs_from.
    assert {old.kid, new_kid} <= published_kids()
    assert signing_kid() == old.kid
    assert keys.verify(token, issuer=ISSUER)["sub"] == "abc"


def test_the_rotation_is_in_the_audit_trail():
    old = keys.active_key("ES256")

    published, _, _ = rotate("--algorithm", "ES256")

    event = AuditEvent.objects.get(action="idporten.signing_key_rotated")
    assert event.details["kid"] == published["ES256"][0]
    assert event.details["replaces"] == [old.kid] and event.details["emergency"] is False


def test_now_makes_a_key_that_signs_at_once_and_warns_about_cached_jwks():
    token = keys.sign({"iss": ISSUER, "sub": "abc", "exp": 4102444800})
    old = keys.active_key("RS256")
    before = timezone.now().replace(microsecond=0)

    published, leaving, err = rotate("--algorithm", "RS256", "--now")

    new_kid, signs_from = published["RS256"]
    assert before <= signs_from <= timezone.now()
    assert signing_kid() == new_kid != old.kid
    assert keys.active_key("RS256").kid == new_kid
    # The old key stops signing, and stays published for the tokens it signed.
    assert leaving["RS256"][0] == old.kid
    assert old.kid in published_kids()
    assert keys.verify(token, issuer=ISSUER)["sub"] == "abc"
    assert "cached the JWKS" in err
    assert AuditEvent.objects.get(action="idporten.signing_key_rotated").details["emergency"] is True


def test_rotating_all_publishes_a_new_key_per_algorithm():
    before = {algorithm: keys.active_key(algorithm).kid for algorithm in keys.ALGORITHMS}

    published, leaving, _ = rotate()

    assert set(published) == set(leaving) == set(keys.ALGORITHMS)
    for algorithm in keys.ALGORITHMS:
        assert leaving[algorithm][0] == before[algorithm] == signing_kid(algorithm)
        assert published[algorithm][0] in published_kids()
    assert SigningKey.objects.count() == 2 * len(keys.ALGORITHMS)


def test_an_unknown_algorithm_is_refused():
    with pytest.raises(CommandError):
        rotate("--algorithm", "HS256")

    assert not SigningKey.objects.exists()


def test_withdraw_deletes_a_compromised_key_so_its_tokens_stop_verifying_at_once():
    stolen = keys.sign({"iss": ISSUER, "sub": "abc", "exp": 4102444800})
    old = keys.active_key("RS256")
    out = StringIO()

    call_command(
        "rotate_signing_keys", "--algorithm", "RS256", "--now", "--withdraw", stdout=out, stderr=StringIO()
    )

    assert f"RS256: key {old.kid} is withdrawn: deleted, out of the JWKS." in out.getvalue()
    assert not SigningKey.objects.filter(kid=old.kid).exists()
    assert old.kid not in published_kids()
    with pytest.raises(keys.SigningError):
        keys.verify(stolen, issuer=ISSUER)
    assert signing_kid() != old.kid
    event = AuditEvent.objects.filter(action="idporten.signing_key_rotated").latest("pk")
    assert event.details["withdrawn"] is True


def test_withdraw_without_now_is_refused_and_changes_nothing():
    old = keys.active_key("RS256")
    with pytest.raises(CommandError, match="needs --now"):
        call_command("rotate_signing_keys", "--withdraw", stdout=StringIO(), stderr=StringIO())
    assert list(SigningKey.objects.values_list("kid", flat=True)) == [old.kid]
