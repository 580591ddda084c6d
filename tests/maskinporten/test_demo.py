"""make demo's Maskinporten clients: one per demo organisation, and a key a client can sign with."""

import json
import secrets
import time
from io import StringIO

import pytest
from django.core.management import call_command
from jose import jwt

from maskinporten.models import Client
from tests.maskinporten.factories import GRANT_TYPE, ISSUER
from virksomheter.demo import DEMO_ORGANISATIONS, seed_demo_organisations

pytestmark = pytest.mark.django_db


def test_every_demo_organisation_gets_a_client_and_the_key_gets_a_token(client, settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    seed_demo_organisations()
    output = StringIO()
    call_command("seed_demo_certificates", stdout=output)
    call_command("seed_demo_certificates", stdout=StringIO())  # idempotent
    assert Client.objects.count() == len(DEMO_ORGANISATIONS)
    velferd = Client.objects.get(organisation__organisasjonsnummer="974312344")
    assert velferd.client_id in output.getvalue() and velferd.keys.count() == 1
    path = tmp_path / "demo-certificates" / "974312344-client.jwk.json"
    assert path.stat().st_mode & 0o777 == 0o600
    private_jwk = json.loads(path.read_text())
    now = int(time.time())
    assertion = jwt.encode(
        {"aud": ISSUER, "iss": velferd.client_id, "scope": "krr:global/kontaktinformasjon.read", "iat": now,
         "exp": now + 60, "jti": secrets.token_urlsafe(8)},
        private_jwk, algorithm="RS256", headers={"kid": private_jwk["kid"]},
    )  # fmt: skip
    response = client.post("/maskinporten/token", {"grant_type": GRANT_TYPE, "assertion": assertion})
    assert response.status_code == 200, response.content
