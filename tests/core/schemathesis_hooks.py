"""Schemathesis' hooks for the agency APIs (SCHEMATHESIS_HOOKS=tests/core/schemathesis_hooks.py, README):
a real Maskinporten token for a demo agency's client, got with its enterprise certificate through
examples/maskinporten_client.py as any agency's machine would, and got again before the 120 s token runs out; and what the schema's
formats mean, so that data it calls valid is valid: identity numbers with their check digits, and
documents (every base64 field of these APIs) that are PDFs."""

import base64
import datetime
import io
import os
import sys
from pathlib import Path

import schemathesis
from hypothesis import strategies as st
from pypdf import PdfWriter

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "examples")]
import maskinporten_client  # noqa: E402

from folkeregister.identity import make_identity_number  # noqa: E402

# core.api.IDENTITY_NUMBER_FORMAT (core.api itself needs Django's settings, which this process has not).
IDENTITY_NUMBER_FORMAT = "personidentifikator"

# Every scope the agency APIs know, so that each operation is reached with a sufficient token.
SCOPES = (
    "krr:global/kontaktinformasjon.read krr:global/digitalpost.read digitalpostinnbygger:send "
    "felles:noark5/arkiv.read felles:noark5/arkiv.write felles:signering/oppdrag"
)
# Velferdsetaten's demo client (maskinporten.demo), which seed_demo_maskinporten_clients registers with every scope.
DEMO_CLIENT_ID = "278ed930-0542-57ec-ba77-4b7b55cedb43"
# Well inside the access token's 120 s.
REFRESH_SECONDS = 60


@schemathesis.auth(refresh_interval=REFRESH_SECONDS)
class MaskinportenToken:
    def get(self, case, context):
        base = os.environ.get("FELLES_ISSUER", "http://127.0.0.1:8000").rstrip("/")
        folder = Path(os.environ.get("FELLES_CERTIFICATES", "var/demo-certificates"))
        organisation = os.environ.get("FELLES_ORGANISATION", "974312344")
        credentials = maskinporten_client.Credentials.from_files(
            os.environ.get("FELLES_CLIENT_ID", DEMO_CLIENT_ID),
            folder / f"{organisation}.key",
            certificate_path=folder / f"{organisation}.pem",
        )
        return (
            maskinporten_client.MaskinportenClient(f"{base}/maskinporten/", credentials)
            .token(SCOPES)
            .access_token
        )

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
