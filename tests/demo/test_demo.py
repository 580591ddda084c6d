"""The demo services against a live server: the citizen's browser is a requests session, and the
demo talks to ID-porten over HTTP like any relying party."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from core.models import OutboundSms
from demo.services import DEFAULT_BASE_URLS, seed_demo_clients
from idporten.models import LOA_SUBSTANTIAL, Client, SsoSession
from tests.minid.factories import PASSWORD, registered_user

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def demo_files(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"


def form_post(
    browser: requests.Session, page: requests.Response, action: str = "", **data
) -> requests.Response:
    """Submit a form on the page as a browser would, with its CSRF token."""
    token = CSRF_INPUT.search(page.text).group(1)
    return browser.post(action or page.url, {"csrfmiddlewaretoken": token, **data}, timeout=10)


def log_in_with_minid(browser: requests.Session, picker: requests.Response, user) -> requests.Response:
    login_page = browser.get(picker.url + "minid/", timeout=10)
    assert "/minid/logg-inn/" in login_page.url
    code_page = form_post(browser, login_page, fodselsnummer=user.person.identity_number, password=PASSWORD)
    assert "/minid/logg-inn/kode/" in code_page.url
    sms = OutboundSms.objects.filter(to=user.mobile).order_by("-id").first()
    code = re.search(r"\b([A-Z2-9]{5})\b", sms.text).group(1)
    consent = form_post(browser, code_page, code=code)
    assert "/idporten/samtykke/" in consent.url
    return form_post(browser, consent, answer="yes")


def visited(response: requests.Response) -> list[str]:
    return [step.url for step in response.history] + [response.url]


@pytest.mark.django_db(transaction=True)
def test_citizen_logs_in_to_one_service_gets_single_sign_on_to_the_other_and_logs_out_of_both(live_server):
    base = live_server.url
    seed_demo_clients(base_urls=[base])
    user = registered_user()[0]
    pid = user.person.identity_number
    browser = requests.Session()

    picker = browser.get(f"{base}/demo/velferd/login", timeout=10)
    assert "/idporten/velg/" in picker.url
    velferd = log_in_with_minid(browser, picker, user)

    assert velferd.status_code == 200
    assert velferd.url == f"{base}/demo/velferd/"
    assert pid in velferd.text
    assert LOA_SUBSTANTIAL in velferd.text

    lanefond = browser.get(f"{base}/demo/lanefond/login", timeout=10)

    assert lanefond.url == f"{base}/demo/lanefond/"
    assert pid in lanefond.text
    assert not [url for url in visited(lanefond) if "/minid/" in url or "/idporten/velg/" in url]

    velferd = browser.get(f"{base}/demo/velferd/", timeout=10)
    logout_page = form_post(browser, velferd, f"{base}/demo/velferd/logout")

    assert "/idporten/endsession" in logout_page.url
    frames = [html.unescape(src) for src in re.findall(r'<iframe[^>]* src="([^"]+)"', logout_page.text)]
    assert sorted(frame.split("?")[0] for frame in frames) == [
        f"{base}/demo/lanefond/frontchannel-logout",
        f"{base}/demo/velferd/frontchannel-logout",
    ]
    for frame in frames:
        answer = browser.get(frame, timeout=10)
        assert answer.status_code == 200
        assert answer.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in answer.headers["Content-Security-Policy"]
    destination = html.unescape(re.search(r'data-logout-destination="([^"]+)"', logout_page.text).group(1))
    assert destination.split("?")[0] == f"{base}/demo/velferd/"
    for slug in ("velferd", "lanefond"):
        page = browser.get(f"{base}/demo/{slug}/", timeout=10)
        assert pid not in page.text
        assert f"/demo/{slug}/login" in page.text
    assert SsoSession.objects.get().ended_at is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("answer", [{"state": "someone-elses-state"}, {"iss": "https://evil.example"}])
def test_a_callback_with_another_state_or_issuer_is_refused(live_server, answer):
    base = live_server.url
    seed_demo_clients(base_urls=[base])
    browser = requests.Session()
    authorize = browser.get(f"{base}/demo/velferd/login", allow_redirects=False, timeout=10).headers[
        "Location"
    ]
    state = parse_qs(urlsplit(authorize).query)["state"][0]

    callback = browser.get(
        f"{base}/demo/velferd/callback",
        params={"code": "abc", "state": state, "iss": base, **answer},
        timeout=10,
    )

    assert callback.status_code == 400
    assert "/demo/velferd/login" in callback.text
    assert "You are logged in" not in callback.text


@pytest.mark.django_db(transaction=True)
def test_the_demo_seeded_for_port_8000_logs_in_where_it_is_served(live_server, settings):
    settings.DEBUG = True  # the demo runs in development
    seed_demo_clients(base_urls=list(DEFAULT_BASE_URLS))
    base = live_server.url
    assert not base.endswith(":8000")
    user = registered_user()[0]
    browser = requests.Session()

    picker = browser.get(f"{base}/demo/lanefond/login", timeout=10)
    assert "/idporten/velg/" in picker.url
    lanefond = log_in_with_minid(browser, picker, user)

    assert lanefond.status_code == 200
    assert lanefond.url == f"{base}/demo/lanefond/"
    assert user.person.identity_number in lanefond.text
    client = Client.objects.get(client_id="demo-lanefond")
    assert client.redirect_uris[0] == f"{base}/demo/lanefond/callback"
    assert f"{DEFAULT_BASE_URLS[0]}/demo/lanefond/callback" in client.redirect_uris
    assert client.frontchannel_logout_uri == f"{base}/demo/lanefond/frontchannel-logout"


@pytest.mark.django_db(transaction=True)
def test_outside_development_an_unregistered_address_gets_the_citizens_error_page(live_server, settings):
    settings.DEBUG = False
    seed_demo_clients(base_urls=list(DEFAULT_BASE_URLS))
    browser = requests.Session()
    browser.cookies.set(settings.LANGUAGE_COOKIE_NAME, "en")

    page = browser.get(f"{live_server.url}/demo/lanefond/login", timeout=10)

    assert page.status_code == 400
    assert "/idporten/authorize" in page.url
    assert "asked us to send you back to an address it has not registered with ID-porten" in page.text
    assert Client.objects.get(client_id="demo-lanefond").redirect_uris == [
        f"{base}/demo/lanefond/callback" for base in DEFAULT_BASE_URLS
    ]
