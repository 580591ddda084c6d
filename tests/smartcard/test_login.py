"""The smartcard login through ID-porten's pages: the picker, the login page, back to the service
at level 4, and a step-up from a level-3 session. The card's answer is made here with its key;
test_end_to_end.py does the same through the real card agent and a virtual card."""

import json
import re

import pytest
from django.test import Client

from core.models import AuditEvent
from idporten.models import LOA_HIGH, SsoSession
from smartkort.models import LoginChallenge, Provider
from tests.folkeregister.factories import make_person
from tests.idporten.factories import (
    REDIRECT_URI,
    authorize_params,
    client,
    exchange,
    logged_in,
    pkce,
    query,
    verified_claims,
)
from tests.smartcard.factories import ORIGIN, TestIssuer, token

pytestmark = pytest.mark.django_db

AGENT = "http://127.0.0.1:24727"


@pytest.fixture
def browser():
    return Client(HTTP_HOST="localhost")  # the card agent serves http only for a page on this computer


@pytest.fixture
def buypass():
    return TestIssuer()


@pytest.fixture
def kari():
    return make_person(given_name="Kari", family_name="Nordmann")


def challenge_on(page) -> str:
    return re.search(r'data-challenge="([^"]+)"', page.content.decode()).group(1)


def to_login_page(browser, oidc_client, challenge, **extra):
    """Authorize at level 4, choose Buypass in the picker; returns the login page's URL and response."""
    response = browser.get(
        "/idporten/authorize", authorize_params(oidc_client, challenge, acr_values=LOA_HIGH, **extra)
    )
    assert "/idporten/velg/" in response.url
    chosen = browser.get(response.url + "smartkort/buypass/")
    return chosen.url, browser.get(chosen.url)


def log_in_with_card(browser, login_url, page, certificate, key):
    """Post what the card agent answers; follow to consent if asked. Returns the redirect to the client."""
    answer = token(certificate, key, challenge_on(page))
    response = browser.post(login_url, {"token": json.dumps(answer), "next": query(login_url)["next"]})
    assert response.status_code == 302, response.content.decode()
    response = browser.get(response.url)
    if "/idporten/samtykke/" in response.url:
        response = browser.post(response.url, {"answer": "yes"})
    return response


def test_the_picker_offers_the_smartcards_at_level_4_and_no_minid(browser, buypass):
    TestIssuer("Felles Test Commfides Person-High CA", Provider.COMMFIDES)
    oidc_client, _secret = client()
    response = browser.get(
        "/idporten/authorize", authorize_params(oidc_client, pkce()[1], acr_values=LOA_HIGH)
    )
    page = browser.get(response.url).content.decode()
    assert response.url + "smartkort/buypass/" in page and response.url + "smartkort/commfides/" in page
    assert response.url + "minid/" not in page and "Skaff deg MinID" not in page  # nor MinID's help
    assert "Smartkort fra Buypass med kortleser (sikkerhetsnivå 4)." in page


def test_the_picker_offers_the_smartcards_at_level_3_too(browser, buypass):
    oidc_client, _secret = client()
    response = browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1]))
    page = browser.get(response.url).content.decode()
    assert response.url + "minid/" in page and response.url + "smartkort/buypass/" in page
    assert "Skaff deg MinID" in page
    assert "smartkort/commfides/" not in page  # no active Commfides issuer here


def test_without_issuers_level_4_has_no_electronic_id(browser):
    oidc_client, _secret = client()
    response = browser.get(
        "/idporten/authorize", authorize_params(oidc_client, pkce()[1], acr_values=LOA_HIGH)
    )
    page = browser.get(response.url).content.decode()
    assert "smartkort/" not in page and "Ingen elektronisk ID på dette nivået" in page


def test_the_login_page_may_reach_the_card_agent_and_never_takes_the_pin(browser, buypass):
    oidc_client, _secret = client()
    _url, page = to_login_page(browser, oidc_client, pkce()[1])
    assert page.status_code == 200
    connect_src = re.search(r"connect-src ([^;]*)", page["Content-Security-Policy"]).group(1).split()
    assert connect_src == ["'self'", AGENT]
    html = page.content.decode()
    pin_input = re.search(r'<input[^>]*id="smartcard-pin"[^>]*>', html).group(0)
    assert "name=" not in pin_input
    assert f'data-agent-url="{AGENT}"' in html and "<noscript>" in html
    assert (
        'data-msg-pin-timeout="PIN-koden ble ikke skrevet inn i tide. Trykk Logg inn for å prøve igjen."'
        in html
    )
    row = LoginChallenge.objects.get(nonce=challenge_on(page))
    assert row.origin == ORIGIN and row.provider == Provider.BUYPASS


def test_other_pages_may_not_reach_the_card_agent(browser):
    assert AGENT not in browser.get("/idporten/mine-innlogginger/")["Content-Security-Policy"]


def test_an_unknown_provider_has_no_login_page(browser, buypass):
    assert browser.get("/smartkort/bankid/").status_code == 404
    assert browser.get("/smartkort/commfides/").status_code == 404  # no active issuer


def test_level_4_login_ends_at_the_service_with_acr_high_and_amr_buypass(browser, buypass, kari):
    oidc_client, secret = client(may_receive_pid=True)
    verifier, challenge = pkce()
    login_url, page = to_login_page(browser, oidc_client, challenge)
    back = log_in_with_card(browser, login_url, page, *buypass.card(kari))
    assert back.url.startswith(REDIRECT_URI)
    tokens = exchange(browser, oidc_client, secret, query(back.url)["code"], verifier).json()
    claims = verified_claims(browser, tokens["id_token"], audience=oidc_client.client_id)
    assert (
        claims["acr"] == LOA_HIGH and claims["amr"] == ["Buypass"] and claims["pid"] == kari.identity_number
    )
    session = SsoSession.objects.get(ended_at__isnull=True)
    assert session.acr == LOA_HIGH and session.amr == "Buypass"


def test_a_refused_card_stays_on_the_login_page_with_the_reason_and_a_new_challenge(browser, buypass, kari):
    oidc_client, _secret = client()
    login_url, page = to_login_page(browser, oidc_client, pkce()[1])
    certificate, key = buypass.card(kari)
    buypass.publish(certificate.serial_number)
    answer = token(certificate, key, challenge_on(page))
    response = browser.post(login_url, {"token": json.dumps(answer)})
    assert response.status_code == 400
    assert "Sertifikatet på kortet er trukket tilbake." in response.content.decode()
    assert challenge_on(response) != challenge_on(page)
    assert not SsoSession.objects.exists()


def test_the_answer_is_bound_to_this_browser(browser, buypass, kari):
    oidc_client, _secret = client()
    login_url, page = to_login_page(browser, oidc_client, pkce()[1])
    thief = Client(HTTP_HOST="localhost")
    answer = token(*buypass.card(kari), challenge_on(page))
    response = thief.post(login_url, {"token": json.dumps(answer)})
    assert response.status_code == 400
    assert "/idporten/velg/" in thief.get(query(login_url)["next"]).url  # not logged in: the picker
    assert AuditEvent.objects.get(action="smartkort.login_refused").details["code"] == "unknown_challenge"


def test_without_script_an_empty_answer_is_refused(browser, buypass):
    oidc_client, _secret = client()
    login_url, _page = to_login_page(browser, oidc_client, pkce()[1])
    response = browser.post(login_url, {"token": ""})
    assert response.status_code == 400 and "Svaret fra kortet kunne ikke brukes." in response.content.decode()


def test_a_level_3_session_steps_up_to_level_4_for_the_same_person(browser, buypass, kari):
    oidc_client, _secret = client()
    old = logged_in(browser, identity_number=kari.identity_number)
    login_url, page = to_login_page(browser, oidc_client, pkce()[1])
    assert (
        "Du er logget inn, men denne tjenesten krever"
        in browser.get(query(login_url)["next"], follow=True).content.decode()
    )
    page = browser.get(login_url)
    back = log_in_with_card(browser, login_url, page, *buypass.card(kari))
    assert back.url.startswith(REDIRECT_URI)
    old.refresh_from_db()
    assert old.ended_at is not None
    assert SsoSession.objects.get(ended_at__isnull=True).acr == LOA_HIGH
    assert not AuditEvent.objects.filter(action="idporten.session_person_changed").exists()


def test_a_card_of_another_person_ends_the_old_session_and_starts_one_for_the_card_holder(
    browser, buypass, kari
):
    oidc_client, _secret = client()
    old = logged_in(browser)
    login_url, page = to_login_page(browser, oidc_client, pkce()[1])
    log_in_with_card(browser, login_url, page, *buypass.card(kari))
    new = SsoSession.objects.get(ended_at__isnull=True)
    assert new.identity_number == kari.identity_number and new.acr == LOA_HIGH
    event = AuditEvent.objects.get(action="idporten.session_person_changed")
    assert event.actor == kari.identity_number and event.details["previous_person"] == old.identity_number
    ended = AuditEvent.objects.get(action="idporten.session_ended", actor=old.identity_number)
    assert ended.details["reason"] == "person_changed"


def test_a_level_4_login_also_serves_a_level_3_request(browser, buypass, kari):
    oidc_client, _secret = client()
    response = browser.get("/idporten/authorize", authorize_params(oidc_client, pkce()[1]))
    chosen = browser.get(response.url + "smartkort/buypass/")
    page = browser.get(chosen.url)
    back = log_in_with_card(browser, chosen.url, page, *buypass.card(kari))
    assert back.url.startswith(REDIRECT_URI)
    assert SsoSession.objects.get(ended_at__isnull=True).acr == LOA_HIGH


def test_logging_out_of_id_porten_forgets_the_card_login(browser, buypass, kari):
    oidc_client, _secret = client()
    login_url, page = to_login_page(browser, oidc_client, pkce()[1])
    log_in_with_card(browser, login_url, page, *buypass.card(kari))
    assert "smartkort.identity_number" in browser.session
    browser.post("/idporten/logg-ut/")
    assert "smartkort.identity_number" not in browser.session


def test_an_answer_nested_thousands_deep_is_refused_not_a_500(browser, buypass):
    oidc_client, _secret = client()
    login_url, _page = to_login_page(browser, oidc_client, pkce()[1])
    response = browser.post(login_url, {"token": "[" * 7000 + "]" * 7000})
    assert response.status_code == 400 and "Svaret fra kortet kunne ikke brukes." in response.content.decode()
