"""An agency's machine looking people up in KRR, written from Digdir's documentation of the
oppslagstjenesten REST API (docs.digdir.no, Kontaktregisteret: oppslagstjenesten_rest).

1. Get a Maskinporten token for krr:global/kontaktinformasjon.read (and krr:global/digitalpost.read
   for the mailbox and its certificate) with maskinporten_client.py: kid or x5c.
2. POST 1 to 1000 identity numbers to <krr>/rest/v2/personer with it:
   {"personidentifikatorer": [...]}, answered with {"personer": [...]}.

    python examples/krr_client.py --issuer http://127.0.0.1:8000/maskinporten/ --krr http://127.0.0.1:8000 \\
        --client-id 5f2c… --key var/demo-certificates/974312344.key \\
        --certificate var/demo-certificates/974312344.pem 01818012345 ...

Against Digdir's own: --issuer https://test.maskinporten.no/ --krr https://test.kontaktregisteret.no
"""

import argparse
import json

import requests
from maskinporten_client import MaskinportenError, add_arguments, client_from

KONTAKTINFORMASJON = "krr:global/kontaktinformasjon.read"
DIGITALPOST = "krr:global/digitalpost.read"
PERSONS_PATH = "/rest/v2/personer"
MAX_PERSONS = 1000


class KrrError(Exception):
    """KRR refused the lookup: the HTTP status and the answer's body."""

    def __init__(self, status: int, text: str):
        super().__init__(f"{status}: {text[:500]}")
        self.status = status
        self.text = text


def look_up(
    session: requests.Session,
    krr: str,
    access_token: str,
    numbers: list[str],
    *,
    include_unregistered: bool | None = None,
) -> list[dict]:
    """The persons KRR answers for up to 1000 fødselsnummer or D-nummer, in one call."""
    if not 1 <= len(numbers) <= MAX_PERSONS:
        raise ValueError(f"Between 1 and {MAX_PERSONS} numbers per call, not {len(numbers)}.")
    body = {"personidentifikatorer": numbers}
    if include_unregistered is not None:
        body["inkluderIkkeRegistrerte"] = include_unregistered
    response = session.post(
        f"{krr.rstrip('/')}{PERSONS_PATH}",
        json=body,
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        timeout=30,
    )
    if response.status_code != 200:
        raise KrrError(response.status_code, response.text)
    return response.json()["personer"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser)
    parser.add_argument("--krr", default="http://127.0.0.1:8000", help="KRR's base URL")
    parser.add_argument("--digital-post", action="store_true", help=f"also ask for {DIGITALPOST}")
    parser.add_argument("--include-unregistered", action="store_true", help="inkluderIkkeRegistrerte")
    parser.add_argument("numbers", nargs="+", help="fødselsnummer or D-nummer, at most 1000")
    arguments = parser.parse_args()
    scope = f"{KONTAKTINFORMASJON} {DIGITALPOST}" if arguments.digital_post else KONTAKTINFORMASJON
    try:
        client = client_from(arguments)
        token = client.token(scope, consumer_org=arguments.consumer_org)
        persons = look_up(
            client.session,
            arguments.krr,
            token.access_token,
            arguments.numbers,
            include_unregistered=arguments.include_unregistered or None,
        )
    except (MaskinportenError, KrrError) as refused:
        raise SystemExit(f"Refused: {refused}") from None
    print(json.dumps(persons, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
