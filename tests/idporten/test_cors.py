"""CORS on the token, userinfo, revocation and JWKS endpoints (the Fetch standard): a preflight is
answered for an origin that some active client registers; an actual response is readable only from
an origin registered for the client in question (token and revocation: the request's client_id;
userinfo: the access token's client; JWKS: any active client), with the exact origin, never `*`."""

import pytest

from idporten.models import Client
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

APP = "https://app.example.no"
OTHER_APP = "https://annen.example.no"
GONE_APP = "https://nedlagt.example.no"
STRANGER = "https://angriper.example.com"
ENDPOINTS = {
    "/idporten/token": "POST, OPTIONS",
    "/idporten/userinfo": "GET, POST, OPTIONS",
    "/idporten/revoke": "POST, OPTIONS",
    "/idporten/jwks": "GET, OPTIONS",
}


@pytest.fixture
def apps():
    """Two public clients with their own origins, and a deactivated one."""
    app, _ = client(auth_method=Client.AuthMethod.NONE, allowed_origins=[APP])
    other, _ = client(auth_method=Client.AuthMethod.NONE, name="Annen app", allowed_origins=[OTHER_APP])
    gone, _ = client(auth_method=Client.AuthMethod.NONE, name="Nedlagt", allowed_origins=[GONE_APP])
    Client.objects.filter(pk=gone.pk).update(active=False)
    return app, other


def allowed_origin(response):
    return response.headers.get("Access-Control-Allow-Origin")


def varies_by_origin(response) -> bool:
    return "origin" in [v.strip().lower() for v in response.headers.get("Vary", "").split(",")]


def preflight(path, origin, method="POST"):
    return Browser().options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )


@pytest.mark.parametrize("path", ENDPOINTS)
def test_preflight_from_a_registered_origin_is_answered(apps, path):
    for origin in (APP, OTHER_APP):
        response = preflight(path, origin)
        assert 200 <= response.status_code < 300
        assert allowed_origin(response) == origin
        assert response["Access-Control-Allow-Methods"] == ENDPOINTS[path]
        allowed_headers = {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
        assert {"authorization", "content-type"} <= allowed_headers
        assert int(response["Access-Control-Max-Age"]) > 0
        assert varies_by_origin(response)
        assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("origin", [STRANGER, GONE_APP, APP + ":8443", "null"])
def test_preflight_from_an_unregistered_origin_gets_no_permission(apps, path, origin):
    response = preflight(path, origin)
    assert allowed_origin(response) is None
    assert "Access-Control-Allow-Methods" not in response
    assert varies_by_origin(response)


@pytest.mark.parametrize("path", ["/idporten/introspect", "/idporten/par"])
def test_endpoints_for_servers_only_answer_no_preflight(apps, path):
    response = preflight(path, APP)
    assert allowed_origin(response) is None


def token_post(browser, app, origin, **form):
    return browser.post("/idporten/token", {"client_id": app.client_id, **form}, HTTP_ORIGIN=origin)


def test_token_response_is_readable_only_from_the_clients_own_origin(apps):
    app, other = apps
    browser = Browser()
    logged_in(browser)
    verifier, challenge = pkce()
    code = authorize_code(browser, app, challenge)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }

    response = token_post(browser, app, APP, **form)

    assert response.status_code == 200, response.content
    assert allowed_origin(response) == APP
    assert varies_by_origin(response)
    # Another client's origin, or a stranger's, may not read the answer (here: the code is spent).
    for origin in (OTHER_APP, STRANGER):
        refused = token_post(browser, app, origin, **form)
        assert refused.status_code == 400
        assert allowed_origin(refused) is None
        assert varies_by_origin(refused)
    # The app reads its own errors.
    assert allowed_origin(token_post(browser, app, APP, **form)) == APP
    # And the other app its own.
    assert allowed_origin(token_post(browser, other, OTHER_APP, grant_type="authorization_code")) == OTHER_APP


def test_token_response_for_a_deactivated_client_is_not_readable(apps):
    gone = Client.objects.get(name="Nedlagt")
    response = token_post(Browser(), gone, GONE_APP, grant_type="authorization_code", code="x")
    assert response.status_code == 401
    assert allowed_origin(response) is None


def access_token(app) -> str:
    browser = Browser()
    logged_in(browser)
    verifier, challenge = pkce()
    code = authorize_code(browser, app, challenge)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }
    return token_post(browser, app, APP, **form).json()["access_token"]


def test_userinfo_is_readable_only_from_the_origin_of_the_tokens_client(apps):
    app, _other = apps
    token = access_token(app)
    browser = Browser()
    for method in (browser.get, browser.post):
        own = method("/idporten/userinfo", HTTP_AUTHORIZATION="Bearer " + token, HTTP_ORIGIN=APP)
        assert own.status_code == 200
        assert allowed_origin(own) == APP and varies_by_origin(own)
        for origin in (OTHER_APP, STRANGER):
            foreign = method("/idporten/userinfo", HTTP_AUTHORIZATION="Bearer " + token, HTTP_ORIGIN=origin)
            assert allowed_origin(foreign) is None
            assert varies_by_origin(foreign)


def test_userinfo_errors_are_readable_by_the_tokens_own_app_only(apps):
    app, _other = apps
    token = access_token(app)
    browser = Browser()
    browser.post("/idporten/revoke", {"client_id": app.client_id, "token": token}, HTTP_ORIGIN=APP)
    revoked = browser.get("/idporten/userinfo", HTTP_AUTHORIZATION="Bearer " + token, HTTP_ORIGIN=APP)
    assert revoked.status_code == 401
    assert allowed_origin(revoked) == APP  # so that the app learns it must log in again
    garbage = browser.get("/idporten/userinfo", HTTP_AUTHORIZATION="Bearer not-a-token", HTTP_ORIGIN=APP)
    assert garbage.status_code == 401
    assert allowed_origin(garbage) is None


def test_revocation_is_readable_only_from_the_clients_own_origin(apps):
    app, _other = apps
    token = access_token(app)
    browser = Browser()
    for origin in (OTHER_APP, STRANGER):
        response = browser.post(
            "/idporten/revoke", {"client_id": app.client_id, "token": token}, HTTP_ORIGIN=origin
        )
        assert response.status_code == 200
        assert allowed_origin(response) is None
    own = browser.post("/idporten/revoke", {"client_id": app.client_id, "token": token}, HTTP_ORIGIN=APP)
    assert own.status_code == 200
    assert allowed_origin(own) == APP and varies_by_origin(own)


def test_jwks_is_readable_from_any_active_clients_origin_and_no_other(apps):
    browser = Browser()
    for origin in (APP, OTHER_APP):
        response = browser.get("/idporten/jwks", HTTP_ORIGIN=origin)
        assert response.status_code == 200
        assert allowed_origin(response) == origin
        assert varies_by_origin(response)
    for origin in (STRANGER, GONE_APP):
        response = browser.get("/idporten/jwks", HTTP_ORIGIN=origin)
        assert response.status_code == 200
        assert allowed_origin(response) is None
        assert varies_by_origin(response)


def test_a_same_origin_request_without_origin_gets_no_cors_headers(apps):
    response = Browser().get("/idporten/jwks")
    assert allowed_origin(response) is None


def test_introspection_is_never_readable_cross_origin(apps):
    confidential, secret = client(name="Backend", allowed_origins=[APP])
    response = Browser().post(
        "/idporten/introspect",
        {"token": "x"},
        HTTP_AUTHORIZATION=basic_auth(confidential, secret),
        HTTP_ORIGIN=APP,
    )
    assert response.status_code == 200
    assert allowed_origin(response) is None


@pytest.mark.parametrize(
    "stored", [5, True, {"https://app.example.no": 1}, "https://app.example.no.evil.example"]
)
def test_origins_stored_around_the_service_never_crash_nor_match_by_substring(apps, stored):
    app, _other = apps
    Client.objects.filter(pk=app.pk).update(allowed_origins=stored)
    browser = Browser()

    jwks = browser.get("/idporten/jwks", HTTP_ORIGIN=APP)
    answered = preflight("/idporten/token", APP)
    token = token_post(browser, app, APP, grant_type="authorization_code", code="x")

    assert jwks.status_code == 200 and allowed_origin(jwks) is None
    assert answered.status_code in (200, 204) and allowed_origin(answered) is None
    assert token.status_code == 400 and allowed_origin(token) is None


def test_the_bearer_challenge_of_userinfo_is_readable_by_a_registered_app(apps):
    app, _other = apps
    token = access_token(app)
    browser = Browser()
    browser.post("/idporten/revoke", {"client_id": app.client_id, "token": token}, HTTP_ORIGIN=APP)

    revoked = browser.get("/idporten/userinfo", HTTP_AUTHORIZATION="Bearer " + token, HTTP_ORIGIN=APP)
    no_token = browser.get("/idporten/userinfo", HTTP_ORIGIN=APP)
    stranger = browser.get("/idporten/userinfo", HTTP_ORIGIN=STRANGER)

    for response in (revoked, no_token):
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
        assert allowed_origin(response) == APP
        assert response.headers["Access-Control-Expose-Headers"] == "WWW-Authenticate"
    assert stranger.status_code == 401 and allowed_origin(stranger) is None
