"""An agency's machine looking people up in KRR, as a service owner would write it.

1. Sign a JWT grant (RFC 7523) with the enterprise certificate's key, the certificate in x5c.
2. POST it to /api/token for a Maskinporten access token.
3. POST up to 1000 identity numbers to /api/krr/v1/personer with that token.

    python examples/krr_client.py --issuer http://127.0.0.1:8000 \\
        --certificate var/demo-certificates/974312344.pem --key var/demo-certificates/974312344.key \\
        01818012345 ...

Only python-jose, cryptography and requests; nothing from Felles itself.
"""

import argparse
import base64
import json
import secrets
import time

import requests
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from jose import jwt

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def jwt_grant(issuer: str, certificate_pem: bytes, key_pem: str, scope: str, client: str) -> str:
    certificate = x509.load_pem_x509_certificate(certificate_pem)
    now = int(time.time())
    claims = {
        "iss": client,
        "aud": issuer,
        "scope": scope,
        "iat": now,
        "exp": now + 100,
        "jti": secrets.token_urlsafe(16),
    }
    x5c = [base64.b64encode(certificate.public_bytes(Encoding.DER)).decode()]
    return jwt.encode(claims, key_pem, algorithm="RS256", headers={"x5c": x5c})


def access_token(session: requests.Session, issuer: str, grant: str) -> str:
    response = session.post(
        f"{issuer}/api/token", data={"grant_type": GRANT_TYPE, "assertion": grant}, timeout=10
    )
    if response.status_code != 200:
        raise SystemExit(f"Token refused: {response.status_code} {response.text}")
    return response.json()["access_token"]


def look_up(session: requests.Session, issuer: str, token: str, numbers: list[str]) -> list[dict]:
    response = session.post(
        f"{issuer}/api/krr/v1/personer",
        json={"personidentifikatorer": numbers},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["personer"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--issuer", default="http://127.0.0.1:8000")
    parser.add_argument("--certificate", required=True, help="the enterprise certificate (PEM)")
    parser.add_argument("--key", required=True, help="its private key (PEM)")
    parser.add_argument("--scope", default="krr:kontaktinformasjon")
    parser.add_argument("--client", default="example-client", help="the grant's iss")
    parser.add_argument("numbers", nargs="+", help="fødselsnummer or D-nummer, at most 1000")
    arguments = parser.parse_args()
    with open(arguments.certificate, "rb") as certificate, open(arguments.key) as key:
        grant = jwt_grant(arguments.issuer, certificate.read(), key.read(), arguments.scope, arguments.client)
    session = requests.Session()
    token = access_token(session, arguments.issuer, grant)
    print(
        json.dumps(look_up(session, arguments.issuer, token, arguments.numbers), indent=2, ensure_ascii=False)
    )


if __name__ == "__main__":
    main()
