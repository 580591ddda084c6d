"""Schemathesis' login to the agency APIs: a real Maskinporten token for a demo agency, got from
POST /api/token with its enterprise certificate as any agency's machine would, and got again before
the 120 s token runs out. Load with SCHEMATHESIS_HOOKS=tests.core.schemathesis_hooks (README)."""

import os
import sys
from pathlib import Path

import requests
import schemathesis

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
import krr_client  # noqa: E402

# Every scope the agency APIs know, so that each operation is reached with a sufficient token.
SCOPES = (
    "krr:kontaktinformasjon krr:digitalpost digitalpostinnbygger:send "
    "noark5:arkiv.les noark5:arkiv.skriv signering:oppdrag"
)
# Well inside the access token's 120 s.
REFRESH_SECONDS = 60


@schemathesis.auth(refresh_interval=REFRESH_SECONDS)
class MaskinportenToken:
    def get(self, case, context):
        issuer = os.environ.get("FELLES_ISSUER", "http://127.0.0.1:8000").rstrip("/")
        folder = Path(os.environ.get("FELLES_CERTIFICATES", "var/demo-certificates"))
        organisation = os.environ.get("FELLES_ORGANISATION", "974312344")
        grant = krr_client.jwt_grant(
            issuer,
            (folder / f"{organisation}.pem").read_bytes(),
            (folder / f"{organisation}.key").read_text(),
            SCOPES,
            "schemathesis",
        )
        response = requests.post(
            f"{issuer}/api/token",
            data={"grant_type": krr_client.GRANT_TYPE, "assertion": grant},
            timeout=10,
        )
        if response.status_code != 200:
            raise RuntimeError(f"No Maskinporten token: {response.status_code} {response.text}")
        return response.json()["access_token"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
