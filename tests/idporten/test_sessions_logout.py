"""The SSO session's lifetime, "my logins" and consent, and single logout (RP-initiated,
front-channel iframes and back-channel logout tokens)."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, quote

import pytest
from django.utils import timezone
from jose import jwt

from idporten.models import Authorization, Consent, SsoSession
from tests.idporten.factories import (
    Browser,
    authorize_params,
    client,
    logged_in,
    pkce,
    query,
    tokens,
    verified_claims,
)

pytestmark = pytest.mark.django_db

ISSUER = "http://testserver"
POST_LOGOUT = "https://tjeneste.example.no/logged-out"
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def end_session(browser, **params):
    return browser.get("/idporten/endsession", params)


def authorize(browser, oidc_client):
    return browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1]))


def csp_directives(response) -> dict:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.fixture
def logout_receiver(monkeypatch, settings):
    """A relying party's back-channel logout endpoint on loopback: its URL and the forms it received."""
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    settings.IDPORTEN_BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = True  # loopback: a test bed's setting
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append({"content_type": self.headers["Content-Type"], "form": parse_qs(body)})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/backchannel-logout", received
    server.shutdown()
    server.server_close()
    thread.join()


# RP-initiated logout


def test_logout_with_id_token_hint_ends_the_session():
    oidc_client, secret = client()
    browser = Browser()
    session = logged_in(browser)
    id_token = tokens(browser, oidc_client, secret)["id_token"]
    response = end_session(browser, id_token_hint=id_token, post_logout_redirect_uri=POST_LOGOUT, state="s1")
    assert response.status_code == 200
    session.refresh_from_db()
    assert session.ended_at is not None


def test_logout_revokes_what_every_client_got_in_the_session():
    oidc_client, secret = client()
    other, other_secret = client(name="Skatteetaten")
    browser = Browser()
    logged_in(browser)
    id_token = tokens(browser, oidc_client, secret)["id_token"]
    other_tokens = tokens(browser, other, other_secret)
    end_session(browser, id_token_hint=id_token, post_logout_redirect_uri=POST_LOGOUT)
    assert not Authorization.objects.filter(revoked_at__isnull=True).exists()
    userinfo = browser.get("/idporten/userinfo", HTTP_AUTHORIZATION="Bearer " + other_tokens["access_token"])
    assert userinfo.status_code == 401


def test_logout_page_sends_the_browser_to_the_post_logout_redirect_uri_with_state():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    id_token = tokens(browser, oidc_client, secret)["id_token"]
    response = end_session(browser, id_token_hint=id_token, post_logout_redirect_uri=POST_LOGOUT, state="s1")
    assert f'href="{POST_LOGOUT}?state=s1"' in response.content.decode()


def test_logout_posted_from_the_clients_page_ends_the_session():
    oidc_client, secret = client()
    browser = Browser(enforce_csrf_checks=True)
    session = logged_in(browser)
    id_token = tokens(browser, oidc_client, secret)["id_token"]
    form = {"id_token_hint": id_token, "post_logout_redirect_uri": POST_LOGOUT}
    assert browser.post("/idporten/endsession", form).status_code == 200
    session.refresh_from_db()
    assert session.ended_at is not None


def test_confirmed_logout_without_hint_goes_to_the_logged_out_page():
    browser = Browser()
    session = logged_in(browser)
    end_session(browser)  # asks first
    response = browser.post("/idporten/logg-ut/")
    assert 'data-logout-destination="/idporten/logget-ut/"' in response.content.decode()
    session.refresh_from_db()
    assert session.ended_at is not None


def test_unregistered_post_logout_redirect_uri_is_refused():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    id_token = tokens(browser, oidc_client, secret)["id_token"]
    response = end_session(browser, id_token_hint=id_token, post_logout_redirect_uri="https://evil.example/")
    assert response.status_code == 400
    assert not SsoSession.objects.filter(ended_at__isnull=False).exists()
    assert not Authorization.objects.filter(revoked_at__isnull=False).exists()


def test_post_logout_redirect_uri_without_hint_is_refused():
    browser = Browser()
    logged_in(browser)
    response = end_session(browser, post_logout_redirect_uri=POST_LOGOUT)
    assert response.status_code == 400
    assert not SsoSession.objects.filter(ended_at__isnull=False).exists()


def test_tampered_id_token_hint_is_refused():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    head, payload, signature = tokens(browser, oidc_client, secret)["id_token"].split(".")
    tampered = ".".join(
        [head, payload, signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]]
    )
    response = end_session(browser, id_token_hint=tampered, post_logout_redirect_uri=POST_LOGOUT)
    assert response.status_code == 400
    assert not SsoSession.objects.filter(ended_at__isnull=False).exists()


def test_hint_from_another_session_does_not_end_this_one():
    oidc_client, secret = client()
    earlier = Browser()
    logged_in(earlier)
    old_id_token = tokens(earlier, oidc_client, secret)["id_token"]
    browser = Browser()
    session = logged_in(browser)
    end_session(browser, id_token_hint=old_id_token, post_logout_redirect_uri=POST_LOGOUT)
    session.refresh_from_db()
    assert session.ended_at is None


def test_logout_button_ends_the_session():
    browser = Browser()
    session = logged_in(browser)
    assert browser.post("/idporten/logg-ut/").status_code == 200
    session.refresh_from_db()
    assert session.ended_at is not None


def test_after_logout_prompt_none_is_login_required():
    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser)
    browser.post("/idporten/logg-ut/")
    response = browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1], prompt="none"))
    assert query(response.url)["error"] == "login_required"


# Front-channel and back-channel logout


def two_frontchannel_clients_in_one_session(browser):
    first, first_secret = client(frontchannel_logout_uri="https://velferd.example.no/logout")
    second, second_secret = client(
        name="Skatteetaten", frontchannel_logout_uri="https://skatt.example.no/fc?app=1"
    )
    session = logged_in(browser)
    id_token = tokens(browser, first, first_secret)["id_token"]
    tokens(browser, second, second_secret)
    return session, id_token


def test_front_channel_logout_loads_each_clients_logout_uri_with_iss_and_sid():
    browser = Browser()
    session, id_token = two_frontchannel_clients_in_one_session(browser)
    page = end_session(browser, id_token_hint=id_token, post_logout_redirect_uri=POST_LOGOUT).content.decode()
    iss_and_sid = f"iss={quote(ISSUER, safe='')}&amp;sid={quote(session.sid, safe='')}"
    assert (
        f'<iframe class="idporten-logout-frame" src="https://velferd.example.no/logout?{iss_and_sid}"' in page
    )
    assert (
        f'<iframe class="idporten-logout-frame" src="https://skatt.example.no/fc?app=1&amp;{iss_and_sid}"'
        in page
    )


def test_front_channel_logout_page_may_frame_those_origins():
    browser = Browser()
    _session, id_token = two_frontchannel_clients_in_one_session(browser)
    response = end_session(browser, id_token_hint=id_token, post_logout_redirect_uri=POST_LOGOUT)
    frame_src = csp_directives(response).get("frame-src", [])
    assert "https://velferd.example.no" in frame_src
    assert "https://skatt.example.no" in frame_src


def test_back_channel_logout_posts_a_signed_logout_token(logout_receiver):
    url, received = logout_receiver
    oidc_client, secret = client(backchannel_logout_uri=url)
    browser = Browser()
    session = logged_in(browser)
    id_token = tokens(browser, oidc_client, secret)["id_token"]
    end_session(browser, id_token_hint=id_token, post_logout_redirect_uri=POST_LOGOUT)
    assert len(received) == 1
    assert received[0]["content_type"] == "application/x-www-form-urlencoded"
    logout_token = received[0]["form"]["logout_token"][0]
    claims = verified_claims(browser, logout_token, audience=oidc_client.client_id, issuer=ISSUER)
    assert claims["events"] == {LOGOUT_EVENT: {}}
    assert claims["sid"] == session.sid
    assert claims["aud"] == oidc_client.client_id
    assert claims["sub"] == jwt.get_unverified_claims(id_token)["sub"]
    assert "nonce" not in claims
    assert jwt.get_unverified_header(logout_token)["typ"] == "logout+jwt"


def test_back_channel_logout_is_sent_only_to_clients_in_the_session(logout_receiver):
    url, received = logout_receiver
    client(name="Not used", backchannel_logout_uri=url)
    browser = Browser()
    logged_in(browser)
    end_session(browser)
    assert received == []


# The session's lifetime


def test_idle_session_sends_a_new_request_to_the_picker():
    oidc_client, _secret = client()
    browser = Browser()
    session = logged_in(browser)
    SsoSession.objects.update(last_seen=timezone.now() - timedelta(seconds=1801))
    assert "/idporten/velg/" in authorize(browser, oidc_client).url
    session.refresh_from_db()
    assert session.ended_at is not None


def test_session_active_within_the_idle_window_is_used():
    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser)
    SsoSession.objects.update(last_seen=timezone.now() - timedelta(seconds=1700))
    assert "code" in query(authorize(browser, oidc_client).url)


def test_session_past_its_max_lifetime_sends_a_new_request_to_the_picker():
    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser)
    SsoSession.objects.update(created=timezone.now() - timedelta(seconds=7201))
    assert "/idporten/velg/" in authorize(browser, oidc_client).url


# My logins and consent


def test_my_logins_lists_the_services_logged_in_to():
    first, _secret = client(name="Velferdsetaten Min side")
    second, _secret = client(name="Skatteetaten Min skatt")
    browser = Browser()
    logged_in(browser)
    authorize(browser, first)
    authorize(browser, second)
    page = browser.get("/idporten/mine-innlogginger/").content.decode()
    assert "Velferdsetaten Min side" in page
    assert "Skatteetaten Min skatt" in page


def test_my_logins_without_session_lists_nothing():
    oidc_client, _secret = client(name="Velferdsetaten Min side")
    browser = Browser()
    logged_in(browser)
    authorize(browser, oidc_client)
    page = Browser().get("/idporten/mine-innlogginger/").content.decode()
    assert "Velferdsetaten Min side" not in page


def test_withdrawing_consent_is_stored():
    browser = Browser()
    session = logged_in(browser)
    response = browser.post("/idporten/mine-innlogginger/", {"action": "withdraw"})
    assert response.status_code == 302
    consent = Consent.objects.get(identity_number=session.identity_number)
    assert consent.withdrawn_at is not None


def test_after_withdrawn_consent_the_next_login_asks_for_consent_again():
    oidc_client, _secret = client()
    browser = Browser()
    logged_in(browser)
    browser.post("/idporten/mine-innlogginger/", {"action": "withdraw"})
    assert "/idporten/samtykke/" in authorize(browser, oidc_client).url


def test_logout_without_a_hint_asks_the_citizen_first():
    from idporten.models import SsoSession

    browser = Browser()
    logged_in(browser)
    response = browser.get("/idporten/endsession")
    assert response.status_code == 200
    assert 'action="/idporten/logg-ut/"' in response.content.decode()
    assert SsoSession.objects.filter(ended_at__isnull=True).exists()
