"""Schemathesis' hooks for the agency APIs (SCHEMATHESIS_HOOKS=tests/core/schemathesis_hooks.py, README):
a real Maskinporten token for a demo agency, got from POST /api/token with its enterprise certificate as
any agency's machine would, and got again before the 120 s token runs out; and what the schema's
formats mean, so that data it calls valid is valid: identity numbers with their check digits, and
documents (every base64 field of these APIs) that are PDFs."""

import base64
import datetime
import io
import os
import sys
from pathlib import Path

import requests
import schemathesis
from hypothesis import strategies as st
from pypdf import PdfWriter

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "examples")]
import krr_client  # noqa: E402

from folkeregister.identity import make_identity_number  # noqa: E402

# core.api.IDENTITY_NUMBER_FORMAT (core.api itself needs Django's settings, which this process has not).
IDENTITY_NUMBER_FORMAT = "personidentifikator"

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


def _identity_number(days: int, individual: int) -> str | None:
    # Synthetic numbers (month + 80), born 1940-1999, which no real person has.
    return make_identity_number(datetime.date(1940, 1, 1) + datetime.timedelta(days=days), individual)


def _pdf() -> str:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    content = io.BytesIO()
    writer.write(content)
    return base64.b64encode(content.getvalue()).decode()


schemathesis.openapi.format(
    IDENTITY_NUMBER_FORMAT,
    st.builds(_identity_number, st.integers(0, 21_900), st.integers(0, 499)).filter(bool),
)
schemathesis.openapi.format("byte", st.just(_pdf()))
