from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from idporten import keys
from idporten.models import SigningKey

pytestmark = pytest.mark.django_db

ISSUER = "http://testserver"


def rotate(*args) -> dict[str, str]:
    """Run the command; returns the new kid per algorithm as printed."""
    out = StringIO()
    call_command("rotate_signing_keys", *args, stdout=out)
    return dict(line.split(": ") for line in out.getvalue().splitlines())


def published_kids() -> set[str]:
    return {key["kid"] for key in keys.jwks()["keys"]}


def test_rotation_keeps_the_old_key_published_and_its_tokens_valid():
    token = keys.sign({"iss": ISSUER, "sub": "abc", "exp": 4102444800})
    old = keys.active_key("RS256")

    printed = rotate("--algorithm", "RS256")

    new = keys.active_key("RS256")
    assert printed == {"RS256": new.kid}
    assert new.kid != old.kid
    assert {old.kid, new.kid} <= published_kids()
    assert keys.verify(token, issuer=ISSUER)["sub"] == "abc"
    assert (
        keys.verify(keys.sign({"iss": ISSUER, "sub": "def", "exp": 4102444800}), issuer=ISSUER)["sub"]
        == "def"
    )
    old.refresh_from_db()
    assert old.retired_at is not None


def test_rotating_all_makes_a_new_key_per_algorithm():
    before = {algorithm: keys.active_key(algorithm).kid for algorithm in keys.ALGORITHMS}

    printed = rotate()

    assert set(printed) == set(keys.ALGORITHMS)
    for algorithm in keys.ALGORITHMS:
        assert printed[algorithm] == keys.active_key(algorithm).kid != before[algorithm]
    assert SigningKey.objects.filter(retired_at__isnull=True).count() == len(keys.ALGORITHMS)


def test_an_unknown_algorithm_is_refused():
    with pytest.raises(CommandError):
        rotate("--algorithm", "HS256")

    assert not SigningKey.objects.exists()
