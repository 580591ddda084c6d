"""The demo's ID token checks, with tokens signed by ID-porten's own keys."""

import time

import pytest
from jose import jwt as jose_jwt

from demo import relying_party
from idporten import keys

pytestmark = pytest.mark.django_db

ISSUER = "http://testserver"


def claims(**overrides) -> dict:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "aud": "demo-velferd",
        "sub": "pairwise-sub",
        "sid": "sid-1",
        "nonce": "nonce-1",
        "iat": now,
        "exp": now + 120,
        **overrides,
    }


def validate(token: str) -> dict:
    return relying_party.validate_id_token(
        token, jwks=keys.jwks(), issuer=ISSUER, client_id="demo-velferd", nonce="nonce-1"
    )


@pytest.mark.parametrize("algorithm", keys.ALGORITHMS)
def test_a_valid_id_token_gives_its_claims(algorithm):
    assert validate(keys.sign(claims(), algorithm=algorithm))["sub"] == "pairwise-sub"


@pytest.mark.parametrize(
    "wrong",
    [
        {"nonce": "replayed-nonce"},
        {"aud": "demo-lanefond"},
        {"iss": "https://evil.example"},
        {"exp": int(time.time()) - 300},
    ],
)
def test_an_id_token_with_wrong_claims_is_refused(wrong):
    with pytest.raises(relying_party.LoginFailed):
        validate(keys.sign(claims(**wrong)))


def test_an_id_token_signed_with_an_algorithm_not_pinned_is_refused():
    kid = keys.active_key("RS256").kid
    forged = jose_jwt.encode(claims(), "guessed-secret", algorithm="HS256", headers={"kid": kid})

    with pytest.raises(relying_party.LoginFailed):
        validate(forged)
