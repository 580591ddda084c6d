"""Public clients (single-page and mobile apps): token_endpoint_auth_method none. They identify
themselves with client_id alone (RFC 6749 sections 2.1 and 3.2.1), the code is bound by PKCE S256
(RFC 7636), they get no refresh token (as ID-porten), cannot introspect, and revoke their own tokens
(RFC 7009 section 2.1). A confidential client is never let in as a public one."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import AuditEvent
from idporten import services
from idporten.models import AccessToken, Client, RefreshToken
from tests.idporten.factories import (
    REDIRECT_URI,
    Browser,
    authorize_code,
    authorize_params,
    basic_auth,
    client,
    logged_in,
    login_with_minid,
    pkce,
    query,
    tokens,
)
from tests.idporten.test_admin import ADD, error_codes, form_data, public_ec_jwk

pytestmark = pytest.mark.django_db

ISSUER = "http://testserver"


def public_client(**fields):
    oidc_client, secret = client(auth_method=Client.AuthMethod.NONE, **fields)
    return oidc_client, secret


def exchange_public(browser, oidc_client, code, verifier, **overrides):
    form = {
        "grant_type": "authorization_code",
        "client_id": oidc_client.client_id,
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
        **overrides,
    }
    return browser.post("/idporten/token", form)


def public_tokens(browser, oidc_client) -> dict:
    verifier, challenge = pkce()
    response = exchange_public(
        browser, oidc_client, authorize_code(browser, oidc_client, challenge), verifier
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_a_public_client_is_registered_without_a_secret():
    oidc_client, secret = public_client()
    assert secret == ""
    assert oidc_client.secret_hash == ""


def test_public_client_logs_in_with_pkce_and_no_secret_and_gets_no_refresh_token():
    oidc_client, _secret = public_client()
    browser = Browser()
    verifier, challenge = pkce()
    response, _user = login_with_minid(browser, oidc_client, challenge)
    assert response.url.startswith(REDIRECT_URI), response.url
    code = query(response.url)["code"]

    token = exchange_public(browser, oidc_client, code, verifier)

    assert token.status_code == 200, token.content
    body = token.json()
    assert body["token_type"] == "Bearer"
    assert {"access_token", "id_token"} <= body.keys()
    assert "refresh_token" not in body
    assert not RefreshToken.objects.filter(authorization__client=oidc_client).exists()
    info = browser.get("/idporten/userinfo", HTTP_AUTHORIZATION="Bearer " + body["access_token"])
    assert info.status_code == 200 and info.json()["sub"]


def test_public_client_without_the_code_verifier_gets_no_tokens():
    oidc_client, _secret = public_client()
    browser = Browser()
    logged_in(browser)
    _verifier, challenge = pkce()
    code = authorize_code(browser, oidc_client, challenge)
    other_verifier, _challenge = pkce()
    response = exchange_public(browser, oidc_client, code, other_verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_public_client_may_not_use_the_refresh_grant():
    oidc_client, _secret = public_client()
    browser = Browser()
    logged_in(browser)
    public_tokens(browser, oidc_client)
    response = browser.post(
        "/idporten/token",
        {"grant_type": "refresh_token", "client_id": oidc_client.client_id, "refresh_token": "anything"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


def test_public_client_cannot_introspect():
    oidc_client, _secret = public_client()
    browser = Browser()
    logged_in(browser)
    body = public_tokens(browser, oidc_client)
    response = browser.post(
        "/idporten/introspect", {"client_id": oidc_client.client_id, "token": body["access_token"]}
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "active" not in response.json()


def test_public_client_revokes_its_own_access_token_with_its_client_id():
    oidc_client, _secret = public_client()
    browser = Browser()
    logged_in(browser)
    body = public_tokens(browser, oidc_client)
    response = browser.post(
        "/idporten/revoke", {"client_id": oidc_client.client_id, "token": body["access_token"]}
    )
    assert response.status_code == 200
    assert AccessToken.objects.get(authorization__client=oidc_client).revoked_at is not None
    info = browser.get("/idporten/userinfo", HTTP_AUTHORIZATION="Bearer " + body["access_token"])
    assert info.status_code == 401


def test_public_client_cannot_revoke_another_clients_token():
    oidc_client, _secret = public_client()
    confidential, secret = client(name="Skatteetaten")
    browser = Browser()
    logged_in(browser)
    body = tokens(browser, confidential, secret)
    response = browser.post(
        "/idporten/revoke", {"client_id": oidc_client.client_id, "token": body["access_token"]}
    )
    assert response.status_code == 200  # RFC 7009 section 2.2: the same answer, nothing revoked
    assert AccessToken.objects.get(authorization__client=confidential).revoked_at is None


def test_confidential_client_with_only_its_client_id_is_refused_everywhere():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    verifier, challenge = pkce()
    code = authorize_code(browser, oidc_client, challenge)
    token = exchange_public(browser, oidc_client, code, verifier)
    assert token.status_code == 401
    assert token.json()["error"] == "invalid_client"
    assert token["WWW-Authenticate"].startswith("Basic")
    for path in ("/idporten/revoke", "/idporten/par"):
        form = {"token": "x"} if path.endswith("revoke") else authorize_params(oidc_client, challenge)
        response = browser.post(path, {**form, "client_id": oidc_client.client_id})
        assert response.status_code == 401, path
        assert response.json()["error"] == "invalid_client"
    assert AuditEvent.objects.filter(
        action="idporten.client_authentication_failed", object_id=oidc_client.client_id
    ).exists()
    # The code was not spent by the refused requests: with its secret the client still gets its tokens.
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }
    response = browser.post("/idporten/token", form, HTTP_AUTHORIZATION=basic_auth(oidc_client, secret))
    assert response.status_code == 200 and "refresh_token" in response.json()


def test_public_client_cannot_pretend_to_have_a_secret():
    oidc_client, _secret = public_client()
    browser = Browser()
    response = browser.post(
        "/idporten/token",
        {"grant_type": "refresh_token", "refresh_token": "x"},
        HTTP_AUTHORIZATION=basic_auth(oidc_client, ""),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_unknown_or_inactive_client_id_alone_is_invalid_client():
    oidc_client, _secret = public_client()
    Client.objects.filter(pk=oidc_client.pk).update(active=False)
    browser = Browser()
    for client_id in ("no-such-client", oidc_client.client_id):
        response = browser.post(
            "/idporten/token", {"grant_type": "authorization_code", "client_id": client_id, "code": "x"}
        )
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"


def test_public_client_pushes_its_authorization_request():
    """RFC 9126 section 2: the PAR endpoint authenticates as the token endpoint does, so a public
    client pushes with its client_id; the request is then used as any pushed one."""
    oidc_client, _secret = public_client()
    browser = Browser()
    logged_in(browser)
    verifier, challenge = pkce()
    pushed = browser.post("/idporten/par", authorize_params(oidc_client, challenge, state="pushed"))
    assert pushed.status_code == 201, pushed.content
    response = browser.get(
        "/idporten/authorize",
        {"client_id": oidc_client.client_id, "request_uri": pushed.json()["request_uri"]},
    )
    assert response.url.startswith(REDIRECT_URI)
    assert query(response.url)["state"] == "pushed"
    assert exchange_public(browser, oidc_client, query(response.url)["code"], verifier).status_code == 200


def test_discovery_lists_none_for_token_and_revocation_but_not_introspection():
    discovery = Browser().get("/.well-known/openid-configuration").json()
    assert "none" in discovery["token_endpoint_auth_methods_supported"]
    assert "none" in discovery["revocation_endpoint_auth_methods_supported"]
    assert "none" not in discovery["introspection_endpoint_auth_methods_supported"]
    assert "private_key_jwt" in discovery["introspection_endpoint_auth_methods_supported"]


def test_a_client_made_public_loses_its_secret():
    oidc_client, secret = client()
    oidc_client.auth_method = Client.AuthMethod.NONE
    services.update_client(oidc_client, changed_fields=["auth_method"], changed_by="test")
    oidc_client.refresh_from_db()
    assert oidc_client.secret_hash == ""
    response = Browser().post(
        "/idporten/introspect", {"token": "x"}, HTTP_AUTHORIZATION=basic_auth(oidc_client, secret)
    )
    assert response.status_code == 401


def test_origins_are_stored_as_browsers_send_them_and_bad_ones_refused():
    oidc_client, _secret = public_client(
        allowed_origins=["HTTPS://Spa.Example.no:443", "https://spa.example.no/", "http://localhost:5173"]
    )
    assert oidc_client.allowed_origins == ["https://spa.example.no", "http://localhost:5173"]
    for bad in (
        "http://spa.example.no",
        "https://spa.example.no/app",
        "https://spa.example.no?x=1",
        "spa.example.no",
    ):
        with pytest.raises(ValidationError) as raised:
            public_client(allowed_origins=[bad])
        assert "allowed_origins" in raised.value.message_dict, bad


# Registration in the admin


def test_the_admin_registers_a_public_client_with_its_origins_and_no_secret(admin_client):
    response = admin_client.post(
        ADD,
        form_data(
            auth_method=Client.AuthMethod.NONE,
            allowed_origins="https://App.Example.no\r\nhttp://localhost:5173/\r\n",
        ),
    )

    assert response.status_code == 302  # no page with a secret: there is none
    registered = Client.objects.get()
    assert registered.auth_method == Client.AuthMethod.NONE
    assert registered.secret_hash == ""
    assert registered.allowed_origins == ["https://app.example.no", "http://localhost:5173"]
    change_page = admin_client.get(reverse("admin:idporten_client_change", args=[registered.pk]))
    assert "https://app.example.no" in change_page.content.decode()


@pytest.mark.parametrize(
    ("origin", "code"),
    [
        ("http://app.example.no", "insecure_origin"),
        ("https://app.example.no/spa", "origin_path"),
        ("https://app.example.no/?x=1", "origin_path"),
        ("app.example.no", "invalid_origin"),
        ("https://user@app.example.no", "invalid_origin"),
    ],
)
def test_a_bad_origin_is_a_form_error(admin_client, origin, code):
    response = admin_client.post(ADD, form_data(allowed_origins=f"https://ok.example.no\n{origin}"))

    assert error_codes(response) == {"allowed_origins": [code]}
    assert not Client.objects.exists()


def test_a_public_client_registers_no_jwks(admin_client):
    jwks = json.dumps({"keys": [public_ec_jwk()]})
    response = admin_client.post(ADD, form_data(auth_method=Client.AuthMethod.NONE, jwks=jwks))

    assert error_codes(response) == {"jwks": ["public_jwks"]}


def test_a_public_client_gets_no_secret_by_a_reset_in_the_admin_or_the_service(admin_client):
    oidc_client, _secret = public_client()
    changelist = reverse("admin:idporten_client_changelist")

    response = admin_client.post(
        changelist,
        {"action": "reset_secret", "_selected_action": [oidc_client.pk], "confirmed": "yes"},
        follow=True,
    )

    assert [message.level_tag for message in response.context["messages"]] == ["error"]
    with pytest.raises(ValidationError):
        services.reset_secret(oidc_client, changed_by="test")
    oidc_client.refresh_from_db()
    assert oidc_client.secret_hash == ""
    assert not AuditEvent.objects.filter(action="idporten.client_secret_reset").exists()


def test_a_strangers_flood_of_token_requests_does_not_stop_citizens_logging_in_to_a_public_app(settings):
    settings.IDPORTEN_TOKEN_REQUESTS_PER_MINUTE = 3
    oidc_client, _secret = public_client()
    stranger = Browser(REMOTE_ADDR="203.0.113.66")
    flood = [
        stranger.post(
            "/idporten/token", {"grant_type": "authorization_code", "client_id": oidc_client.client_id}
        )
        for _ in range(4)
    ]
    assert [response.status_code for response in flood] == [400, 400, 400, 429]

    citizen = Browser(REMOTE_ADDR="198.51.100.7")
    logged_in(citizen)
    assert "access_token" in public_tokens(citizen, oidc_client)
