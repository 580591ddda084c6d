"""Mailbox providers: registered here with their certificate and where their private key is,
and announced to the contact register so that citizens can choose them."""

import os
from pathlib import Path

from django.conf import settings
from django.db import transaction

from core import audit
from kontaktregister import services as kontaktregister
from postkasse import crypto
from postkasse.models import Provider
from postkasse.services.errors import PostkasseError

# Two invented providers standing in for Digipost and e-Boks (valid but unused organisation numbers).
DEMO_PROVIDERS = (
    ("921000006", "Posthylla", "Digital postkasse med skanning av papirpost og lagring så lenge du vil."),
    ("921000014", "e-Skuffen", "Digital postkasse for brev fra det offentlige og fra bedrifter."),
)


@transaction.atomic
def register_provider(
    identifier: str,
    *,
    name: str,
    certificate_pem: str,
    key_file: str = "",
    key_env: str = "",
    description: str = "",
) -> Provider:
    """Register or update a provider. The key must open what is encrypted to the certificate."""
    key = (
        crypto.load_private_key_from_env(key_env) if key_env else crypto.load_private_key_from_file(key_file)
    )
    if not crypto.key_matches_certificate(certificate_pem.encode(), key):
        raise PostkasseError("The provider's private key does not belong to its certificate.")
    provider, created = Provider.objects.update_or_create(
        identifier=identifier,
        defaults={
            "name": name,
            "description": description,
            "certificate": certificate_pem,
            "key_file": "" if key_env else str(key_file),
            "key_env": key_env,
        },
    )
    kontaktregister.register_provider(
        identifier, name=name, certificate_pem=certificate_pem, description=description
    )
    audit.record(
        "postkasse.provider_registered" if created else "postkasse.provider_changed",
        actor="felles",
        obj=provider,
        object_id=identifier,
        details={"certificate": crypto.certificate_fingerprint(certificate_pem.encode())},
    )
    return provider


def demo_key_dir() -> Path:
    return Path(settings.VAR_DIR) / "demo-providers"


def seed_demo_providers() -> list[Provider]:
    """The two demo providers, with key pairs under var/demo-providers/ (made once)."""
    directory = demo_key_dir()
    directory.mkdir(parents=True, exist_ok=True)
    providers = []
    for identifier, name, description in DEMO_PROVIDERS:
        certificate_path, key_path = directory / f"{identifier}.pem", directory / f"{identifier}.key"
        if not (certificate_path.exists() and key_path.exists()):
            certificate, key = crypto.make_provider_certificate(name, identifier)
            descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(key)
            certificate_path.write_bytes(certificate)
        providers.append(
            register_provider(
                identifier,
                name=name,
                description=description,
                certificate_pem=certificate_path.read_text(),
                key_file=str(key_path),
            )
        )
    return providers
