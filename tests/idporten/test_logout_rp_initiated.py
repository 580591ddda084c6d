"""RP-initiated logout with client_id and a registered post_logout_redirect_uri but no id_token_hint
(RP-Initiated Logout 1.0 sections 2 to 4): the citizen is asked, a yes logs out everywhere and
returns to the client with its state, a no logs out nowhere, and a request naming an unknown client
or an unregistered URI is an error page, never a redirect."""

import re
from html import unescape
from urllib.parse import quote

import pytest

from core.models import AuditEvent
from idporten.models import Authorization, SsoSession
from tests.idporten.factories import Browser, client, logged_in, tokens

pytestmark = pytest.mark.django_db

ISSUER = "http://testserver"
POST_LOGOUT = "https://tjeneste.example.no/logged-out"


def hidden_fields(page: str) -> dict[str, str]:
    return {
        name: unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    }


def confirm(browser, form: dict, answer: str):
    """Post the confirmation page's form as the browser would, with the given answer."""
    return browser.post("/idporten/logg-ut/", {**form, "answer": answer})


@pytest.fixture
def citizen():
    """A citizen logged in to a client with a front-channel logout URI, in a browser that enforces CSRF."""
    oidc_client, secret = client(frontchannel_logout_uri="https://tjeneste.example.no/fc")
    browser = Browser(enforce_csrf_checks=True)
    session = logged_in(browser)
    tokens(browser, oidc_client, secret)
    return browser, oidc_client, session


@pytest.mark.parametrize("method", ["get", "post"])
def test_client_id_without_hint_asks_the_citizen_and_logs_out_nobody_yet(citizen, method):
    browser, oidc_client, session = citizen
    params = {"client_id": oidc_client.client_id, "post_logout_redirect_uri": POST_LOGOUT, "state": "s-1"}
    response = getattr(browser, method)("/idporten/endsession", params)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'action="/idporten/logg-ut/"' in page
    assert "Velferdsetaten Min side" in page  # the client that asks
    form = hidden_fields(page)
    assert form["client_id"] == oidc_client.client_id
    assert form["post_logout_redirect_uri"] == POST_LOGOUT
    assert form["state"] == "s-1"
    assert form["csrfmiddlewaretoken"]
    session.refresh_from_db()
    assert session.ended_at is None


def test_yes_logs_out_shows_the_frames_and_returns_to_the_client_with_state(citizen):
    browser, oidc_client, session = citizen
    page = browser.get(
        "/idporten/endsession",
        {"client_id": oidc_client.client_id, "post_logout_redirect_uri": POST_LOGOUT, "state": "s-1"},
    ).content.decode()
    response = confirm(browser, hidden_fields(page), "yes")
    assert response.status_code == 200
    logout_page = response.content.decode()
    assert f'data-logout-destination="{POST_LOGOUT}?state=s-1"' in logout_page
    sid = quote(session.sid, safe="")
    assert f'src="https://tjeneste.example.no/fc?iss={quote(ISSUER, safe="")}&amp;sid={sid}"' in logout_page
    session.refresh_from_db()
    assert session.ended_at is not None
    assert session.end_reason == "logout"
    assert session.frontchannel_shown_at is not None
    assert not Authorization.objects.filter(revoked_at__isnull=True).exists()
    ended = AuditEvent.objects.get(action="idporten.session_ended")
    assert ended.details["requested_by"] == oidc_client.client_id


def test_the_confirmation_needs_the_csrf_token(citizen):
    browser, oidc_client, session = citizen
    page = browser.get(
        "/idporten/endsession", {"client_id": oidc_client.client_id, "post_logout_redirect_uri": POST_LOGOUT}
    ).content.decode()
    form = {k: v for k, v in hidden_fields(page).items() if k != "csrfmiddlewaretoken"}
    assert confirm(browser, form, "yes").status_code == 403
    session.refresh_from_db()
    assert session.ended_at is None


def test_no_keeps_the_session_and_returns_to_the_client_with_state(citizen):
    browser, oidc_client, session = citizen
    page = browser.get(
        "/idporten/endsession",
        {"client_id": oidc_client.client_id, "post_logout_redirect_uri": POST_LOGOUT, "state": "s-2"},
    ).content.decode()
    response = confirm(browser, hidden_fields(page), "no")
    assert response.status_code == 302
    assert response.url == f"{POST_LOGOUT}?state=s-2"
    session.refresh_from_db()
    assert session.ended_at is None
    assert Authorization.objects.filter(revoked_at__isnull=True).exists()
    assert AuditEvent.objects.filter(
        action="idporten.logout_declined", object_id=oidc_client.client_id
    ).exists()
    my_logins = browser.get("/idporten/mine-innlogginger/")
    assert "idporten/my_logins.html" in [template.name for template in my_logins.templates]  # still logged in


@pytest.mark.parametrize(
    "params",
    [
        {"client_id": "no-such-client", "post_logout_redirect_uri": POST_LOGOUT},
        {"client_id": "no-such-client"},
        {"client_id": "__CLIENT__", "post_logout_redirect_uri": "https://evil.example/"},
    ],
    ids=["unknown client with uri", "unknown client", "unregistered uri"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_client_or_unregistered_uri_is_an_error_page(citizen, params, method):
    browser, oidc_client, session = citizen
    params = {k: (oidc_client.client_id if v == "__CLIENT__" else v) for k, v in params.items()}
    response = getattr(browser, method)("/idporten/endsession", params)
    assert response.status_code == 400
    assert "Location" not in response
    assert 'href="https://evil.example' not in response.content.decode()
    session.refresh_from_db()
    assert session.ended_at is None
    assert AuditEvent.objects.filter(action="idporten.logout_refused", outcome="denied").exists()


def test_a_uri_changed_in_the_confirmation_form_is_refused(citizen):
    browser, oidc_client, session = citizen
    page = browser.get(
        "/idporten/endsession", {"client_id": oidc_client.client_id, "post_logout_redirect_uri": POST_LOGOUT}
    ).content.decode()
    form = {**hidden_fields(page), "post_logout_redirect_uri": "https://evil.example/"}
    response = confirm(browser, form, "yes")
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.ended_at is None


def test_uri_of_another_client_is_refused(citizen):
    browser, oidc_client, _session = citizen
    other, _secret = client(name="Skatteetaten", post_logout_redirect_uris=["https://skatt.example.no/ut"])
    response = browser.get(
        "/idporten/endsession",
        {"client_id": oidc_client.client_id, "post_logout_redirect_uri": "https://skatt.example.no/ut"},
    )
    assert response.status_code == 400


def test_a_hint_that_fails_to_verify_is_not_rescued_by_client_id(citizen):
    browser, oidc_client, session = citizen
    response = browser.get(
        "/idporten/endsession",
        {
            "id_token_hint": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
            "client_id": oidc_client.client_id,
            "post_logout_redirect_uri": POST_LOGOUT,
        },
    )
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.ended_at is None


def test_hint_of_another_session_asks_and_keeps_the_way_back_to_the_client():
    oidc_client, secret = client()
    earlier = Browser()
    logged_in(earlier)
    old_id_token = tokens(earlier, oidc_client, secret)["id_token"]
    browser = Browser(enforce_csrf_checks=True)
    session = logged_in(browser)
    page = browser.get(
        "/idporten/endsession",
        {"id_token_hint": old_id_token, "post_logout_redirect_uri": POST_LOGOUT, "state": "s-3"},
    ).content.decode()
    form = hidden_fields(page)
    assert form["client_id"] == oidc_client.client_id
    response = confirm(browser, form, "yes")
    assert f'data-logout-destination="{POST_LOGOUT}?state=s-3"' in response.content.decode()
    session.refresh_from_db()
    assert session.ended_at is not None


def test_without_a_session_the_citizen_is_still_asked_and_then_returned(citizen):
    _browser, oidc_client, _session = citizen
    browser = Browser(enforce_csrf_checks=True)
    page = browser.get(
        "/idporten/endsession", {"client_id": oidc_client.client_id, "post_logout_redirect_uri": POST_LOGOUT}
    ).content.decode()
    response = confirm(browser, hidden_fields(page), "yes")
    assert f'data-logout-destination="{POST_LOGOUT}"' in response.content.decode()
    assert SsoSession.objects.filter(ended_at__isnull=True).count() == 1  # the other browser's


def test_logout_button_without_client_still_logs_out_to_the_logged_out_page():
    browser = Browser()
    session = logged_in(browser)
    response = browser.post("/idporten/logg-ut/")
    assert 'data-logout-destination="/idporten/logget-ut/"' in response.content.decode()
    session.refresh_from_db()
    assert session.ended_at is not None


def test_the_question_is_in_the_citizens_language_or_the_one_the_client_asks_for(citizen):
    browser, oidc_client, _session = citizen
    params = {"client_id": oidc_client.client_id, "post_logout_redirect_uri": POST_LOGOUT}
    bokmal = browser.get("/idporten/endsession", params).content.decode()
    assert "Vil du logge ut?" in bokmal
    assert f"{oidc_client.name} ber ID-porten logge deg ut." in bokmal
    assert f"Forbli innlogget og gå tilbake til {oidc_client.name}" in bokmal
    asked = browser.get("/idporten/endsession", {**params, "ui_locales": "se en"})
    assert "Do you want to log out?" in asked.content.decode()
    assert asked.cookies["felles_language"].value == "en"  # and on the pages after it
    response = confirm(browser, hidden_fields(asked.content.decode()), "yes")
    assert '<html lang="en"' in response.content.decode()
