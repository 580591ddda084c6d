"""Schemathesis, a client we did not write, over every agency API in /api/schema/ with all its checks
against a live server: no server error, no status or body the schema does not document. The README
gives the same command to run by hand against `make demo`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from core.models import AuditEvent
from tests.postkasse.factories import citizen, providers
from virksomheter.demo import seed_demo_organisations

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# Bounded so that the run takes a few minutes at most on a CI machine.
MAX_EXAMPLES = 20


def schemathesis_command(base_url: str) -> list[str]:
    return [
        str(SCHEMATHESIS),
        "--config-file",
        str(ROOT / "schemathesis.toml"),
        "run",
        f"{base_url}/api/schema/",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--no-shrink",
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--seed",
        "13",
        "--no-color",
    ]


def test_schemathesis_finds_no_server_error_and_no_undocumented_status(
    live_server, settings, tmp_path, client
):
    settings.DEBUG = True  # the demo certificates are made in development only
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo_organisations()
    call_command("seed_demo_certificates", verbosity=0)
    call_command("seed_demo_maskinporten_clients", verbosity=0)
    # The server answers as in production: with DEBUG, Django's HTML error pages stand in for its handlers.
    settings.DEBUG = False
    digipost = providers(settings, tmp_path)[0]
    citizen(mailbox_provider=digipost)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operations = sum(len(item) for item in schema["paths"].values())

    run = subprocess.run(
        schemathesis_command(live_server.url),
        cwd=tmp_path,  # its cache of found failures stays out of the work tree
        env={
            **os.environ,
            "SCHEMATHESIS_HOOKS": str(ROOT / "tests" / "core" / "schemathesis_hooks.py"),
            "FELLES_ISSUER": live_server.url,
            "FELLES_CERTIFICATES": str(tmp_path / "demo-certificates"),
        },
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert run.returncode == 0, f"Schemathesis found problems:\n{run.stdout}\n{run.stderr}"
    assert f"Tested: {operations}" in run.stdout, run.stdout
    # It went past the token check: its tokens came from /api/token with the agency's certificate.
    assert AuditEvent.objects.filter(action="maskinporten.token_issued", actor="974312344").exists()
