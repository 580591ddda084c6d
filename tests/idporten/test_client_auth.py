"""Client authentication at the token endpoint: client_secret_basic, client_secret_post, private_key_jwt."""

import base64
import secrets
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk, jwt

from core.models import AuditEvent
from idporten.models import UsedAssertion
from idporten.services.clients import ASSERTION_TYPE
from tests.idporten.factories import (
    REDIRECT_URI,
    Browser,
    authorize_code,
    basic_auth,
    client,
    logged_in,
    pkce,
)

pytestmark = pytest.mark.django_db

TOKEN_ENDPOINT = "http://testserver/idporten/token"


def private_pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="module")
def rsa_pem() -> str:
    return private_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="module")
def other_rsa_pem() -> str:
    return private_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))


def public_jwk(pem: str, kid: str, algorithm: str = "RS256") -> dict:
    return {**jwk.construct(pem, algorithm).public_key().to_dict(), "kid": kid}


def jwt_client(pem: str, algorithm: str = "RS256"):
    oidc_client, _secret = client(
        auth_method="private_key_jwt", jwks={"keys": [public_jwk(pem, "key-1", algorithm)]}
    )
    return oidc_client


def assertion(pem, oidc_client, *, kid="key-1", aud=TOKEN_ENDPOINT, lifetime=60, jti=None, algorithm="RS256"):
    now = int(time.time())
    claims = {
        "iss": oidc_client.client_id,
        "sub": oidc_client.client_id,
        "aud": aud,
        "iat": now,
        "exp": now + lifetime,
        "jti": jti or secrets.token_urlsafe(16),
    }
    return jwt.encode(claims, pem, algorithm=algorithm, headers={"kid": kid})


def with_assertion(browser, client_assertion, **form):
    """A token request authenticated by the assertion; past authentication it fails as invalid_grant."""
    body = {"grant_type": "refresh_token", "refresh_token": "unknown", **form}
    return browser.post(
        "/idporten/token",
        {"client_assertion_type": ASSERTION_TYPE, "client_assertion": client_assertion, **body},
    )


def code_form(browser, oidc_client) -> dict:
    """A fresh code for the browser's logged-in citizen, as the token request's form."""
    verifier, challenge = pkce()
    code = authorize_code(browser, oidc_client, challenge)
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }


def assert_invalid_client(response):
    assert response.status_code == 401, response.content
    assert response.json()["error"] == "invalid_client"
    assert response["WWW-Authenticate"] == 'Basic realm="ID-porten"'  # RFC 7617 section 2: a realm


# Client secrets


def test_wrong_basic_secret_is_invalid_client():
    oidc_client, _secret = client()
    response = Browser().post(
        "/idporten/token",
        {"grant_type": "refresh_token"},
        HTTP_AUTHORIZATION=basic_auth(oidc_client, "wrong"),
    )
    assert_invalid_client(response)


def test_wrong_basic_secret_is_recorded_in_the_audit_trail():
    oidc_client, _secret = client()
    Browser().post(
        "/idporten/token", {"grant_type": "refresh_token"}, HTTP_AUTHORIZATION=basic_auth(oidc_client, "x")
    )
    event = AuditEvent.objects.get(action="idporten.client_authentication_failed")
    assert event.object_id == oidc_client.client_id
    assert event.outcome == AuditEvent.Outcome.DENIED


def test_unknown_client_is_invalid_client():
    _client, secret = client()
    header = "Basic " + base64.b64encode(f"no-such-client:{secret}".encode()).decode()
    response = Browser().post("/idporten/token", {"grant_type": "refresh_token"}, HTTP_AUTHORIZATION=header)
    assert_invalid_client(response)


def test_malformed_basic_header_is_invalid_client():
    response = Browser().post(
        "/idporten/token", {"grant_type": "refresh_token"}, HTTP_AUTHORIZATION="Basic ***"
    )
    assert_invalid_client(response)


def test_request_without_client_authentication_is_invalid_client():
    oidc_client, _secret = client()
    response = Browser().post(
        "/idporten/token", {"grant_type": "refresh_token", "client_id": oidc_client.client_id}
    )
    assert_invalid_client(response)


def test_basic_secret_exchanges_a_code():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    form = code_form(browser, oidc_client)
    response = browser.post("/idporten/token", form, HTTP_AUTHORIZATION=basic_auth(oidc_client, secret))
    assert response.status_code == 200
    assert "id_token" in response.json()


def test_client_secret_post_exchanges_a_code():
    oidc_client, secret = client(auth_method="client_secret_post")
    browser = Browser()
    logged_in(browser)
    form = {**code_form(browser, oidc_client), "client_id": oidc_client.client_id, "client_secret": secret}
    response = browser.post("/idporten/token", form)
    assert response.status_code == 200
    assert "id_token" in response.json()


def test_client_registered_for_basic_may_not_use_post():
    oidc_client, secret = client()
    response = Browser().post(
        "/idporten/token",
        {"grant_type": "refresh_token", "client_id": oidc_client.client_id, "client_secret": secret},
    )
    assert_invalid_client(response)


def test_client_registered_for_post_may_not_use_basic():
    oidc_client, secret = client(auth_method="client_secret_post")
    response = Browser().post(
        "/idporten/token", {"grant_type": "refresh_token"}, HTTP_AUTHORIZATION=basic_auth(oidc_client, secret)
    )
    assert_invalid_client(response)


def test_client_registered_for_private_key_jwt_may_not_use_its_secret(rsa_pem):
    oidc_client, secret = client(auth_method="private_key_jwt", jwks={"keys": [public_jwk(rsa_pem, "key-1")]})
    response = Browser().post(
        "/idporten/token", {"grant_type": "refresh_token"}, HTTP_AUTHORIZATION=basic_auth(oidc_client, secret)
    )
    assert_invalid_client(response)


def test_inactive_client_is_invalid_client():
    oidc_client, secret = client(active=False)
    response = Browser().post(
        "/idporten/token", {"grant_type": "refresh_token"}, HTTP_AUTHORIZATION=basic_auth(oidc_client, secret)
    )
    assert_invalid_client(response)


# private_key_jwt


def test_private_key_jwt_exchanges_a_code(rsa_pem):
    oidc_client = jwt_client(rsa_pem)
    browser = Browser()
    logged_in(browser)
    response = with_assertion(browser, assertion(rsa_pem, oidc_client), **code_form(browser, oidc_client))
    assert response.status_code == 200
    assert "id_token" in response.json()


def test_private_key_jwt_with_es256_key_is_accepted():
    pem = private_pem(ec.generate_private_key(ec.SECP256R1()))
    oidc_client = jwt_client(pem, "ES256")
    response = with_assertion(Browser(), assertion(pem, oidc_client, algorithm="ES256"))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_reused_assertion_jti_is_invalid_client(rsa_pem):
    oidc_client = jwt_client(rsa_pem)
    browser = Browser()
    first = assertion(rsa_pem, oidc_client, jti="once")
    assert with_assertion(browser, first).json()["error"] == "invalid_grant"
    assert_invalid_client(with_assertion(browser, assertion(rsa_pem, oidc_client, jti="once")))
    assert UsedAssertion.objects.filter(client=oidc_client, jti="once").count() == 1


def test_assertion_for_another_audience_is_invalid_client(rsa_pem):
    oidc_client = jwt_client(rsa_pem)
    response = with_assertion(
        Browser(), assertion(rsa_pem, oidc_client, aud="https://elsewhere.example/token")
    )
    assert_invalid_client(response)


def test_assertion_living_too_long_is_invalid_client(rsa_pem):
    oidc_client = jwt_client(rsa_pem)
    assert_invalid_client(with_assertion(Browser(), assertion(rsa_pem, oidc_client, lifetime=600)))


def test_expired_assertion_is_invalid_client(rsa_pem):
    oidc_client = jwt_client(rsa_pem)
    assert_invalid_client(with_assertion(Browser(), assertion(rsa_pem, oidc_client, lifetime=-60)))


def test_assertion_with_unknown_kid_is_invalid_client(rsa_pem):
    oidc_client = jwt_client(rsa_pem)
    assert_invalid_client(with_assertion(Browser(), assertion(rsa_pem, oidc_client, kid="key-2")))


def test_assertion_signed_with_another_key_is_invalid_client(rsa_pem, other_rsa_pem):
    oidc_client = jwt_client(rsa_pem)
    assert_invalid_client(with_assertion(Browser(), assertion(other_rsa_pem, oidc_client)))


def test_hs256_assertion_is_invalid_client(rsa_pem):
    oidc_client = jwt_client(rsa_pem)
    forged = assertion("a-shared-secret-the-server-never-had", oidc_client, algorithm="HS256")
    assert_invalid_client(with_assertion(Browser(), forged))


def test_assertion_for_a_secret_client_is_invalid_client(rsa_pem):
    oidc_client, _secret = client()
    assert_invalid_client(with_assertion(Browser(), assertion(rsa_pem, oidc_client)))


def test_client_id_not_matching_the_assertion_is_invalid_client(rsa_pem):
    oidc_client = jwt_client(rsa_pem)
    other, _secret = client(name="Skatteetaten")
    response = with_assertion(Browser(), assertion(rsa_pem, oidc_client), client_id=other.client_id)
    assert_invalid_client(response)


def test_garbage_assertion_is_invalid_client():
    assert_invalid_client(with_assertion(Browser(), "not-a-jwt"))
