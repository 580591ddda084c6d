"""A session that ends while the browser is not shown the logout page (idle or maximum lifetime
reached, or replaced by a new login such as a step-up) shows the clients' front-channel logout frames
(Front-Channel Logout 1.0) on the next page of Felles that browser opens, once, with a CSP that
lets the page frame them."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from idporten.models import SsoSession
from tests.idporten.factories import (
    Browser,
    authorize_params,
    client,
    logged_in,
    login_with_minid,
    pkce,
    tokens,
)

pytestmark = pytest.mark.django_db

ISSUER = "http://testserver"
FRONTCHANNEL = "https://velferd.example.no/fc"


def csp_frame_src(response) -> list[str]:
    policy = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    return directives.get("frame-src", [])


def frame(sid: str) -> str:
    return (
        f'<iframe class="idporten-logout-frame" src="{FRONTCHANNEL}?iss={quote(ISSUER, safe="")}'
        f'&amp;sid={quote(sid, safe="")}"'
    )


@pytest.fixture
def idle_session():
    """A browser whose session with a front-channel client has been idle past its limit."""
    oidc_client, secret = client(frontchannel_logout_uri=FRONTCHANNEL)
    browser = Browser()
    session = logged_in(browser)
    tokens(browser, oidc_client, secret)
    SsoSession.objects.update(last_seen=timezone.now() - timedelta(seconds=1801))
    return browser, oidc_client, session


def test_a_timed_out_session_shows_its_frames_on_the_next_page(idle_session):
    browser, oidc_client, session = idle_session
    response = browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1]))
    assert "/idporten/velg/" in response.url  # a redirect: no page shown yet
    session.refresh_from_db()
    assert session.end_reason == "timeout"
    assert session.frontchannel_shown_at is None

    picker = browser.get(response.url)
    assert frame(session.sid) in picker.content.decode()
    assert "https://velferd.example.no" in csp_frame_src(picker)
    session.refresh_from_db()
    assert session.frontchannel_shown_at is not None

    # Once only.
    again = browser.get(response.url)
    assert "idporten-logout-frame" not in again.content.decode()
    assert "https://velferd.example.no" not in csp_frame_src(again)


def test_the_frames_show_on_any_page_of_felles(idle_session):
    browser, oidc_client, session = idle_session
    browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1]))
    page = browser.get("/")
    assert frame(session.sid) in page.content.decode()
    assert "https://velferd.example.no" in csp_frame_src(page)


def test_a_page_that_ends_the_session_shows_the_frames_itself(idle_session):
    browser, _oidc_client, session = idle_session
    page = browser.get("/idporten/mine-innlogginger/")  # finds the session timed out
    assert frame(session.sid) in page.content.decode()
    session.refresh_from_db()
    assert (session.end_reason, session.frontchannel_shown_at is not None) == ("timeout", True)


def test_another_browser_is_not_shown_the_frames(idle_session):
    browser, oidc_client, session = idle_session
    browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1]))
    assert "idporten-logout-frame" not in Browser().get("/").content.decode()


def test_a_session_replaced_by_a_new_login_shows_its_frames_on_the_next_page():
    oidc_client, _secret = client(frontchannel_logout_uri=FRONTCHANNEL)
    browser = Browser()
    _response, user = login_with_minid(browser, oidc_client, pkce()[1])
    first = SsoSession.objects.get()
    login_with_minid(browser, oidc_client, pkce()[1], user=user, prompt="login")
    first.refresh_from_db()
    assert first.ended_at is not None
    assert first.end_reason == "replaced"
    second = SsoSession.objects.get(ended_at__isnull=True)

    page = browser.get("/idporten/mine-innlogginger/").content.decode()
    assert frame(first.sid) in page
    assert frame(second.sid) not in page
    first.refresh_from_db()
    assert first.frontchannel_shown_at is not None


def test_a_logout_that_shows_the_frames_owes_none():
    oidc_client, secret = client(frontchannel_logout_uri=FRONTCHANNEL)
    browser = Browser()
    session = logged_in(browser)
    tokens(browser, oidc_client, secret)
    logout_page = browser.post("/idporten/logg-ut/").content.decode()
    assert logout_page.count("idporten-logout-frame") == 1
    assert "idporten-logout-frame" not in browser.get("/").content.decode()
    session.refresh_from_db()
    assert session.frontchannel_shown_at is not None


def test_a_session_without_front_channel_clients_owes_nothing():
    oidc_client, secret = client()
    browser = Browser()
    logged_in(browser)
    tokens(browser, oidc_client, secret)
    SsoSession.objects.update(last_seen=timezone.now() - timedelta(seconds=1801))
    browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1]))
    assert "idporten.frontchannel_owed" not in browser.session
