import hashlib
import json
import stat

import pytest
from django.core.management import CommandError, call_command

from core.models import AuditEvent
from demo.services import SERVICES, serve_at
from idporten import risk
from idporten.models import LOA_SUBSTANTIAL, Client

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def demo_settings(settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "demo-clients.json"


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def seed():
    call_command("seed_demo_clients")


def test_seeding_registers_both_demo_clients_and_keeps_their_secrets(demo_settings):
    seed()

    secrets = json.loads(demo_settings.read_text())
    assert set(secrets) == {"demo-velferd", "demo-lanefond"}
    assert stat.S_IMODE(demo_settings.stat().st_mode) == 0o600
    velferd = Client.objects.get(client_id="demo-velferd")
    assert velferd.organisation.organisasjonsnummer == "974312344"
    assert Client.objects.get(client_id="demo-lanefond").organisation.organisasjonsnummer == "964201013"
    assert velferd.secret_hash == sha256(secrets["demo-velferd"])
    assert velferd.redirect_uris == [
        f"{BASE}/demo/velferd/callback",
        "http://localhost:8000/demo/velferd/callback",
    ]
    assert velferd.post_logout_redirect_uris == [
        f"{BASE}/demo/velferd/",
        "http://localhost:8000/demo/velferd/",
    ]
    assert velferd.frontchannel_logout_uri == f"{BASE}/demo/velferd/frontchannel-logout"
    assert velferd.may_receive_pid
    assert velferd.auth_method == Client.AuthMethod.SECRET_BASIC


def test_seeding_again_changes_nothing(demo_settings):
    seed()
    before = demo_settings.read_text()

    seed()

    assert demo_settings.read_text() == before
    assert Client.objects.count() == 2
    assert not AuditEvent.objects.filter(action="idporten.client_secret_reset").exists()


def test_seeding_without_the_secrets_file_resets_the_secrets(demo_settings):
    seed()
    old = json.loads(demo_settings.read_text())
    demo_settings.unlink()

    seed()

    new = json.loads(demo_settings.read_text())
    assert new["demo-velferd"] != old["demo-velferd"]
    assert Client.objects.get(client_id="demo-velferd").secret_hash == sha256(new["demo-velferd"])
    assert AuditEvent.objects.filter(action="idporten.client_secret_reset").count() == 2


def test_seeding_is_refused_outside_development(settings, demo_settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        seed()

    assert not Client.objects.exists()
    assert not demo_settings.exists()


def test_seeding_for_another_address_gives_the_existing_clients_its_addresses(demo_settings):
    seed()
    secrets = demo_settings.read_text()

    call_command("seed_demo_clients", "--base-url", "http://127.0.0.1:8123/")

    velferd = Client.objects.get(client_id="demo-velferd")
    assert velferd.redirect_uris == [
        "http://127.0.0.1:8123/demo/velferd/callback",
        f"{BASE}/demo/velferd/callback",
        "http://localhost:8000/demo/velferd/callback",
    ]
    assert velferd.post_logout_redirect_uris[0] == "http://127.0.0.1:8123/demo/velferd/"
    assert velferd.frontchannel_logout_uri == "http://127.0.0.1:8123/demo/velferd/frontchannel-logout"
    assert Client.objects.get(client_id="demo-lanefond").redirect_uris[0] == (
        "http://127.0.0.1:8123/demo/lanefond/callback"
    )
    assert demo_settings.read_text() == secrets  # same clients, same secrets
    changed = AuditEvent.objects.filter(action="idporten.client_changed", actor="demo-seed")
    assert {event.object_id for event in changed} == {"demo-velferd", "demo-lanefond"}


def test_the_demo_clients_are_assessed_so_the_admin_does_not_ask(demo_settings):
    seed()

    velferd = Client.objects.get(client_id="demo-velferd")
    assert {row.field_name: getattr(velferd, row.field_name) for row in risk.ROWS} == {
        row.field_name: 2 for row in risk.ROWS
    }
    assert velferd.minimum_level == LOA_SUBSTANTIAL


def test_in_development_a_new_local_address_is_registered_at_login(demo_settings):
    seed()

    serve_at(SERVICES["velferd"], "http://localhost:8123/")

    assert Client.objects.get(client_id="demo-velferd").redirect_uris[0] == (
        "http://localhost:8123/demo/velferd/callback"
    )
    assert Client.objects.get(client_id="demo-lanefond").redirect_uris[0] == f"{BASE}/demo/lanefond/callback"


@pytest.mark.parametrize("address", ["http://192.0.2.10:8000/", "http://felles.example.no/"])
def test_a_plain_http_address_off_the_developers_machine_is_not_registered(demo_settings, address):
    seed()

    serve_at(SERVICES["velferd"], address)

    assert not [uri for uri in Client.objects.get(client_id="demo-velferd").redirect_uris if address in uri]


def test_outside_development_the_registration_stays_as_seeded(demo_settings, settings):
    seed()
    settings.DEBUG = False

    serve_at(SERVICES["velferd"], "http://localhost:8123/")

    assert "http://localhost:8123/demo/velferd/callback" not in (
        Client.objects.get(client_id="demo-velferd").redirect_uris
    )
