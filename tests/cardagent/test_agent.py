"""The card agent's HTTP API, as the Felles web page uses it, against pcscd and the virtual card."""

import base64
import hashlib
import logging

import pytest
import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature

from cardagent import __version__
from tests.cardstack import READER, require_smartcard_stack, wait_for_card

from .conftest import ORIGIN, PIN

CHALLENGE = "c2FtZSBjaGFsbGVuZ2UgZm9yIGV2ZXJ5IHRlc3QgcnVu"  # 44 characters, like a base64 nonce
DIGEST = hashlib.sha256(b"the document").digest()


@pytest.fixture
def agent(card_agent):
    return card_agent(ORIGIN)


def get(agent, path, origin=ORIGIN):
    return requests.get(agent.url + path, headers={"Origin": origin}, timeout=10)


def post(agent, path, body=None, origin=ORIGIN):
    return requests.post(agent.url + path, json=body or {}, headers={"Origin": origin}, timeout=10)


def public_key(identity):
    return x509.load_pem_x509_certificate(identity[0]).public_key()


def der_signature(raw: bytes) -> bytes:
    return encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))


def certificate_der(identity) -> bytes:
    return x509.load_pem_x509_certificate(identity[0]).public_bytes(serialization.Encoding.DER)


def test_status_shows_the_reader_and_the_card(agent, card):
    response = get(agent, "/status")
    assert response.status_code == 200
    assert response.json() == {
        "version": __version__,
        "origin": ORIGIN,
        "readers": [READER],
        "cardPresent": True,
        "pinEntry": "page",
    }
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Vary"] == "Origin"


def test_status_without_a_card(agent, card):
    card.remove()
    wait_for_card(present=False)
    assert get(agent, "/status").json()["cardPresent"] is False


def test_certificate_needs_no_pin(agent, card, identity):
    response = post(agent, "/certificate")
    assert response.status_code == 200
    assert base64.b64decode(response.json()["certificate"]) == certificate_der(identity)
    assert card.tries_left == 3


def test_authentication_token_is_signed_over_origin_and_challenge(agent, card, identity):
    response = post(agent, "/authenticate", {"challenge": CHALLENGE, "pin": PIN})
    assert response.status_code == 200
    token = response.json()
    assert {key: token[key] for key in ("format", "algorithm", "appVersion")} == {
        "format": "web-eid:1.0",
        "algorithm": "ES256",
        "appVersion": "felles-cardagent/1.0",
    }
    assert base64.b64decode(token["unverifiedCertificate"]) == certificate_der(identity)
    signed = hashlib.sha256(ORIGIN.encode()).digest() + hashlib.sha256(CHALLENGE.encode()).digest()
    signature = der_signature(base64.b64decode(token["signature"]))
    public_key(identity).verify(signature, signed, ec.ECDSA(hashes.SHA256()))


def test_authentication_token_does_not_verify_for_another_origin(agent, card, identity):
    token = post(agent, "/authenticate", {"challenge": CHALLENGE, "pin": PIN}).json()
    signed = hashlib.sha256(b"https://evil.example").digest() + hashlib.sha256(CHALLENGE.encode()).digest()
    with pytest.raises(InvalidSignature):
        public_key(identity).verify(
            der_signature(base64.b64decode(token["signature"])), signed, ec.ECDSA(hashes.SHA256())
        )


def test_sign_signs_the_digest_as_given(agent, card, identity):
    body = {"digest": base64.b64encode(DIGEST).decode(), "hashFunction": "SHA-256", "pin": PIN}
    response = post(agent, "/sign", body)
    assert response.status_code == 200
    result = response.json()
    assert result["algorithm"] == "ES256"
    assert base64.b64decode(result["certificate"]) == certificate_der(identity)
    signature = der_signature(base64.b64decode(result["signature"]))
    public_key(identity).verify(signature, DIGEST, ec.ECDSA(Prehashed(hashes.SHA256())))


def test_wrong_pin_counts_down(agent, card):
    body = {"challenge": CHALLENGE, "pin": "0000"}
    first, second = post(agent, "/authenticate", body), post(agent, "/authenticate", body)
    assert (first.status_code, first.json()["error"], first.json()["triesLeft"]) == (422, "wrong-pin", 2)
    assert (second.status_code, second.json()["triesLeft"]) == (422, 1)
    assert second.json()["message"] == "Wrong PIN. 1 try left."
    assert card.tries_left == 1


def test_right_pin_after_a_wrong_one_restores_the_tries(agent, card):
    post(agent, "/authenticate", {"challenge": CHALLENGE, "pin": "0000"})
    assert post(agent, "/authenticate", {"challenge": CHALLENGE, "pin": PIN}).status_code == 200
    assert card.tries_left == 3


def test_third_wrong_pin_blocks_the_card_for_good(agent, card):
    for _ in range(2):
        post(agent, "/authenticate", {"challenge": CHALLENGE, "pin": "0000"})
    third = post(agent, "/authenticate", {"challenge": CHALLENGE, "pin": "0000"})
    assert (third.status_code, third.json()["error"]) == (423, "pin-blocked")
    assert "triesLeft" not in third.json()
    right = post(
        agent, "/sign", {"digest": base64.b64encode(DIGEST).decode(), "hashFunction": "SHA-256", "pin": PIN}
    )
    assert (right.status_code, right.json()["error"]) == (423, "pin-blocked")
    assert card.blocked


def test_no_reader(card_agent, card):
    agent = card_agent(ORIGIN, reader="No such reader")
    response = post(agent, "/certificate")
    assert (response.status_code, response.json()["error"]) == (503, "no-reader")
    assert get(agent, "/status").json()["readers"] == []


def test_no_card(agent, card):
    card.remove()
    wait_for_card(present=False)
    response = post(agent, "/authenticate", {"challenge": CHALLENGE, "pin": PIN})
    assert (response.status_code, response.json()["error"]) == (409, "no-card")
    assert response.json()["message"] == "There is no card in the reader. Insert your eID card and try again."


def test_card_pulled_out_while_the_agent_works(agent, card):
    card.remove_after(4)  # SELECT applet, SELECT file, READ BINARY, then gone during the next command
    response = post(agent, "/authenticate", {"challenge": CHALLENGE, "pin": PIN})
    assert (response.status_code, response.json()["error"]) == (409, "card-removed")
    assert card.tries_left == 3


def test_card_without_the_applet(agent, card):
    card.applet.process = lambda command: bytes.fromhex("6A82")
    response = post(agent, "/certificate")
    assert (response.status_code, response.json()["error"]) == (422, "not-eid-card")


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "https://felles.example.evil.example", "null", ""]
)
def test_another_origin_is_refused_without_cors_headers(agent, card, origin):
    for response in (
        get(agent, "/status", origin=origin),
        post(agent, "/authenticate", {"challenge": CHALLENGE, "pin": PIN}, origin=origin),
        requests.options(agent.url + "/authenticate", headers={"Origin": origin}, timeout=10),
    ):
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden-origin"
        assert not [name for name in response.headers if name.lower().startswith("access-control-")]
    assert card.tries_left == 3


def test_request_for_another_host_name_is_refused(agent, card):
    # A page that rebinds its own DNS name to 127.0.0.1 sends its own name as Host.
    response = requests.get(
        agent.url + "/status", headers={"Origin": ORIGIN, "Host": f"rebound.example:{agent.port}"}, timeout=10
    )
    assert response.status_code == 403


def test_preflight_allows_the_origin_and_private_network_access(agent):
    response = requests.options(
        agent.url + "/authenticate",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
            "Access-Control-Request-Private-Network": "true",
        },
        timeout=10,
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST"
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert response.headers["Access-Control-Allow-Private-Network"] == "true"
    assert response.headers["Vary"] == "Origin"


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/authenticate", {"challenge": "x" * 31, "pin": PIN}, "The challenge must be a string of 32 to 256"),
        (
            "/authenticate",
            {"challenge": "x" * 257, "pin": PIN},
            "The challenge must be a string of 32 to 256",
        ),
        ("/authenticate", {"challenge": 12345, "pin": PIN}, "The challenge must be a string"),
        ("/authenticate", {"challenge": CHALLENGE, "pin": "123"}, "The PIN must be 4 digits."),
        ("/authenticate", {"challenge": CHALLENGE, "pin": 1234}, "The PIN must be 4 digits."),
        ("/authenticate", {"challenge": CHALLENGE, "pin": "١٢٣٤"}, "The PIN must be 4 digits."),
        ("/sign", {"digest": "AAAA", "hashFunction": "SHA-256", "pin": PIN}, "The digest must be"),
        ("/sign", {"digest": "not base64!", "hashFunction": "SHA-256", "pin": PIN}, "The digest must be"),
        (
            "/sign",
            {"digest": base64.b64encode(DIGEST).decode(), "hashFunction": "SHA-1", "pin": PIN},
            "The hashFunction must be",
        ),
    ],
)
def test_bad_requests_leave_the_card_alone(agent, card, path, body, message):
    response = post(agent, path, body)
    assert (response.status_code, response.json()["error"]) == (400, "bad-request")
    assert response.json()["message"].startswith(message)
    assert card.tries_left == 3


def test_body_must_be_a_json_object(agent, card):
    headers = {"Origin": ORIGIN, "Content-Type": "application/json"}
    not_json = requests.post(agent.url + "/authenticate", data=b"{pin", headers=headers, timeout=10)
    array = requests.post(agent.url + "/authenticate", data=b"[]", headers=headers, timeout=10)
    form = requests.post(
        agent.url + "/authenticate", data={"pin": PIN}, headers={"Origin": ORIGIN}, timeout=10
    )
    assert [not_json.status_code, array.status_code, form.status_code] == [400, 400, 415]
    assert {not_json.json()["error"], array.json()["error"], form.json()["error"]} == {"bad-request"}


def test_unknown_path(agent):
    response = get(agent, "/certificate")
    assert (response.status_code, response.json()["error"]) == (404, "bad-request")


def test_access_log_has_no_pin_and_no_body(agent, card, caplog):
    with caplog.at_level(logging.INFO, logger="cardagent.server"):
        post(agent, "/authenticate", {"challenge": CHALLENGE, "pin": "9731"})
    assert '"POST /authenticate HTTP/1.1" 422' in caplog.text
    assert "9731" not in caplog.text
    assert CHALLENGE not in caplog.text


@pytest.mark.parametrize(
    "origin",
    ["https://felles.example/", "http://felles.example", "https://felles.example:443", "HTTPS://x.no", "*"],
)
def test_agent_refuses_to_start_for_something_that_is_not_an_https_origin(origin):
    with pytest.raises(ValueError):
        validate_origin(origin)


def test_plain_http_is_allowed_for_a_page_on_this_computer():
    assert validate_origin("http://localhost:8000") == "http://localhost:8000"


def validate_origin(origin):
    require_smartcard_stack()  # the server module needs pyscard
    from cardagent.server import validate_origin

    return validate_origin(origin)
