"""Userinfo, token revocation (RFC 7009) and introspection (RFC 7662)."""

import time

import pytest
from jose import jwt

from core.models import AuditEvent
from idporten import keys
from idporten.models import LOA_SUBSTANTIAL, AccessToken, RefreshToken
from tests.idporten.factories import Browser, basic_auth, client, logged_in, token_request, tokens

pytestmark = pytest.mark.django_db

ISSUER = "http://testserver"


def userinfo(browser, access_token):
    return browser.get("/idporten/userinfo", HTTP_AUTHORIZATION="Bearer " + access_token)


def assert_invalid_token(response):
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert response["WWW-Authenticate"].startswith("Bearer")


def revoke(browser, oidc_client, secret, token):
    return browser.post(
        "/idporten/revoke", {"token": token}, HTTP_AUTHORIZATION=basic_auth(oidc_client, secret)
    )


def introspect(browser, oidc_client, secret, token) -> dict:
    response = browser.post(
        "/idporten/introspect", {"token": token}, HTTP_AUTHORIZATION=basic_auth(oidc_client, secret)
    )
    assert response.status_code == 200
    return response.json()


def flip_in_signature(token: str) -> str:
    head, payload, signature = token.split(".")
    middle = len(signature) // 2
    flipped = "A" if signature[middle] != "A" else "B"
    return ".".join([head, payload, signature[:middle] + flipped + signature[middle + 1 :]])


@pytest.fixture
def browser():
    return Browser()


@pytest.fixture
def login(browser):
    """A client and a citizen logged in to it: (client, secret, token response, SSO session)."""
    oidc_client, secret = client(may_receive_pid=True)
    session = logged_in(browser)
    return oidc_client, secret, tokens(browser, oidc_client, secret), session


# Userinfo


def test_userinfo_tells_who_logged_in(browser, login):
    _client, _secret, body, session = login
    info = userinfo(browser, body["access_token"]).json()
    assert info["pid"] == session.identity_number
    assert info["sub"] == jwt.get_unverified_claims(body["id_token"])["sub"]
    assert info["acr"] == LOA_SUBSTANTIAL


def test_userinfo_without_a_token_gets_the_challenge_without_an_error_code(browser):
    response = browser.get("/idporten/userinfo")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="ID-porten"'  # RFC 6750 section 3.1
    assert "error" not in response.json()


def test_userinfo_with_garbage_token_is_invalid_token(browser):
    assert_invalid_token(userinfo(browser, "not-a-token"))


def test_userinfo_with_tampered_signature_is_invalid_token(browser, login):
    _client, _secret, body, _session = login
    assert_invalid_token(userinfo(browser, flip_in_signature(body["access_token"])))


def test_userinfo_with_expired_token_is_invalid_token(browser, login):
    _client, _secret, body, _session = login
    claims = jwt.get_unverified_claims(body["access_token"])
    now = int(time.time())
    expired = keys.sign({**claims, "iat": now - 180, "exp": now - 60}, token_type="at+jwt")
    assert_invalid_token(userinfo(browser, expired))


def test_userinfo_with_an_id_token_is_invalid_token(browser, login):
    _client, _secret, body, _session = login
    assert_invalid_token(userinfo(browser, body["id_token"]))


def test_refused_userinfo_is_recorded_in_the_audit_trail(browser):
    userinfo(browser, "not-a-token")
    assert AuditEvent.objects.get(action="idporten.userinfo_refused").outcome == AuditEvent.Outcome.DENIED


# Revocation


def test_revoked_access_token_no_longer_works_at_userinfo(browser, login):
    oidc_client, secret, body, _session = login
    response = revoke(browser, oidc_client, secret, body["access_token"])
    assert response.status_code == 200
    assert_invalid_token(userinfo(browser, body["access_token"]))
    assert AccessToken.objects.get().revoked_at is not None


def test_revoked_refresh_token_can_no_longer_be_used(browser, login):
    oidc_client, secret, body, _session = login
    revoke(browser, oidc_client, secret, body["refresh_token"])
    response = token_request(
        browser, oidc_client, secret, grant_type="refresh_token", refresh_token=body["refresh_token"]
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_revoking_a_refresh_token_revokes_the_access_tokens_of_its_grant(browser, login):
    # RFC 7009 section 2.1.
    oidc_client, secret, body, _session = login
    assert revoke(browser, oidc_client, secret, body["refresh_token"]).status_code == 200
    assert_invalid_token(userinfo(browser, body["access_token"]))
    assert introspect(browser, oidc_client, secret, body["access_token"]) == {"active": False}


def test_revoking_another_clients_token_does_nothing(browser, login):
    _client, _secret, body, _session = login
    other, other_secret = client(name="Skatteetaten")
    assert revoke(browser, other, other_secret, body["access_token"]).status_code == 200
    revoke(browser, other, other_secret, body["refresh_token"])
    assert userinfo(browser, body["access_token"]).status_code == 200
    assert not AccessToken.objects.filter(revoked_at__isnull=False).exists()
    assert not RefreshToken.objects.filter(revoked_at__isnull=False).exists()


def test_revoking_an_unknown_token_is_answered_ok(browser):
    oidc_client, secret = client()
    assert revoke(browser, oidc_client, secret, "not-a-token").status_code == 200


def test_revocation_requires_client_authentication(browser, login):
    _client, _secret, body, _session = login
    response = browser.post("/idporten/revoke", {"token": body["access_token"]})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert userinfo(browser, body["access_token"]).status_code == 200


# Introspection


def test_own_access_token_is_active_with_its_claims(browser, login):
    oidc_client, secret, body, _session = login
    answer = introspect(browser, oidc_client, secret, body["access_token"])
    claims = jwt.get_unverified_claims(body["access_token"])
    assert answer["active"] is True
    assert answer["scope"] == "openid"
    assert answer["client_id"] == oidc_client.client_id
    assert answer["sub"] == claims["sub"]
    assert answer["exp"] == claims["exp"]


def test_another_clients_access_token_is_inactive(browser, login):
    _client, _secret, body, _session = login
    other, other_secret = client(name="Skatteetaten")
    assert introspect(browser, other, other_secret, body["access_token"]) == {"active": False}


def test_garbage_token_is_inactive(browser):
    oidc_client, secret = client()
    assert introspect(browser, oidc_client, secret, "not-a-token") == {"active": False}


def test_revoked_access_token_is_inactive(browser, login):
    oidc_client, secret, body, _session = login
    revoke(browser, oidc_client, secret, body["access_token"])
    assert introspect(browser, oidc_client, secret, body["access_token"]) == {"active": False}


def test_own_refresh_token_is_active(browser, login):
    oidc_client, secret, body, _session = login
    answer = introspect(browser, oidc_client, secret, body["refresh_token"])
    assert answer["active"] is True
    # RFC 7662 section 2.2: token_type is one of RFC 6749 section 5.1's types, and a refresh token has none.
    assert "token_type" not in answer
    assert answer["client_id"] == oidc_client.client_id
    assert answer["exp"] == int(RefreshToken.objects.get().expires_at.timestamp())


def test_used_refresh_token_is_inactive(browser, login):
    oidc_client, secret, body, _session = login
    token_request(
        browser, oidc_client, secret, grant_type="refresh_token", refresh_token=body["refresh_token"]
    )
    assert introspect(browser, oidc_client, secret, body["refresh_token"]) == {"active": False}


def test_another_clients_refresh_token_is_inactive(browser, login):
    _client, _secret, body, _session = login
    other, other_secret = client(name="Skatteetaten")
    assert introspect(browser, other, other_secret, body["refresh_token"]) == {"active": False}


def test_introspection_requires_client_authentication(browser, login):
    _client, _secret, body, _session = login
    response = browser.post("/idporten/introspect", {"token": body["access_token"]})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
