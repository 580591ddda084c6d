"""The whole code flow through the endpoints, as a relying party and a browser see it."""

import base64

import pytest

from idporten.models import LOA_SUBSTANTIAL
from tests.idporten.factories import REDIRECT_URI, authorize_params, client, minid_login, pkce, query

pytestmark = pytest.mark.django_db


def basic(oidc_client, secret) -> str:
    return "Basic " + base64.b64encode(f"{oidc_client.client_id}:{secret}".encode()).decode()


def test_code_flow_from_authorize_to_userinfo(client_browser=None, **kwargs):
    from tests.idporten.factories import Browser as Client

    browser = Client()
    oidc_client, secret = client(may_receive_pid=True)
    verifier, challenge = pkce()
    response = browser.get("/idporten/authorize", authorize_params(oidc_client, challenge))
    assert response.status_code == 302 and "/idporten/velg/" in response.url
    picker = browser.get(response.url)
    assert "MinID" in picker.content.decode()
    to_minid = browser.get(response.url + "minid/")
    final, user = minid_login(browser, query(to_minid.url)["next"])
    resume = browser.get(final.url)
    assert "/idporten/samtykke/" in resume.url
    back = browser.post(resume.url, {"answer": "yes"})
    assert back.url.startswith(REDIRECT_URI)
    params = query(back.url)
    assert params["state"] == "state-123" and params["iss"] == "http://testserver"

    tokens = browser.post(
        "/idporten/token",
        {
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        HTTP_AUTHORIZATION=basic(oidc_client, secret),
    ).json()
    assert {"access_token", "id_token", "refresh_token"} <= tokens.keys()
    info = browser.get("/idporten/userinfo", HTTP_AUTHORIZATION="Bearer " + tokens["access_token"]).json()
    assert info["pid"] == user.person.identity_number
    assert info["acr"] == LOA_SUBSTANTIAL
