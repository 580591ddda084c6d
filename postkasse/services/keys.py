"""The keys letters are encrypted with: Felles' intake certificate (letters between acceptance and
routing, and print jobs until printed) and each provider's certificate. Provider keys come from
files or the environment. The intake key pair is kept in the database, so that every node reads
what any node accepted, its private key encrypted (Fernet, POSTKASSE_KEY_ENCRYPTION_KEY or a key
derived from SECRET_KEY); an operator who sets POSTKASSE_INTAKE_CERTIFICATE_FILE and
POSTKASSE_INTAKE_KEY_FILE keeps it in those files instead (made there on first use)."""

import base64
import os
import threading
import time
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from postkasse import crypto
from postkasse.models import IntakeKey, Provider

INTAKE_COMMON_NAME = "Felles digital post intake"
# Where Felles made the pair on first use before it was kept in the database.
LEGACY_DIRECTORY = ("postkasse", "intake.pem", "intake.key")


@cache
def _intake_pair(certificate_file: str, key_file: str) -> tuple[bytes, bytes]:
    certificate_path, key_path = Path(certificate_file), Path(key_file)
    if not certificate_path.exists() and not key_path.exists():
        certificate, key = _new_pair()
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


def _new_pair() -> tuple[bytes, bytes]:
    return crypto.make_provider_certificate(
        INTAKE_COMMON_NAME, settings.FELLES_OPERATOR["organisasjonsnummer"]
    )


def _fernet() -> Fernet:
    configured = settings.POSTKASSE_KEY_ENCRYPTION_KEY
    if configured:
        return Fernet(configured.encode())
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"felles.postkasse.intake-key"
    ).derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def files_configured() -> bool:
    return bool(settings.POSTKASSE_INTAKE_CERTIFICATE_FILE and settings.POSTKASSE_INTAKE_KEY_FILE)


# The pair read from the database, for this process: it never changes once made.
_stored: tuple[bytes, bytes] | None = None
_stored_lock = threading.Lock()
# Pairs this process made in transactions not (yet) committed.
_uncommitted: set[str] = set()


def forget_intake_pair() -> None:
    """Read the pair from the database at the next use (tests, whose rows are rolled back)."""
    global _stored
    _stored = None


def _pair_of(row: IntakeKey) -> tuple[bytes, bytes]:
    try:
        key = _fernet().decrypt(bytes(row.encrypted_private_key))
    except InvalidToken:
        raise crypto.CryptoError(
            _(
                "The stored intake key cannot be decrypted: POSTKASSE_KEY_ENCRYPTION_KEY (or SECRET_KEY) "
                "is not the one it was stored with."
            )
        ) from None
    return row.certificate.encode(), key


def _legacy_pair() -> tuple[bytes, bytes] | None:
    """The pair this machine made in its var directory before the pair was kept in the database."""
    directory, certificate_name, key_name = LEGACY_DIRECTORY
    certificate, key = (Path(settings.VAR_DIR) / directory / name for name in (certificate_name, key_name))
    if certificate.exists() and key.exists():
        return certificate.read_bytes(), crypto.load_private_key_from_file(key)
    return None


def ensure_stored_pair(*, using: str = "default") -> tuple[IntakeKey, bool]:
    """The pair's row and whether it was made now (the first node's own earlier pair if it has one,
    so that letters it accepted before stay readable). Two nodes making it at once keep one."""
    row = IntakeKey.objects.using(using).filter(name="intake").first()
    if row is not None:
        return row, False
    certificate, key = _legacy_pair() or _new_pair()
    try:
        with transaction.atomic(using=using):
            row = IntakeKey.objects.using(using).create(
                name="intake", certificate=certificate.decode(), encrypted_private_key=_fernet().encrypt(key)
            )
            return row, True
    except IntegrityError:
        return IntakeKey.objects.using(using).get(name="intake"), False


def _database_pair() -> tuple[bytes, bytes]:
    global _stored
    if _stored is not None:
        return _stored
    with _stored_lock:
        row, made = ensure_stored_pair()
        pair = _pair_of(row)
        if made and transaction.get_connection().in_atomic_block:
            # Made in a transaction that may yet be rolled back: kept for the process only once it
            # is committed, so that a pair no other node will ever see is not used here.
            _uncommitted.add(row.certificate)

            def keep():
                global _stored
                _uncommitted.discard(row.certificate)
                _stored = pair

            transaction.on_commit(keep)
        elif row.certificate not in _uncommitted:
            _stored = pair
        return pair


def intake_pair() -> tuple[bytes, bytes]:
    if files_configured():
        return _intake_pair(
            str(settings.POSTKASSE_INTAKE_CERTIFICATE_FILE), str(settings.POSTKASSE_INTAKE_KEY_FILE)
        )
    return _database_pair()


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
