"""An agency's machine sending a letter through Felles' digital post API, as a service owner would write it.

1. Get a Maskinporten access token for digitalpostinnbygger:send with maskinporten_client.py (kid or x5c).
2. POST the letter to /api/post/v1/forsendelser with an Idempotency-Key header: sending again with
   the same key (after a timeout, say) answers 200 with the same letter, never a second one.
3. Follow it with GET /api/post/v1/forsendelser/{id}, or poll the receipt feed and acknowledge.

    python examples/post_client.py --issuer http://127.0.0.1:8000/maskinporten/ --api http://127.0.0.1:8000 \\
        --client-id 5f2c… --key var/demo-certificates/974312344.key \\
        --certificate var/demo-certificates/974312344.pem \\
        --title "Vedtak om bostøtte" 01818012345 vedtak.pdf vedlegg.pdf

Only joserfc, cryptography and requests; nothing from Felles itself.
"""

import argparse
import base64
import json
import uuid
from pathlib import Path

import requests
from maskinporten_client import add_arguments, client_from

SCOPE = "digitalpostinnbygger:send"


class PostError(Exception):
    """The API refused: the HTTP status and its problem answer ({"code", "detail"})."""

    def __init__(self, status: int, answer: dict):
        super().__init__(f"{status} {answer.get('code')}: {answer.get('detail')}")
        self.status = status
        self.answer = answer


def _answer(response: requests.Response) -> dict:
    if response.status_code >= 400:
        try:
            answer = response.json()
        except ValueError:
            answer = {"detail": response.text}
        raise PostError(response.status_code, answer)
    return response.json()


def send_letter(
    session: requests.Session,
    api: str,
    token: str,
    *,
    idempotency_key: str,
    recipient: str,
    title: str,
    documents: list[tuple[str, bytes]],
    **fields,
) -> tuple[dict, bool]:
    """Send a letter; documents are (file name, PDF) with the main document first. Returns the
    letter and whether it is new (201) or was sent before with this key (200)."""
    body = {
        "mottaker": recipient,
        "tittel": title,
        "dokumenter": [
            {"tittel": Path(name).stem, "filnavn": name, "innhold": base64.b64encode(content).decode()}
            for name, content in documents
        ],
        **fields,
    }
    response = session.post(
        f"{api}/api/post/v1/forsendelser",
        json=body,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": idempotency_key},
        timeout=60,
    )
    return _answer(response), response.status_code == 201


def get_letter(session: requests.Session, api: str, token: str, letter_id: str) -> dict:
    response = session.get(
        f"{api}/api/post/v1/forsendelser/{letter_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    return _answer(response)


def pending_receipts(session: requests.Session, api: str, token: str) -> list[dict]:
    """Up to 100 unacknowledged receipts, oldest first."""
    response = session.get(
        f"{api}/api/post/v1/kvitteringer", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    return _answer(response)["kvitteringer"]


def acknowledge(session: requests.Session, api: str, token: str, receipt_id: int) -> dict:
    response = session.post(
        f"{api}/api/post/v1/kvitteringer/{receipt_id}/bekreft",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    return _answer(response)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser)
    parser.add_argument("--api", default="http://127.0.0.1:8000", help="Felles' base URL")
    parser.add_argument("--title", required=True, help="the title shown in notifications")
    parser.add_argument("--sensitive-title", default="", help="the title shown only after login")
    parser.add_argument("--level", type=int, choices=[3, 4], default=3, help="security level to open it")
    parser.add_argument("--digital-only", action="store_true", help="never print; fail instead")
    parser.add_argument("--idempotency-key", default=None, help="default: a new random key")
    parser.add_argument("--receipts", action="store_true", help="then print and acknowledge the feed")
    parser.add_argument("recipient", help="fødselsnummer or D-nummer")
    parser.add_argument("pdfs", nargs="+", type=Path, help="the main document, then attachments")
    arguments = parser.parse_args()
    client = client_from(arguments)
    token = client.token(SCOPE, consumer_org=arguments.consumer_org).access_token
    session = client.session
    letter, created = send_letter(
        session,
        arguments.api,
        token,
        idempotency_key=arguments.idempotency_key or str(uuid.uuid4()),
        recipient=arguments.recipient,
        title=arguments.title,
        documents=[(pdf.name, pdf.read_bytes()) for pdf in arguments.pdfs],
        sensitiv_tittel=arguments.sensitive_title,
        sikkerhetsnivaa=arguments.level,
        utskrift={"tillatt": not arguments.digital_only},
    )
    print(
        "Sent" if created else "Sent before with this key", json.dumps(letter, indent=2, ensure_ascii=False)
    )
    if arguments.receipts:
        for receipt in pending_receipts(session, arguments.api, token):
            print(json.dumps(receipt, ensure_ascii=False))
            acknowledge(session, arguments.api, token, receipt["id"])


if __name__ == "__main__":
    main()
