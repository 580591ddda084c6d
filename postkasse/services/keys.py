"""The keys letters are encrypted with: Felles' intake certificate (letters between acceptance and
routing, and print jobs until printed) and each provider's certificate. Private keys come from
files or the environment; the intake key pair is made on first use where none is configured."""

import os
import time
from functools import cache
from pathlib import Path

from django.conf import settings

from postkasse import crypto
from postkasse.models import Provider


@cache
def _intake_pair(certificate_file: str, key_file: str) -> tuple[bytes, bytes]:
    certificate_path, key_path = Path(certificate_file), Path(key_file)
    if not certificate_path.exists() and not key_path.exists():
        certificate, key = crypto.make_provider_certificate(
            "Felles digital post intake", settings.FELLES_OPERATOR["organisasjonsnummer"]
        )
        key_path.parent.mkdir(parents=True, exist_ok=True)
        # Whoever links the key in first wins; the others use the winner's pair.
        temporary_key = key_path.with_suffix(f".{os.getpid()}.tmp")
        descriptor = os.open(temporary_key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(key)
        try:
            os.link(temporary_key, key_path)
            won = True
        except FileExistsError:
            won = False
        finally:
            temporary_key.unlink()
        if won:
            temporary_certificate = certificate_path.with_suffix(f".{os.getpid()}.tmp")
            temporary_certificate.write_bytes(certificate)
            temporary_certificate.replace(certificate_path)
    for _wait in range(100):  # the winner writes its certificate right after its key
        if certificate_path.exists():
            break
        time.sleep(0.05)
    return certificate_path.read_bytes(), crypto.load_private_key_from_file(key_path)


def intake_pair() -> tuple[bytes, bytes]:
    return _intake_pair(
        str(settings.POSTKASSE_INTAKE_CERTIFICATE_FILE), str(settings.POSTKASSE_INTAKE_KEY_FILE)
    )


def seal(plaintext: bytes) -> bytes:
    """Encrypt to the intake certificate."""
    return crypto.encrypt_for(intake_pair()[0], plaintext)


def unseal(envelope: bytes) -> bytes:
    certificate, key = intake_pair()
    return crypto.decrypt_with(certificate, key, envelope)


def provider_key(provider: Provider) -> bytes:
    if provider.key_env:
        return crypto.load_private_key_from_env(provider.key_env)
    return crypto.load_private_key_from_file(provider.key_file)


def open_for_provider(provider: Provider, envelope: bytes) -> bytes:
    return crypto.decrypt_with(provider.certificate.encode(), provider_key(provider), envelope)
