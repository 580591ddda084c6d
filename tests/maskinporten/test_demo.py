"""make demo's Maskinporten clients: one per demo organisation, and a key a client can sign with."""

import json
import secrets
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from jose import jwt

from core.models import AuditEvent
from maskinporten.models import Client, IssuedToken
from tests.maskinporten.factories import GRANT_TYPE, ISSUER
from virksomheter.demo import DEMO_ORGANISATIONS, seed_demo_organisations

pytestmark = pytest.mark.django_db


def seed(settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    seed_demo_organisations()
    call_command("seed_demo_certificates", stdout=StringIO())
    call_command("seed_demo_maskinporten_clients", stdout=StringIO())
    return Client.objects.get(organisation__organisasjonsnummer="974312344")


def token(browser, private_jwk: dict, client_id: str):
    now = int(time.time())
    assertion = jwt.encode(
        {"aud": ISSUER, "iss": client_id, "scope": "krr:global/kontaktinformasjon.read", "iat": now,
         "exp": now + 60, "jti": secrets.token_urlsafe(8)},
        private_jwk, algorithm="RS256", headers={"kid": private_jwk["kid"]},
    )  # fmt: skip
    return browser.post("/maskinporten/token", {"grant_type": GRANT_TYPE, "assertion": assertion})


def test_a_lost_private_key_is_revoked_through_the_service_and_replaced(client, settings, tmp_path):
    velferd = seed(settings, tmp_path)
    path = tmp_path / "demo-certificates" / "974312344-client.jwk.json"
    old = json.loads(path.read_text())
    assert token(client, old, velferd.client_id).status_code == 200
    path.unlink()
    call_command("seed_demo_maskinporten_clients", stdout=StringIO())
    new = json.loads(path.read_text())
    assert new["kid"] != old["kid"] and token(client, new, velferd.client_id).status_code == 200
    assert velferd.keys.get(kid=old["kid"]).revoked_at is not None
    assert AuditEvent.objects.filter(action="maskinporten.key_revoked", details={"kid": old["kid"]}).exists()
    assert IssuedToken.objects.filter(client_key__kid=old["kid"]).exists()  # kept, and refused
    assert token(client, old, velferd.client_id).status_code == 400


def test_seeding_again_keeps_the_key_that_matches_the_file(client, settings, tmp_path):
    velferd = seed(settings, tmp_path)
    call_command("seed_demo_maskinporten_clients", stdout=StringIO())
    assert velferd.keys.filter(revoked_at__isnull=True).count() == velferd.keys.count() == 1


def test_every_demo_organisation_gets_a_client_and_the_key_gets_a_token(client, settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    seed_demo_organisations()
    call_command("seed_demo_certificates", stdout=StringIO())
    output = StringIO()
    call_command("seed_demo_maskinporten_clients", stdout=output)
    call_command("seed_demo_maskinporten_clients", stdout=StringIO())  # idempotent
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


def test_the_command_refuses_without_debug_or_before_the_certificates(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo_maskinporten_clients", stdout=StringIO())
    settings.DEBUG = True
    with pytest.raises(CommandError, match="seed_demo_certificates"):
        call_command("seed_demo_maskinporten_clients", stdout=StringIO())
    assert not Client.objects.exists()
