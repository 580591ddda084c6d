"""manage.py seed_demo_eformidling: the demo agency's integrasjonspunkt credential logs in at
/api/capabilities, running it twice leaves one credential with the demo password, and it refuses to
run with DEBUG off."""

import io
import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from eformidling.models import Conversation, Credential
from tests.eformidling.conftest import EXAMPLE_RECEIVER, basic
from tests.postkasse.factories import citizen, pdf, providers
from virksomheter.demo import seed_demo_organisations
from virksomheter.models import ScopeGrant

USERNAME = "velferdsetaten-demo"


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo_eformidling", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo(db, settings, tmp_path, monkeypatch):
    """The demo organisations, without any grant yet, and a citizen with a digital mailbox."""
    settings.DEBUG = True
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)
    seed_demo_organisations()
    assert not ScopeGrant.objects.exists()
    citizen(mailbox_provider=providers(settings, tmp_path)[0], identity_number=EXAMPLE_RECEIVER)


def test_the_demo_credential_authenticates_at_capabilities(client, demo):
    printed = seed(base_url="http://127.0.0.1:8000")
    assert printed.strip() == (
        "Integrasjonspunkt credential of Velferdsetaten (974312344): velferdsetaten-demo"
        " at http://127.0.0.1:8000/api/"
    )
    credential = Credential.objects.get(username=USERNAME)
    assert credential.organisation.organisasjonsnummer == "974312344"
    assert "felles-demo" not in credential.password  # only the hash
    assert ScopeGrant.objects.filter(
        organisation=credential.organisation, scope="digitalpostinnbygger:send"
    ).exists()
    answer = client.get(
        f"/api/capabilities/{EXAMPLE_RECEIVER}", HTTP_AUTHORIZATION=basic(USERNAME, "felles-demo")
    )
    assert answer.status_code == 200, answer.content
    assert {c["serviceIdentifier"] for c in answer.json()["capabilities"]} >= {"DPI"}
    wrong = client.get(f"/api/capabilities/{EXAMPLE_RECEIVER}", HTTP_AUTHORIZATION=basic(USERNAME, "feil"))
    assert wrong.status_code == 401


def test_running_it_again_keeps_one_credential_and_resets_the_password(client, demo, monkeypatch):
    seed()
    first = Credential.objects.get(username=USERNAME)
    first.set_password("changed-by-someone-else")
    first.active = False
    first.save()
    seed()
    assert Credential.objects.filter(username=USERNAME).count() == 1
    again = Credential.objects.get(username=USERNAME)
    assert again.pk == first.pk and again.active
    answer = client.get(
        f"/api/capabilities/{EXAMPLE_RECEIVER}", HTTP_AUTHORIZATION=basic(USERNAME, "felles-demo")
    )
    assert answer.status_code == 200
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "et-annet-demo-passord")
    seed()
    assert Credential.objects.get(username=USERNAME).check_password("et-annet-demo-passord")


def test_it_refuses_with_debug_off(db, settings):
    settings.DEBUG = False
    seed_demo_organisations()
    with pytest.raises(CommandError):
        seed()
    assert not Credential.objects.exists()


def test_the_readme_curl_sequence_sends_the_vedtak_to_the_demo_citizen(live_server, demo, tmp_path):
    """The README's "vedtak til innbygger" block, run by the shell as written, with only the host and
    the citizen filled in: the letter is created, its PDF uploaded and sent."""
    seed()
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme.split("## The hosted integrasjonspunkt", 1)[1]
    script = section.split("```sh\n", 1)[1].split("```", 1)[0]
    script = script.replace("http://127.0.0.1:8000", live_server.url).replace(
        "FNR=<the demo citizen>", f"FNR={EXAMPLE_RECEIVER}"
    )
    (tmp_path / "vedtak.pdf").write_bytes(pdf("Vedtak"))
    run = subprocess.run(
        ["bash", "-e", "-c", script.replace("curl ", "curl -sS --fail-with-body -w '\\n' ")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    conversation = Conversation.objects.get()
    assert conversation.organisation.organisasjonsnummer == "974312344"
    assert conversation.letter_id is not None
    statuses = json.loads(run.stdout.strip().splitlines()[-1])
    assert [status["status"] for status in statuses["content"]][:2] == ["OPPRETTET", "SENDT"]
