"""The authorization endpoint and pushed authorization requests, as a relying party and a browser see them."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from jose import jwt

from core.models import AuditEvent
from idporten.models import LOA_HIGH, AuthorizationCode, PushedRequest, SsoSession
from tests.idporten.factories import (
    REDIRECT_URI,
    Browser,
    authorize_params,
    basic_auth,
    client,
    exchange,
    logged_in,
    login_with_minid,
    pkce,
    query,
)

pytestmark = pytest.mark.django_db

ISSUER = "http://testserver"


def authorize(browser, oidc_client, **extra):
    return browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1], **extra))


def refused_events():
    return AuditEvent.objects.filter(action="idporten.authorization_refused")


# Errors shown to the citizen, never sent to a redirect URI


def test_unknown_client_id_is_refused_without_redirect():
    oidc_client, _secret = client()
    response = authorize(Browser(), oidc_client, client_id="no-such-client")
    assert response.status_code == 400
    assert "Location" not in response
    assert refused_events().get().details["error"] == "invalid_client"


def test_unregistered_redirect_uri_is_refused_without_redirect():
    oidc_client, _secret = client()
    response = authorize(Browser(), oidc_client, redirect_uri="https://evil.example/callback")
    assert response.status_code == 400
    assert "Location" not in response
    assert refused_events().get().outcome == AuditEvent.Outcome.DENIED


def test_inactive_client_is_refused_without_redirect():
    oidc_client, _secret = client(active=False)
    response = authorize(Browser(), oidc_client)
    assert response.status_code == 400
    assert "Location" not in response


def test_oversized_parameter_is_refused_without_redirect():
    oidc_client, _secret = client()
    response = authorize(Browser(), oidc_client, state="s" * 2001)
    assert response.status_code == 400
    assert "Location" not in response
    assert not PushedRequest.objects.exists()


# Errors sent back to the client's redirect URI with state and iss (RFC 9207)


def test_unsupported_response_type_is_redirected_with_state_and_iss():
    oidc_client, _secret = client()
    response = authorize(Browser(), oidc_client, response_type="token")
    assert response.status_code == 302 and response.url.startswith(REDIRECT_URI)
    params = query(response.url)
    assert params["error"] == "unsupported_response_type"
    assert params["state"] == "state-123"
    assert params["iss"] == ISSUER


def test_scope_without_openid_is_invalid_scope():
    oidc_client, _secret = client()
    params = query(authorize(Browser(), oidc_client, scope="profile").url)
    assert params["error"] == "invalid_scope"
    assert params["state"] == "state-123" and params["iss"] == ISSUER


def test_scope_the_client_may_not_have_is_invalid_scope():
    oidc_client, _secret = client()
    params = query(authorize(Browser(), oidc_client, scope="openid skatteetaten:formue").url)
    assert params["error"] == "invalid_scope"


def test_scope_registered_for_the_client_is_accepted():
    oidc_client, _secret = client(scopes=["openid", "profile", "nav:sykepenger"])
    response = authorize(Browser(), oidc_client, scope="openid nav:sykepenger")
    assert "/idporten/velg/" in response.url


def test_missing_state_is_invalid_request():
    oidc_client, _secret = client()
    params = query(authorize(Browser(), oidc_client, state="").url)
    assert params["error"] == "invalid_request"
    assert "state" not in params


def test_missing_nonce_is_invalid_request():
    oidc_client, _secret = client()
    params = query(authorize(Browser(), oidc_client, nonce="").url)
    assert params["error"] == "invalid_request"
    assert params["state"] == "state-123"


def test_missing_pkce_is_invalid_request():
    oidc_client, _secret = client()
    params = query(authorize(Browser(), oidc_client, code_challenge="", code_challenge_method="").url)
    assert params["error"] == "invalid_request"


def test_plain_pkce_method_is_invalid_request():
    oidc_client, _secret = client()
    verifier, _challenge = pkce()
    response = authorize(Browser(), oidc_client, code_challenge=verifier, code_challenge_method="plain")
    assert query(response.url)["error"] == "invalid_request"


def test_unknown_prompt_is_invalid_request():
    oidc_client, _secret = client()
    for prompt in ("select_account", "none login", "none consent"):
        assert query(authorize(Browser(), oidc_client, prompt=prompt).url)["error"] == "invalid_request"


def test_redirected_error_is_recorded_in_the_audit_trail():
    oidc_client, _secret = client()
    authorize(Browser(), oidc_client, response_type="token")
    event = refused_events().get()
    assert event.actor == oidc_client.client_id
    assert event.details["error"] == "unsupported_response_type"


# Where a valid request goes


def test_request_without_session_goes_to_the_picker():
    oidc_client, _secret = client()
    response = authorize(Browser(), oidc_client)
    assert response.status_code == 302 and "/idporten/velg/" in response.url
    assert not AuthorizationCode.objects.exists()


def test_request_posted_from_the_clients_page_is_accepted():
    oidc_client, _secret = client()
    browser = Browser(enforce_csrf_checks=True)
    response = browser.post("/idporten/authorize", authorize_params(oidc_client, pkce()[1]))
    assert response.status_code == 302 and "/idporten/velg/" in response.url


def test_prompt_none_without_session_is_login_required():
    oidc_client, _secret = client()
    params = query(authorize(Browser(), oidc_client, prompt="none").url)
    assert params["error"] == "login_required"
    assert params["state"] == "state-123" and params["iss"] == ISSUER


def test_prompt_none_with_session_but_no_consent_is_consent_required():
    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser, consent=False)
    assert query(authorize(browser, oidc_client, prompt="none").url)["error"] == "consent_required"


def test_prompt_none_with_session_and_consent_gives_a_code():
    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser)
    params = query(authorize(browser, oidc_client, prompt="none").url)
    assert "error" not in params
    assert params["code"] and params["state"] == "state-123" and params["iss"] == ISSUER


def test_session_without_consent_goes_to_consent():
    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser, consent=False)
    assert "/idporten/samtykke/" in authorize(browser, oidc_client).url


def test_refused_consent_is_access_denied():
    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser, consent=False)
    response = browser.post(authorize(browser, oidc_client).url, {"answer": "no"})
    params = query(response.url)
    assert params["error"] == "access_denied" and params["state"] == "state-123"
    assert not AuthorizationCode.objects.exists()


def test_prompt_consent_shows_the_consent_again_though_it_was_given():
    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser)
    response = authorize(browser, oidc_client, prompt="consent")
    assert "/idporten/samtykke/" in response.url
    assert not AuthorizationCode.objects.exists()
    back = browser.post(response.url, {"answer": "yes"})
    assert back.url.startswith(REDIRECT_URI) and query(back.url)["code"]


def test_prompt_consent_refused_is_access_denied_though_consent_was_given_before():
    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser)
    back = browser.post(authorize(browser, oidc_client, prompt="consent").url, {"answer": "no"})
    assert query(back.url)["error"] == "access_denied"
    assert not AuthorizationCode.objects.exists()


def test_prompt_login_with_session_asks_for_a_new_login():
    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser)
    response = authorize(browser, oidc_client, prompt="login", ui_locales="en")
    assert "/idporten/velg/" in response.url
    assert "this service needs a new login" in browser.get(response.url).content.decode()
    assert not AuthorizationCode.objects.exists()


def test_prompt_login_is_answered_with_a_code_after_a_fresh_login():
    oidc_client, _secret = client()
    browser = Browser()
    _verifier, challenge = pkce()
    _back, user = login_with_minid(browser, oidc_client, challenge)
    back, _user = login_with_minid(browser, oidc_client, challenge, user=user, prompt="login")
    assert back.url.startswith(REDIRECT_URI)
    assert query(back.url)["code"]


def test_prompt_login_is_not_met_by_the_old_session_through_the_consent_page():
    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser)
    SsoSession.objects.update(auth_time=timezone.now() - timedelta(minutes=5))
    picker_url = authorize(browser, oidc_client, prompt="login").url
    consent_url = picker_url.replace("/velg/", "/samtykke/")
    response = browser.post(consent_url, {"answer": "yes"})
    assert "/idporten/velg/" in response.url
    assert not AuthorizationCode.objects.exists()


def test_high_level_request_offers_no_minid():
    oidc_client, _secret = client()
    browser = Browser()
    response = authorize(browser, oidc_client, acr_values=LOA_HIGH, ui_locales="en")
    page = browser.get(response.url).content.decode()
    assert response.url + "minid/" not in page
    assert "No electronic ID at that level" in page


def test_substantial_level_request_offers_minid():
    oidc_client, _secret = client()
    browser = Browser()
    response = authorize(browser, oidc_client)
    assert response.url + "minid/" in browser.get(response.url).content.decode()


def test_client_minimum_level_overrides_a_lower_acr_value():
    oidc_client, _secret = client(minimum_level=LOA_HIGH)
    browser = Browser()
    response = authorize(browser, oidc_client, acr_values="idporten-loa-substantial")
    assert response.url + "minid/" not in browser.get(response.url).content.decode()


def test_substantial_session_does_not_satisfy_a_high_level_request():
    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser)
    response = authorize(browser, oidc_client, acr_values=LOA_HIGH)
    assert "/idporten/velg/" in response.url
    assert not AuthorizationCode.objects.exists()


def test_ui_locales_en_sets_the_language_cookie():
    oidc_client, _secret = client()
    response = authorize(Browser(), oidc_client, ui_locales="de en")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_without_ui_locales_the_language_cookie_is_left_alone():
    oidc_client, _secret = client()
    response = authorize(Browser(), oidc_client)
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_northern_sami_is_not_offered_and_falls_back_to_the_citizens_own_language():
    # ID-porten offers se; Felles has no Sami catalogue, so discovery leaves it out and the login pages
    # stay in the language the citizen chose (Bokmål by default), or the next language asked for.
    assert "se" not in Browser().get("/.well-known/openid-configuration").json()["ui_locales_supported"]
    oidc_client, _secret = client()
    browser = Browser()
    response = authorize(browser, oidc_client, ui_locales="se")
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert 'lang="nb"' in browser.get(response.url).content.decode()
    response = authorize(Browser(), oidc_client, ui_locales="se nn")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nn"


def test_second_client_in_the_same_session_gets_a_code_without_login():
    first, _secret = client()
    second, _secret = client(name="Skatteetaten")
    browser = Browser()
    _verifier, challenge = pkce()
    login_with_minid(browser, first, challenge)
    response = browser.get("/idporten/authorize", authorize_params(second, challenge))
    assert response.url.startswith(REDIRECT_URI)
    assert query(response.url)["code"]
    assert AuthorizationCode.objects.filter(authorization__client=second).exists()


def test_expired_pending_login_shows_expired_page():
    oidc_client, _secret = client()
    browser = Browser()
    picker_url = authorize(browser, oidc_client).url
    PushedRequest.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert browser.get(picker_url).status_code == 400


# Pushed authorization requests (RFC 9126)


def push(browser, oidc_client, secret, challenge, **extra):
    params = authorize_params(oidc_client, challenge, **extra)
    return browser.post("/idporten/par", params, HTTP_AUTHORIZATION=basic_auth(oidc_client, secret))


def test_pushed_request_gets_request_uri_and_lifetime():
    oidc_client, secret = client()
    response = push(Browser(), oidc_client, secret, pkce()[1])
    assert response.status_code == 201
    body = response.json()
    assert body["request_uri"].startswith("urn:ietf:params:oauth:request_uri:")
    assert body["expires_in"] == settings.IDPORTEN_PAR_TTL_SECONDS
    assert response["Cache-Control"] == "no-store"


def test_pushed_request_is_used_by_its_request_uri():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    request_uri = push(browser, oidc_client, secret, pkce()[1], state="pushed-state").json()["request_uri"]
    response = browser.get(
        "/idporten/authorize", {"client_id": oidc_client.client_id, "request_uri": request_uri}
    )
    assert response.url.startswith(REDIRECT_URI)
    assert query(response.url)["state"] == "pushed-state"


def test_request_uri_works_only_once():
    oidc_client, secret = client()
    browser = Browser()
    request_uri = push(browser, oidc_client, secret, pkce()[1]).json()["request_uri"]
    params = {"client_id": oidc_client.client_id, "request_uri": request_uri}
    assert browser.get("/idporten/authorize", params).status_code == 302
    assert browser.get("/idporten/authorize", params).status_code == 400


def test_request_uri_of_another_client_is_refused():
    oidc_client, secret = client()
    other, _secret = client(name="Skatteetaten")
    browser = Browser()
    request_uri = push(browser, oidc_client, secret, pkce()[1]).json()["request_uri"]
    response = browser.get("/idporten/authorize", {"client_id": other.client_id, "request_uri": request_uri})
    assert response.status_code == 400
    assert "Location" not in response


def test_expired_request_uri_is_refused():
    oidc_client, secret = client()
    browser = Browser()
    request_uri = push(browser, oidc_client, secret, pkce()[1]).json()["request_uri"]
    PushedRequest.objects.update(expires_at="2000-01-01T00:00:00Z")
    response = browser.get(
        "/idporten/authorize", {"client_id": oidc_client.client_id, "request_uri": request_uri}
    )
    assert response.status_code == 400


def test_pending_login_reference_is_not_a_request_uri():
    oidc_client, _secret = client()
    browser = Browser()
    picker_url = authorize(browser, oidc_client).url
    reference = picker_url.rstrip("/").rsplit("/", 1)[1]
    response = browser.get(
        "/idporten/authorize", {"client_id": oidc_client.client_id, "request_uri": reference}
    )
    assert response.status_code == 400
    assert browser.get(picker_url).status_code == 200


def test_unauthenticated_push_is_invalid_client():
    oidc_client, _secret = client()
    response = Browser().post("/idporten/par", authorize_params(oidc_client, pkce()[1]))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert not PushedRequest.objects.exists()


def test_invalid_pushed_request_is_answered_with_its_error():
    oidc_client, secret = client()
    response = push(Browser(), oidc_client, secret, pkce()[1], code_challenge_method="plain")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert not PushedRequest.objects.exists()


def test_a_replayed_nonce_is_refused():
    from tests.idporten.factories import authorize_code

    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser)
    authorize_code(browser, oidc_client, pkce()[1], nonce="used-once")
    response = browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1], nonce="used-once"))
    assert query(response.url)["error"] == "invalid_request"
    assert AuditEvent.objects.filter(action="idporten.authorization_refused").exists()


# Request objects and response modes Felles does not support are refused, never ignored


def test_a_request_object_is_refused_with_request_not_supported():
    oidc_client, _secret = client()
    params = query(authorize(Browser(), oidc_client, request="eyJhbGciOiJSUzI1NiJ9.e30.c2ln").url)
    assert params["error"] == "request_not_supported" and params["state"] == "state-123"


def test_a_pushed_request_with_a_request_object_is_refused():
    oidc_client, secret = client()
    response = push(Browser(), oidc_client, secret, pkce()[1], request="eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
    assert response.status_code == 400 and response.json()["error"] == "request_not_supported"
    assert not PushedRequest.objects.exists()


def test_a_request_uri_not_from_par_is_refused_with_request_uri_not_supported():
    oidc_client, _secret = client()
    response = Browser().get(
        "/idporten/authorize",
        {"client_id": oidc_client.client_id, "request_uri": "https://rp.example/request.jwt"},
    )
    assert response.status_code == 400 and "Location" not in response
    assert refused_events().get().details["error"] == "request_uri_not_supported"


@pytest.mark.parametrize("mode", ["form_post", "fragment", "query.jwt"])
def test_a_response_mode_other_than_query_is_refused(mode):
    oidc_client, _secret = client()
    params = query(authorize(Browser(), oidc_client, response_mode=mode).url)
    assert params["error"] == "invalid_request" and "code" not in params


def test_response_mode_query_is_accepted():
    oidc_client, _secret = client()
    assert "/idporten/velg/" in authorize(Browser(), oidc_client, response_mode="query").url


# max_age (OIDC Core 3.1.2.1): a login older than it must be made again


def test_a_session_older_than_max_age_asks_for_a_new_login():
    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser)
    SsoSession.objects.update(auth_time=timezone.now() - timedelta(minutes=5))
    response = authorize(browser, oidc_client, max_age="60")
    assert "/idporten/velg/" in response.url
    assert not AuthorizationCode.objects.exists()


def test_a_session_younger_than_max_age_gives_a_code():
    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser)
    SsoSession.objects.update(auth_time=timezone.now() - timedelta(minutes=5))
    assert query(authorize(browser, oidc_client, max_age="600").url)["code"]


def test_max_age_is_met_by_a_fresh_login_and_auth_time_is_that_login():
    oidc_client, secret = client()
    browser = Browser()
    verifier, challenge = pkce()
    _back, user = login_with_minid(browser, oidc_client, challenge)
    SsoSession.objects.update(auth_time=timezone.now() - timedelta(hours=1))
    back, _user = login_with_minid(browser, oidc_client, challenge, user=user, max_age="0")
    assert back.url.startswith(REDIRECT_URI)
    body = exchange(browser, oidc_client, secret, query(back.url)["code"], verifier).json()
    claims = jwt.get_unverified_claims(body["id_token"])
    assert claims["auth_time"] >= int((timezone.now() - timedelta(minutes=1)).timestamp())


@pytest.mark.parametrize("value", ["-1", "1.5", "abc", "9" * 20, ""])
def test_a_max_age_that_is_not_whole_seconds_is_invalid_request(value):
    oidc_client, _secret = client()
    assert query(authorize(Browser(), oidc_client, max_age=value).url)["error"] == "invalid_request"
