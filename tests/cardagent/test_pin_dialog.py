"""The card agent with its own PIN dialog (--pinentry): the page sends no PIN, the agent asks for it in a
pinentry program (here tests/fake_pinentry.py) and gives it to the card only."""

import base64
import hashlib
import logging

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature

from .conftest import ORIGIN, PIN

CHALLENGE = "c2FtZSBjaGFsbGVuZ2UgZm9yIGV2ZXJ5IHRlc3QgcnVu"
DIGEST = hashlib.sha256(b"the document").digest()
SIGN = {"digest": base64.b64encode(DIGEST).decode(), "hashFunction": "SHA-256"}


@pytest.fixture
def agent(card_agent, fake_pinentry):
    return card_agent(ORIGIN, pinentry=fake_pinentry.program)


def post(agent, path, body):
    return requests.post(agent.url + path, json=body, headers={"Origin": ORIGIN}, timeout=30)


def verify(identity, raw_signature: bytes, data: bytes, algorithm) -> None:
    signature = encode_dss_signature(int.from_bytes(raw_signature[:32]), int.from_bytes(raw_signature[32:]))
    x509.load_pem_x509_certificate(identity[0]).public_key().verify(signature, data, ec.ECDSA(algorithm))


def test_status_says_the_agent_asks_for_the_pin(agent, card):
    response = requests.get(agent.url + "/status", headers={"Origin": ORIGIN}, timeout=10)
    assert response.json()["pinEntry"] == "agent"


def test_authentication_with_the_pin_from_the_dialog(agent, card, identity, fake_pinentry):
    fake_pinentry.answer(PIN)
    response = post(agent, "/authenticate", {"challenge": CHALLENGE})
    assert response.status_code == 200
    signed = hashlib.sha256(ORIGIN.encode()).digest() + hashlib.sha256(CHALLENGE.encode()).digest()
    verify(identity, base64.b64decode(response.json()["signature"]), signed, hashes.SHA256())
    assert [name for name, _text in fake_pinentry.commands()] == [
        "SETTITLE",
        "SETDESC",
        "SETPROMPT",
        "SETTIMEOUT",
        "GETPIN",
        "BYE",
    ]
    assert fake_pinentry.texts("SETPROMPT") == ["PIN:"]
    assert fake_pinentry.texts("SETTIMEOUT") == ["120"]


def test_signing_with_the_pin_from_the_dialog(agent, card, identity, fake_pinentry):
    fake_pinentry.answer(PIN)
    response = post(agent, "/sign", SIGN)
    assert response.status_code == 200
    verify(identity, base64.b64decode(response.json()["signature"]), DIGEST, Prehashed(hashes.SHA256()))


def test_the_dialog_names_the_site_what_it_asks_for_and_the_card_holder(agent, card, fake_pinentry):
    fake_pinentry.answer(PIN, PIN)
    post(agent, "/authenticate", {"challenge": CHALLENGE})
    post(agent, "/sign", SIGN)
    assert fake_pinentry.texts("SETDESC") == [
        "https://felles.example asks you to log in with your eID card.\nCard holder: Test Testesen",
        "https://felles.example asks you to sign a document with your eID card.\nCard holder: Test Testesen",
    ]
    assert fake_pinentry.texts("SETTITLE") == ["Felles card agent", "Felles card agent"]


def test_after_a_wrong_pin_the_dialog_asks_again_with_the_tries_left(agent, card, fake_pinentry):
    fake_pinentry.answer("0000", PIN)
    response = post(agent, "/authenticate", {"challenge": CHALLENGE})
    assert response.status_code == 200
    assert fake_pinentry.texts("SETERROR") == ["Wrong PIN. 2 tries left."]
    assert len(fake_pinentry.texts("GETPIN")) == 2
    assert card.tries_left == 3


def test_the_dialog_stops_asking_when_the_card_blocks(agent, card, fake_pinentry):
    fake_pinentry.answer("0000", "0000", "0000", PIN)
    response = post(agent, "/sign", SIGN)
    assert (response.status_code, response.json()["error"]) == (423, "pin-blocked")
    assert fake_pinentry.texts("SETERROR") == ["Wrong PIN. 2 tries left.", "Wrong PIN. 1 try left."]
    assert len(fake_pinentry.texts("GETPIN")) == 3
    assert fake_pinentry.commands()[-1][0] == "BYE"
    assert card.blocked


def test_a_blocked_card_gets_no_dialog(agent, virtual_card, identity, fake_pinentry):
    virtual_card(*identity, pin=PIN, tries=0)
    fake_pinentry.answer(PIN)
    response = post(agent, "/authenticate", {"challenge": CHALLENGE})
    assert (response.status_code, response.json()["error"]) == (423, "pin-blocked")
    assert fake_pinentry.commands() == []


def test_a_pin_that_is_not_four_digits_is_asked_again_without_using_a_try(agent, card, fake_pinentry):
    fake_pinentry.answer("12", PIN)
    assert post(agent, "/authenticate", {"challenge": CHALLENGE}).status_code == 200
    assert fake_pinentry.texts("SETERROR") == ["The PIN is 4 digits."]
    assert card.tries_left == 3


def test_cancelling_the_dialog(agent, card, fake_pinentry):
    fake_pinentry.answer("cancel")
    response = post(agent, "/authenticate", {"challenge": CHALLENGE})
    assert (response.status_code, response.json()["error"]) == (409, "pin-cancelled")
    assert fake_pinentry.commands()[-1][0] == "BYE"
    assert card.tries_left == 3


def test_cancelling_after_a_wrong_pin_keeps_the_count(agent, card, fake_pinentry):
    fake_pinentry.answer("0000", "cancel")
    response = post(agent, "/sign", SIGN)
    assert (response.status_code, response.json()["error"]) == (409, "pin-cancelled")
    assert card.tries_left == 2


def test_the_dialogs_own_timeout(agent, card, fake_pinentry):
    fake_pinentry.answer("timeout")
    response = post(agent, "/authenticate", {"challenge": CHALLENGE})
    assert (response.status_code, response.json()["error"]) == (409, "pin-timeout")


def test_a_dialog_that_never_answers_times_out(agent, card, fake_pinentry):
    agent.pin_timeout = 0.2
    fake_pinentry.answer("hang")
    response = post(agent, "/authenticate", {"challenge": CHALLENGE})
    assert (response.status_code, response.json()["error"]) == (409, "pin-timeout")
    assert card.tries_left == 3


def test_a_dialog_that_fails_is_an_error_of_the_agent(agent, card, fake_pinentry, caplog):
    fake_pinentry.answer("crash")
    with caplog.at_level(logging.ERROR, logger="cardagent.server"):
        response = post(agent, "/authenticate", {"challenge": CHALLENGE})
    assert (response.status_code, response.json()["error"]) == (500, "internal-error")
    assert "The PIN dialog failed" in caplog.text and "ended without an answer" in caplog.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/authenticate", {"challenge": CHALLENGE, "pin": PIN}),
        ("/authenticate", {"challenge": CHALLENGE, "pin": None}),
        ("/sign", {**SIGN, "pin": PIN}),
    ],
)
def test_a_pin_from_the_page_is_refused(agent, card, fake_pinentry, path, body):
    fake_pinentry.answer(PIN)
    response = post(agent, path, body)
    assert (response.status_code, response.json()["error"]) == (400, "bad-request")
    assert "asks for the PIN in its own window" in response.json()["message"]
    assert fake_pinentry.commands() == []
    assert card.tries_left == 3


def test_the_pin_never_reaches_the_log(agent, virtual_card, identity, fake_pinentry, caplog):
    virtual_card(*identity, pin="5927")
    fake_pinentry.answer("8316", "5927")
    with caplog.at_level(logging.DEBUG):
        response = post(agent, "/authenticate", {"challenge": CHALLENGE})
    assert response.status_code == 200
    assert "Wrong PIN in the dialog; 2 tries left" in caplog.text
    assert "5927" not in caplog.text and "8316" not in caplog.text
