"""Requests of the integrasjonspunkt tests through Django's test client."""

import copy
import json

from tests.eformidling.conftest import EXAMPLE_RECEIVER
from tests.postkasse.factories import pdf

VEDTAK = "urn:no:difi:profile:digitalpost:vedtak:ver1.0"
INFO = "urn:no:difi:profile:digitalpost:info:ver1.0"
OUT = "/api/messages/out"

DIGITAL = {
    "standardBusinessDocumentHeader": {
        "headerVersion": "1.0",
        "receiver": [{"identifier": {"value": EXAMPLE_RECEIVER, "authority": "iso6523-actorid-upis"}}],
        "documentIdentification": {
            "standard": "urn:no:difi:digitalpost:xsd:digital::digital",
            "typeVersion": "1.0",
            "type": "digital",
        },
        "businessScope": {"scope": [{"type": "ConversationId", "identifier": VEDTAK}]},
    },
    "digital": {
        "sikkerhetsnivaa": 3,
        "hoveddokument": "vedtak.pdf",
        "tittel": "Vedtak om bostøtte",
        "spraak": "NO",
        "digitalPostInfo": {"virkningsdato": "2022-02-14", "aapningskvittering": True},
        "varsler": {"epostTekst": "Du har fått et vedtak.", "smsTekst": "Du har fått et vedtak."},
    },
}


def digital(receiver=EXAMPLE_RECEIVER, **header_changes) -> dict:
    sbd = copy.deepcopy(DIGITAL)
    sbd["standardBusinessDocumentHeader"]["receiver"][0]["identifier"]["value"] = receiver
    sbd["standardBusinessDocumentHeader"].update(header_changes)
    return sbd


def create(client, auth, sbd):
    return client.post(
        OUT,
        json.dumps(sbd) if not isinstance(sbd, (str, bytes)) else sbd,
        content_type="application/json",
        **auth,
    )


def message_id(response) -> str:
    return response.json()["standardBusinessDocumentHeader"]["documentIdentification"]["instanceIdentifier"]


def upload(
    client, auth, mid, *, filename="vedtak.pdf", name="Vedtak", content=None, content_type="application/pdf"
):
    return client.put(
        f"{OUT}/{mid}",
        content if content is not None else pdf(),
        content_type=content_type,
        HTTP_CONTENT_DISPOSITION=f"attachment; name={name}; filename={filename}",
        **auth,
    )


def send(client, auth, mid):
    return client.post(f"{OUT}/{mid}", **auth)


def created_and_sent(client, auth, sbd=None) -> str:
    response = create(client, auth, sbd or digital())
    assert response.status_code == 200, response.content
    mid = message_id(response)
    assert upload(client, auth, mid).status_code == 200
    sent = send(client, auth, mid)
    assert sent.status_code == 200, sent.content
    return mid


def statuses(client, auth, mid) -> list[dict]:
    return client.get(f"/api/statuses/{mid}", **auth).json()["content"]


def assert_error(response, status: int, exception: str, message: str | None = None) -> dict:
    """Digdir's error body: timestamp, status, error, exception, message, path."""
    body = response.json()
    assert response.status_code == status, body
    assert list(body)[:6] == ["timestamp", "status", "error", "exception", "message", "path"]
    assert body["status"] == status and body["path"] == response.wsgi_request.path
    assert body["exception"].endswith(exception), body
    if message is not None:
        assert body["message"] == message, body
    return body
