"""Felles' intake key pair is kept where every node finds it: in the database, its private key
encrypted; in files only when the operator configured them. A letter accepted by one node is
routed by another process with its own working directory and var directory."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from postkasse import crypto
from postkasse.models import IntakeKey, Letter
from postkasse.services import keys
from tests.postkasse.factories import citizen, pdf, providers, send
from tests.postkasse.test_worker import worker_database  # noqa: F401 (a fixture)

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_pair_is_in_the_database_with_its_private_key_encrypted():
    certificate, key = keys.intake_pair()

    row = IntakeKey.objects.get()
    assert row.certificate.encode() == certificate
    stored = bytes(row.encrypted_private_key)
    assert b"PRIVATE KEY" not in stored and key not in stored
    assert crypto.key_matches_certificate(certificate, key)
    load_pem_private_key(key, password=None)
    assert keys.unseal(keys.seal(b"%PDF-1.7 vedtak")) == b"%PDF-1.7 vedtak"


@pytest.mark.django_db
def test_another_encryption_key_cannot_read_the_stored_private_key(settings):
    keys.intake_pair()
    keys.forget_intake_pair()
    settings.POSTKASSE_KEY_ENCRYPTION_KEY = "pN2wJ6c1mOeS5l0Q5m0o2u0m0m4t8x9b1r3a7d5f9kA="
    with pytest.raises(crypto.CryptoError, match="POSTKASSE_KEY_ENCRYPTION_KEY"):
        keys.intake_pair()


@pytest.mark.django_db
def test_configured_files_are_still_honoured(settings, tmp_path):
    stored_certificate, _key = keys.intake_pair()
    settings.POSTKASSE_INTAKE_CERTIFICATE_FILE = str(tmp_path / "intake.pem")
    settings.POSTKASSE_INTAKE_KEY_FILE = str(tmp_path / "intake.key")

    certificate, key = keys.intake_pair()

    assert certificate == (tmp_path / "intake.pem").read_bytes() != stored_certificate
    assert crypto.key_matches_certificate(certificate, key)
    assert oct((tmp_path / "intake.key").stat().st_mode & 0o777) == "0o600"


ROUTE = """
import django, sys
django.setup()
from postkasse import services
print(services.route_letter(sys.argv[1]))
"""


@pytest.mark.django_db(transaction=True)
def test_a_letter_accepted_on_one_node_is_routed_by_another_process(
    worker_database,  # noqa: F811
    settings,
    tmp_path,
    private_files_in_tmp,
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    digipost, _eskuffen = providers(settings, tmp_path)
    letter, _created = send(citizen(mailbox_provider=digipost), title="Vedtak om bostøtte")
    assert Letter.objects.get(pk=letter.pk).status == Letter.Status.ACCEPTED

    other_node = tmp_path / "other-node"
    (other_node / "var").mkdir(parents=True)
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("POSTKASSE_INTAKE_")
    } | {
        "PYTHONPATH": str(BASE_DIR),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "FELLES_VAR_DIR": str(other_node / "var"),
        "DATABASE_URL": worker_database,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "PRIVATE_MEDIA_ROOT": str(private_files_in_tmp),
        "SMS_BACKEND": "core.sms.backends.database.OutboxBackend",
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
    }
    routed = subprocess.run(
        [sys.executable, "-c", ROUTE, str(letter.pk)],
        cwd=other_node,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert routed.returncode == 0, routed.stderr
    assert routed.stdout.strip().splitlines()[-1] == "delivered"
    letter = Letter.objects.get(pk=letter.pk)
    assert letter.status == Letter.Status.DELIVERED
    assert IntakeKey.objects.count() == 1  # the other node made no pair of its own
    assert not list((other_node / "var").rglob("intake*"))
    # The provider reads what the other node re-encrypted from the intake envelope.
    envelope = letter.documents.get().envelope.read()
    assert keys.open_for_provider(digipost, envelope) == pdf()


@pytest.mark.django_db
def test_a_machines_earlier_pair_becomes_the_stored_one_so_letters_in_flight_stay_readable(
    settings, tmp_path
):
    IntakeKey.objects.all().delete()
    certificate, key = crypto.make_provider_certificate("Felles digital post intake", "991825827")
    (tmp_path / "postkasse").mkdir()
    (tmp_path / "postkasse" / "intake.pem").write_bytes(certificate)
    (tmp_path / "postkasse" / "intake.key").write_bytes(key)
    settings.VAR_DIR = tmp_path

    assert keys.intake_pair()[0] == certificate
    assert IntakeKey.objects.get().certificate.encode() == certificate
