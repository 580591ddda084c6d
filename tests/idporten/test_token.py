"""The token endpoint: the authorization_code and refresh_token grants, and its rate limit."""

import base64
import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from jose import jwt

from core.models import AuditEvent
from idporten.models import LOA_SUBSTANTIAL, Authorization, AuthorizationCode, RefreshToken, SsoSession
from tests.idporten.factories import (
    Browser,
    authorize_code,
    client,
    exchange,
    logged_in,
    login_with_minid,
    pkce,
    query,
    token_request,
    tokens,
    verified_claims,
)

pytestmark = pytest.mark.django_db

ISSUER = "http://testserver"


def userinfo_status(browser, access_token) -> int:
    return browser.get("/idporten/userinfo", HTTP_AUTHORIZATION="Bearer " + access_token).status_code


def refresh(browser, oidc_client, secret, refresh_token):
    return token_request(
        browser, oidc_client, secret, grant_type="refresh_token", refresh_token=refresh_token
    )


def error_of(response) -> str:
    assert response.status_code == 400, response.content
    return response.json()["error"]


# The authorization_code grant


def test_id_token_describes_the_minid_login():
    oidc_client, secret = client(may_receive_pid=True)
    browser = Browser()
    verifier, challenge = pkce()
    back, user = login_with_minid(browser, oidc_client, challenge, nonce="nonce-456")
    body = exchange(browser, oidc_client, secret, query(back.url)["code"], verifier).json()
    claims = verified_claims(browser, body["id_token"], audience=oidc_client.client_id, issuer=ISSUER)
    session = SsoSession.objects.get()
    assert claims["iss"] == ISSUER
    assert claims["aud"] == oidc_client.client_id
    assert claims["pid"] == user.person.identity_number
    assert claims["sub"] != user.person.identity_number
    assert claims["acr"] == LOA_SUBSTANTIAL
    assert claims["amr"] == ["Minid-OTC"]
    assert claims["auth_time"] == int(session.auth_time.timestamp())
    assert claims["sid"] == session.sid
    assert claims["nonce"] == "nonce-456"
    assert claims["jti"]
    assert claims["exp"] - claims["iat"] == 120


def test_id_token_is_signed_rs256_with_a_published_key():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    id_token = tokens(browser, oidc_client, secret)["id_token"]
    assert jwt.get_unverified_header(id_token)["alg"] == "RS256"
    assert verified_claims(browser, id_token, audience=oidc_client.client_id)["aud"] == oidc_client.client_id


def test_a_client_that_registered_es256_gets_es256_id_tokens_and_can_log_out_with_them():
    oidc_client, secret = client(id_token_signed_response_alg="ES256")
    browser = Browser()
    logged_in(browser)
    id_token = tokens(browser, oidc_client, secret)["id_token"]
    assert jwt.get_unverified_header(id_token)["alg"] == "ES256"
    assert verified_claims(browser, id_token, audience=oidc_client.client_id)["aud"] == oidc_client.client_id
    response = browser.get("/idporten/endsession", {"id_token_hint": id_token})
    assert response.status_code == 200 and not SsoSession.objects.filter(ended_at__isnull=True).exists()


def test_token_response_is_a_bearer_token_that_is_not_cached():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    verifier, challenge = pkce()
    response = exchange(
        browser, oidc_client, secret, authorize_code(browser, oidc_client, challenge), verifier
    )
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 120
    assert body["scope"] == "openid"


def test_sub_differs_between_clients_for_the_same_person():
    first, first_secret = client()
    second, second_secret = client(name="Skatteetaten")
    browser = Browser()
    logged_in(browser)
    first_sub = jwt.get_unverified_claims(tokens(browser, first, first_secret)["id_token"])["sub"]
    second_sub = jwt.get_unverified_claims(tokens(browser, second, second_secret)["id_token"])["sub"]
    assert first_sub != second_sub


def test_sub_stays_the_same_for_one_client():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    first = jwt.get_unverified_claims(tokens(browser, oidc_client, secret)["id_token"])["sub"]
    second = jwt.get_unverified_claims(tokens(browser, oidc_client, secret)["id_token"])["sub"]
    assert first == second


def test_pid_is_left_out_for_clients_not_allowed_it():
    oidc_client, secret = client(may_receive_pid=False)
    browser = Browser()
    logged_in(browser)
    body = tokens(browser, oidc_client, secret)
    assert "pid" not in jwt.get_unverified_claims(body["id_token"])
    assert "pid" not in jwt.get_unverified_claims(body["access_token"])


def test_replayed_code_is_invalid_grant():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    verifier, challenge = pkce()
    code = authorize_code(browser, oidc_client, challenge)
    assert exchange(browser, oidc_client, secret, code, verifier).status_code == 200
    assert error_of(exchange(browser, oidc_client, secret, code, verifier)) == "invalid_grant"


def test_replayed_code_revokes_the_access_token_it_issued():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    verifier, challenge = pkce()
    code = authorize_code(browser, oidc_client, challenge)
    first = exchange(browser, oidc_client, secret, code, verifier).json()
    exchange(browser, oidc_client, secret, code, verifier)
    assert userinfo_status(browser, first["access_token"]) == 401
    assert Authorization.objects.get().revoked_at is not None
    assert AuditEvent.objects.filter(action="idporten.authorization_revoked").exists()


def test_replayed_code_revokes_the_refresh_token_it_issued():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    verifier, challenge = pkce()
    code = authorize_code(browser, oidc_client, challenge)
    first = exchange(browser, oidc_client, secret, code, verifier).json()
    exchange(browser, oidc_client, secret, code, verifier)
    assert error_of(refresh(browser, oidc_client, secret, first["refresh_token"])) == "invalid_grant"


def test_code_issued_to_another_client_is_invalid_grant():
    oidc_client, _secret = client()
    other, other_secret = client(name="Skatteetaten")
    browser = Browser()
    logged_in(browser)
    verifier, challenge = pkce()
    code = authorize_code(browser, oidc_client, challenge)
    assert error_of(exchange(browser, other, other_secret, code, verifier)) == "invalid_grant"


def test_expired_code_is_invalid_grant():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    verifier, challenge = pkce()
    code = authorize_code(browser, oidc_client, challenge)
    AuthorizationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert error_of(exchange(browser, oidc_client, secret, code, verifier)) == "invalid_grant"


def test_code_lives_sixty_seconds():
    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser)
    authorize_code(browser, oidc_client, pkce()[1])
    lifetime = AuthorizationCode.objects.get().expires_at - timezone.now()
    assert timedelta(seconds=55) < lifetime <= timedelta(seconds=60)


def test_unknown_code_is_invalid_grant():
    oidc_client, secret = client()
    verifier, _challenge = pkce()
    assert error_of(exchange(Browser(), oidc_client, secret, "no-such-code", verifier)) == "invalid_grant"


def test_wrong_redirect_uri_is_invalid_grant():
    oidc_client, secret = client(
        redirect_uris=["https://tjeneste.example.no/callback", "https://tjeneste.example.no/other"]
    )
    browser = Browser()
    logged_in(browser)
    verifier, challenge = pkce()
    code = authorize_code(browser, oidc_client, challenge)
    response = exchange(
        browser, oidc_client, secret, code, verifier, redirect_uri="https://tjeneste.example.no/other"
    )
    assert error_of(response) == "invalid_grant"


def test_wrong_code_verifier_is_invalid_grant():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    code = authorize_code(browser, oidc_client, pkce()[1])
    other_verifier, _challenge = pkce()
    assert error_of(exchange(browser, oidc_client, secret, code, other_verifier)) == "invalid_grant"


def test_too_short_code_verifier_is_invalid_grant_even_when_it_matches():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    verifier = "v" * 42
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    code = authorize_code(browser, oidc_client, challenge)
    assert error_of(exchange(browser, oidc_client, secret, code, verifier)) == "invalid_grant"


def test_code_of_an_ended_session_is_invalid_grant():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    verifier, challenge = pkce()
    code = authorize_code(browser, oidc_client, challenge)
    SsoSession.objects.update(ended_at=timezone.now())
    assert error_of(exchange(browser, oidc_client, secret, code, verifier)) == "invalid_grant"


def test_refused_grant_is_recorded_in_the_audit_trail():
    oidc_client, secret = client()
    verifier, _challenge = pkce()
    exchange(Browser(), oidc_client, secret, "no-such-code", verifier)
    event = AuditEvent.objects.get(action="idporten.token_refused")
    assert event.outcome == AuditEvent.Outcome.DENIED
    assert event.details["error"] == "invalid_grant"


def test_unsupported_grant_type_is_refused():
    oidc_client, secret = client()
    response = token_request(Browser(), oidc_client, secret, grant_type="client_credentials")
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_a_missing_grant_type_is_invalid_request():
    # RFC 6749 section 5.2: invalid_request for a missing parameter; unsupported_grant_type is for one given.
    oidc_client, secret = client()
    response = token_request(Browser(), oidc_client, secret, code="abc")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


# The refresh_token grant


def test_refresh_gives_a_new_access_token_and_a_new_refresh_token():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    first = tokens(browser, oidc_client, secret)
    response = refresh(browser, oidc_client, secret, first["refresh_token"])
    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert "id_token" not in second
    assert userinfo_status(browser, second["access_token"]) == 200


def test_reused_refresh_token_is_invalid_grant():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    first = tokens(browser, oidc_client, secret)
    refresh(browser, oidc_client, secret, first["refresh_token"])
    assert error_of(refresh(browser, oidc_client, secret, first["refresh_token"])) == "invalid_grant"


def test_reused_refresh_token_revokes_the_whole_login():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    first = tokens(browser, oidc_client, secret)
    second = refresh(browser, oidc_client, secret, first["refresh_token"]).json()
    refresh(browser, oidc_client, secret, first["refresh_token"])
    assert Authorization.objects.get().revoked_at is not None
    assert userinfo_status(browser, second["access_token"]) == 401
    assert error_of(refresh(browser, oidc_client, secret, second["refresh_token"])) == "invalid_grant"


def test_refresh_token_of_another_client_is_invalid_grant():
    oidc_client, secret = client()
    other, other_secret = client(name="Skatteetaten")
    browser = Browser()
    logged_in(browser)
    refresh_token = tokens(browser, oidc_client, secret)["refresh_token"]
    assert error_of(refresh(browser, other, other_secret, refresh_token)) == "invalid_grant"
    assert refresh(browser, oidc_client, secret, refresh_token).status_code == 200


def test_refresh_token_lasts_the_idle_window():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    tokens(browser, oidc_client, secret)
    lifetime = RefreshToken.objects.get().expires_at - timezone.now()
    assert timedelta(seconds=595) < lifetime <= timedelta(seconds=600)


def test_idle_refresh_token_is_refused():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    refresh_token = tokens(browser, oidc_client, secret)["refresh_token"]
    RefreshToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert error_of(refresh(browser, oidc_client, secret, refresh_token)) == "invalid_grant"


def test_login_lasts_at_most_two_hours():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    tokens(browser, oidc_client, secret)
    lifetime = Authorization.objects.get().expires_at - timezone.now()
    assert timedelta(seconds=7195) < lifetime <= timedelta(seconds=7200)


def test_refreshed_token_never_outlives_the_login():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    refresh_token = tokens(browser, oidc_client, secret)["refresh_token"]
    login_ends = timezone.now() + timedelta(seconds=30)
    Authorization.objects.update(expires_at=login_ends)
    refresh(browser, oidc_client, secret, refresh_token)
    assert RefreshToken.objects.get(used_at__isnull=True).expires_at == login_ends


def test_refresh_after_the_login_max_lifetime_is_refused():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    refresh_token = tokens(browser, oidc_client, secret)["refresh_token"]
    Authorization.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert error_of(refresh(browser, oidc_client, secret, refresh_token)) == "invalid_grant"


# Rate limit


def test_third_token_request_in_a_minute_is_slowed_down(settings):
    settings.IDPORTEN_TOKEN_REQUESTS_PER_MINUTE = 2
    oidc_client, secret = client()
    browser = Browser()
    statuses = [refresh(browser, oidc_client, secret, "unknown").status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_slowed_down_request_says_slow_down(settings):
    settings.IDPORTEN_TOKEN_REQUESTS_PER_MINUTE = 0
    oidc_client, secret = client()
    assert refresh(Browser(), oidc_client, secret, "unknown").json()["error"] == "slow_down"


def test_token_rate_limit_is_per_client(settings):
    settings.IDPORTEN_TOKEN_REQUESTS_PER_MINUTE = 2
    oidc_client, secret = client()
    other, other_secret = client(name="Skatteetaten")
    browser = Browser()
    for _ in range(3):
        refresh(browser, oidc_client, secret, "unknown")
    assert refresh(browser, other, other_secret, "unknown").status_code == 400
