"""Level 4 end to end: the real card agent and a virtual card in pcscd's virtual reader sign what
the login page asks, as the page's script would have them do. Run with FELLES_VPCD_PORT=35964
when another test run uses the default reader."""

import json
import re
import urllib.error
import urllib.request

import pytest
from django.test import Client
from django.utils import timezone

from idporten.models import LOA_HIGH
from kontaktregister import services as kontaktregister
from kontaktregister.models import ContactRecord
from tests.idporten.factories import (
    REDIRECT_URI,
    authorize_params,
    client,
    exchange,
    minid_login,
    pkce,
    query,
    verified_claims,
)
from tests.minid.factories import registered_user
from tests.postkasse.factories import providers, send
from tests.smartcard.factories import ORIGIN, TestIssuer, pem_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def agent(card_agent, settings):
    agent = card_agent(ORIGIN)
    settings.SMARTCARD_AGENT_URL = agent.url
    return agent


@pytest.fixture
def buypass():
    return TestIssuer()


def ask_agent(page, pin: str) -> tuple[int, dict]:
    """What the login page's script does: POST the challenge and PIN to the agent the page names."""
    html = page.content.decode()
    agent_url = re.search(r'data-agent-url="([^"]+)"', html).group(1)
    challenge = re.search(r'data-challenge="([^"]+)"', html).group(1)
    request = urllib.request.Request(
        agent_url + "/authenticate",
        data=json.dumps({"challenge": challenge, "pin": pin}).encode(),
        headers={"Content-Type": "application/json", "Origin": ORIGIN},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the test's own agent
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def smartcard_login(browser, picker_url: str, pin: str = "1234"):
    """From the picker: choose Buypass, have the card sign, post its answer; returns the response."""
    login_url = browser.get(picker_url + "smartkort/buypass/").url
    page = browser.get(login_url)
    status, answer = ask_agent(page, pin)
    assert status == 200, answer
    return browser.post(login_url, {"token": json.dumps(answer), "next": query(login_url)["next"]})


def test_level_4_login_with_the_card_agent_and_a_virtual_card(browser, buypass, agent, virtual_card):
    user = registered_user()[0]
    virtual_card(*pem_pair(*buypass.card(user.person)))
    oidc_client, secret = client(may_receive_pid=True)
    verifier, challenge = pkce()
    picker = browser.get("/idporten/authorize", authorize_params(oidc_client, challenge, acr_values=LOA_HIGH))
    response = browser.get(smartcard_login(browser, picker.url).url)
    back = browser.post(response.url, {"answer": "yes"})  # consent to common login, the first time
    assert back.url.startswith(REDIRECT_URI)
    tokens = exchange(browser, oidc_client, secret, query(back.url)["code"], verifier).json()
    claims = verified_claims(browser, tokens["id_token"], audience=oidc_client.client_id)
    assert claims["acr"] == LOA_HIGH and claims["amr"] == ["Buypass"]
    assert claims["pid"] == user.person.identity_number


def test_a_wrong_pin_is_counted_by_the_card_and_logs_nobody_in(browser, buypass, agent, virtual_card):
    card = virtual_card(*pem_pair(*buypass.card(registered_user()[0].person)))
    oidc_client, _secret = client()
    picker = browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1], acr_values=LOA_HIGH))
    page = browser.get(browser.get(picker.url + "smartkort/buypass/").url)
    status, answer = ask_agent(page, "9999")
    assert status >= 400 and answer["error"] == "wrong-pin" and answer["triesLeft"] == 2
    assert card.tries_left == 2


def test_a_blocked_card_cannot_sign(browser, buypass, agent, virtual_card):
    virtual_card(*pem_pair(*buypass.card(registered_user()[0].person)), tries=0)
    oidc_client, _secret = client()
    picker = browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1], acr_values=LOA_HIGH))
    page = browser.get(browser.get(picker.url + "smartkort/buypass/").url)
    status, answer = ask_agent(page, "1234")
    assert status >= 400 and answer["error"] == "pin-blocked"


def test_a_level_4_letter_opens_after_a_step_up_from_a_minid_login(
    browser,
    buypass,
    agent,
    virtual_card,
    settings,
    tmp_path,
):
    user = registered_user()[0]
    person = user.person
    digipost = providers(settings, tmp_path)[0]
    ContactRecord.objects.create(person=person, email="kari@example.no", email_verified_at=timezone.now())
    kontaktregister.choose_mailbox(person.identity_number, digipost.identifier)
    letter, _created = send(person, security_level=4, title="Helseopplysninger")
    virtual_card(*pem_pair(*buypass.card(person)))

    # Level 3: MinID through the mailbox's login.
    picker = browser.get(browser.get("/postkasse/logg-inn/").url)
    to_minid = browser.get(picker.url + "minid/")
    final, _user = minid_login(browser, query(to_minid.url)["next"], user=user)
    consent = browser.get(final.url)
    callback = browser.post(consent.url, {"answer": "yes"})
    assert browser.get(callback.url).url == "/postkasse/"

    # The letter asks for level 4; the smartcard steps the session up and the letter opens.
    step_up = browser.get(f"/postkasse/brev/{letter.pk}/")
    assert "nivaa=4" in step_up.url
    picker = browser.get(browser.get(step_up.url).url)
    assert "/idporten/velg/" in picker.url
    callback = browser.get(smartcard_login(browser, picker.url).url)  # resume: consent is given already
    assert callback.url.startswith("http://localhost/postkasse/innlogget/")
    assert browser.get(callback.url).url == f"/postkasse/brev/{letter.pk}/"
    opened = browser.get(f"/postkasse/brev/{letter.pk}/")
    assert opened.status_code == 200 and "Helseopplysninger" in opened.content.decode()
    letter.refresh_from_db()
    assert letter.read and letter.opened_at is not None
