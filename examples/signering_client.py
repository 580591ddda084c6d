"""An agency's machine asking a citizen to sign a document at level 4, as a service owner would write it.

1. Get a Maskinporten access token for felles:signering/oppdrag with maskinporten_client.py (kid or x5c).
2. POST the job to /api/signering/v1/oppdrag: the PDF (or a text) and who must sign it. Send the
   citizen to the answer's signeringsadresse; they log in with their smartcard and sign there.
3. Follow it with GET /api/signering/v1/oppdrag/{id}. Once it is signed, GET .../signatur is the
   detached CMS signature, which `openssl cms -verify` checks against the card issuer's CA.

    python examples/signering_client.py --issuer http://127.0.0.1:8000/maskinporten/ --api http://127.0.0.1:8000 \\
        --client-id 5f2c… --key var/demo-certificates/974312344.key \\
        --certificate var/demo-certificates/974312344.pem --title "Leiekontrakt Storgata 1" 01818012345 kontrakt.pdf --wait --out kontrakt.pdf.p7s

Only joserfc, cryptography and requests; nothing from Felles itself.
"""

import argparse
import base64
import json
import time
from pathlib import Path

import requests
from maskinporten_client import add_arguments, client_from
from post_client import PostError, _answer

SCOPE = "felles:signering/oppdrag"
SigningError = PostError  # the API's refusals: the HTTP status and its problem answer {"code", "detail"}
WAITING = "venter"


def create_job(
    session: requests.Session,
    api: str,
    token: str,
    *,
    title: str,
    signer: str,
    pdf: bytes | None = None,
    text: str | None = None,
    **fields,
) -> dict:
    """Ask `signer` (fødselsnummer or D-nummer) to sign a PDF or a text; returns the job."""
    body = {"tittel": title, "signerer": signer, **fields}
    if pdf is not None:
        body["pdf"] = base64.b64encode(pdf).decode()
    else:
        body["tekst"] = text
    response = session.post(
        f"{api}/api/signering/v1/oppdrag",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    return _answer(response)


def get_job(session: requests.Session, api: str, token: str, job_id: str) -> dict:
    response = session.get(
        f"{api}/api/signering/v1/oppdrag/{job_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    return _answer(response)


def signature(session: requests.Session, api: str, token: str, job_id: str) -> bytes:
    """The detached CMS SignedData (DER); SigningError 409 not_signed while it is not signed."""
    response = session.get(
        f"{api}/api/signering/v1/oppdrag/{job_id}/signatur",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    if response.status_code >= 400:
        _answer(response)
    return response.content


def wait_for(session: requests.Session, api: str, token: str, job_id: str, *, every: float = 3.0) -> dict:
    """Poll until the citizen has signed or declined, or the job has expired."""
    while (job := get_job(session, api, token, job_id))["status"] == WAITING:
        time.sleep(every)
    return job


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser)
    parser.add_argument("--api", default="http://127.0.0.1:8000", help="Felles' base URL")
    parser.add_argument("--title", required=True, help="what the citizen is asked to sign")
    parser.add_argument("--return-url", default=None, help="where the citizen goes afterwards (https)")
    parser.add_argument("--wait", action="store_true", help="wait until the citizen has answered")
    parser.add_argument("--out", type=Path, default=None, help="with --wait: where to save the signature")
    parser.add_argument("signer", help="fødselsnummer or D-nummer of the one who must sign")
    parser.add_argument("document", type=Path, help="a PDF, or a .txt file whose UTF-8 text is signed")
    arguments = parser.parse_args()
    client = client_from(arguments)
    token = client.token(SCOPE, consumer_org=arguments.consumer_org).access_token
    session = client.session
    content = arguments.document.read_bytes()
    document = {"text": content.decode()} if arguments.document.suffix == ".txt" else {"pdf": content}
    extra = {"returadresse": arguments.return_url} if arguments.return_url else {}
    job = create_job(
        session, arguments.api, token, title=arguments.title, signer=arguments.signer, **document, **extra
    )
    print(f"Send the citizen to {job['signeringsadresse']}")
    if not arguments.wait:
        print(json.dumps(job, indent=2, ensure_ascii=False))
        return
    job = wait_for(session, arguments.api, token, job["id"])
    print(json.dumps(job, indent=2, ensure_ascii=False))
    if job["status"] == "signert" and arguments.out:
        arguments.out.write_bytes(signature(session, arguments.api, token, job["id"]))
        print(f"Signature saved to {arguments.out}")


if __name__ == "__main__":
    main()
