"""A single-page app in a real browser (Debian's Chromium): from the origin its public client
registers it exchanges a code at the token endpoint, calls userinfo with the bearer token (a
preflighted request) and reads the JWKS; the same calls from a page on an unregistered origin are
stopped by the browser itself."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from idporten.models import Client
from tests.idporten.factories import REDIRECT_URI, Browser, authorize_code, client, logged_in, pkce

pytestmark = pytest.mark.django_db(transaction=True)

APP_PAGE = b"<!doctype html><html lang='en'><head><title>App</title></head><body><h1>App</h1></body></html>"


class AppPage(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(APP_PAGE)))
        self.end_headers()
        self.wfile.write(APP_PAGE)

    def log_message(self, *args):
        pass


@pytest.fixture
def app_origins():
    """Two local web servers, each its own origin (another port than Felles'), serving an app page."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), AppPage) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield [f"http://127.0.0.1:{server.server_address[1]}" for server in servers]
    for server in servers:
        server.shutdown()
        server.server_close()


# What the app does: exchange the code, then call userinfo with the token, then read the JWKS.
APP_SCRIPT = """async ({felles, form}) => {
    const steps = {};
    try {
        const token = await fetch(felles + '/idporten/token', {method: 'POST', body: new URLSearchParams(form)});
        const body = await token.json();
        steps.token = token.status;
        steps.refresh_token = 'refresh_token' in body;
        const info = await fetch(felles + '/idporten/userinfo', {headers: {Authorization: 'Bearer ' + body.access_token}});
        steps.userinfo = info.status;
        steps.sub = (await info.json()).sub || null;
    } catch (error) {
        steps.error = error.name;
    }
    try {
        const jwks = await fetch(felles + '/idporten/jwks');
        steps.keys = (await jwks.json()).keys.length;
    } catch (error) {
        steps.jwks_error = error.name;
    }
    return steps;
}"""


def code_form(app) -> dict:
    browser = Browser()
    logged_in(browser)
    verifier, challenge = pkce()
    return {
        "grant_type": "authorization_code",
        "client_id": app.client_id,
        "code": authorize_code(browser, app, challenge),
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }


def run_app(browser, origin: str, felles: str, form: dict) -> dict:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(origin + "/")
        return page.evaluate(APP_SCRIPT, {"felles": felles, "form": form})
    finally:
        context.close()


def test_an_app_on_its_registered_origin_logs_in_and_one_elsewhere_is_stopped(
    browser, live_server, app_origins
):
    registered, unregistered = app_origins
    app, _secret = client(auth_method=Client.AuthMethod.NONE, allowed_origins=[registered])

    steps = run_app(browser, registered, live_server.url, code_form(app))

    assert steps == {
        "token": 200,
        "refresh_token": False,
        "userinfo": 200,
        "sub": steps["sub"],
        "keys": steps["keys"],
    }
    assert steps["sub"] and steps["keys"] >= 1

    # The same app's code used from a page on another origin: the browser hides every answer.
    stopped = run_app(browser, unregistered, live_server.url, code_form(app))

    assert stopped == {"error": "TypeError", "jwks_error": "TypeError"}
