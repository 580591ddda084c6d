"""The whole signing through the real card agent and a virtual card in pcscd's vpcd reader: the
page's calls (the server's prepare and complete, the agent's certificate and sign) in the order
sign.js makes them, ending in a signature OpenSSL verifies against the issuer CA."""

import base64
import json

import pytest
import requests

from signering.models import Signeringsoppdrag
from tests.folkeregister.factories import make_person
from tests.postkasse.factories import pdf
from tests.signering.factories import CardIssuer, job
from tests.signering.test_services import openssl_verify
from tests.signering.test_views import log_in

pytestmark = pytest.mark.django_db
ORIGIN = "http://localhost:8000"  # the page's origin, as the agent is set up for it
PIN = "1234"


@pytest.fixture
def kari():
    return make_person(given_name="Kari", family_name="Nordmann")


@pytest.fixture
def issuer():
    return CardIssuer()


@pytest.fixture
def agent(settings, card_agent):
    running = card_agent(ORIGIN)
    settings.SMARTCARD_AGENT_URL = running.url
    return running


def ask_agent(agent, path: str, body: dict) -> requests.Response:
    return requests.post(agent.url + path, json=body, headers={"Origin": ORIGIN}, timeout=20)


def server(client, address: str, body: dict):
    return client.post(address, json.dumps(body), content_type="application/json")


def test_the_card_signs_through_the_agent_and_openssl_verifies_it(
    client,
    kari,
    issuer,
    agent,
    virtual_card,
    tmp_path,
):
    virtual_card(*issuer.card_pem(kari), pin=PIN)
    signing_job = job(kari)
    log_in(client, kari)

    certificate = ask_agent(agent, "/certificate", {}).json()["certificate"]
    prepared = server(client, f"/signering/{signing_job.pk}/forbered/", {"certificate": certificate})
    assert prepared.status_code == 200, prepared.content
    signed = ask_agent(
        agent, "/sign", {"digest": prepared.json()["digest"], "hashFunction": "SHA-256", "pin": PIN}
    )
    assert signed.status_code == 200, signed.content
    completed = server(
        client,
        f"/signering/{signing_job.pk}/fullfor/",
        {"signature": signed.json()["signature"], "certificate": signed.json()["certificate"]},
    )
    assert completed.status_code == 200, completed.content

    signing_job.refresh_from_db()
    assert signing_job.status == Signeringsoppdrag.Status.SIGNERT
    result = openssl_verify(tmp_path, bytes(signing_job.signature), pdf("Leiekontrakt"), issuer.pem, "-cades")
    assert result.returncode == 0, result.stderr
    assert base64.b64decode(certificate) in bytes(signing_job.signature)


def test_a_wrong_pin_signs_nothing_and_says_how_many_tries_are_left(
    client, kari, issuer, agent, virtual_card
):
    virtual_card(*issuer.card_pem(kari), pin=PIN, tries=3)
    signing_job = job(kari)
    log_in(client, kari)
    certificate = ask_agent(agent, "/certificate", {}).json()["certificate"]
    digest = server(client, f"/signering/{signing_job.pk}/forbered/", {"certificate": certificate}).json()[
        "digest"
    ]
    answer = ask_agent(agent, "/sign", {"digest": digest, "hashFunction": "SHA-256", "pin": "9999"})
    assert answer.json()["error"] == "wrong-pin" and answer.json()["triesLeft"] == 2
    signing_job.refresh_from_db()
    assert signing_job.status == Signeringsoppdrag.Status.VENTER and signing_job.signature is None
