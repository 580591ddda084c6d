"""manage.py seed_demo_smartcards: two test issuer CAs (Buypass- and Commfides-style) with current
revocation lists, and a virtual smartcard for the demo citizen from each, for the card agent's
emulator. Development and demo only. Run again to refresh lists that are running out; existing
CAs, keys and cards are kept.

Files in var/demo-smartcards/: the CA certificates (*-ca.pem), the CAs' keys (*-ca.key, so that
later runs can sign new lists) and the card images (*-card.json, PIN 1234 unless
DEMO_SMARTCARD_PIN says otherwise)."""

import os
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cardagent.virtualcard import CardImage, write_card_image
from minid.demo import demo_citizen
from smartkort import issuance, services
from smartkort.models import Issuer, Provider

ISSUERS = (
    ("buypass", "Felles Test Buypass Class 3 CA", Provider.BUYPASS),
    ("commfides", "Felles Test Commfides Person-High CA", Provider.COMMFIDES),
)
ACTOR = "demo-seed"
CRL_LIFETIME = timedelta(days=90)
CRL_REFRESH_BEFORE = timedelta(days=30)
PEM = serialization.Encoding.PEM


def _write_private(path: Path, data: bytes) -> None:
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
        file.write(data)


def _key_pem(key) -> bytes:
    return key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


class Command(BaseCommand):
    help = "Create (once) the demo smartcard issuers and cards, and refresh their revocation lists."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo smartcards are only made with DEBUG on.")
        user = demo_citizen()
        if user is None:
            raise CommandError("Run seed_demo_citizen first: the cards are the demo citizen's.")
        folder = Path(settings.VAR_DIR) / "demo-smartcards"
        folder.mkdir(parents=True, exist_ok=True)
        pin = os.environ.get("DEMO_SMARTCARD_PIN", "1234")
        for slug, name, provider in ISSUERS:
            issuer, ca, ca_key = self._issuer(folder, slug, name, provider)
            self._refresh_list(issuer, ca, ca_key)
            card = folder / f"{slug}-card.json"
            if not self._card_is_current(card, ca):
                certificate, key = issuance.issue_person_certificate(
                    ca, ca_key, user.person.identity_number, user.person.given_name, user.person.family_name
                )
                write_card_image(
                    card,
                    certificate_pem=certificate.public_bytes(PEM),
                    private_key_pem=_key_pem(key),
                    pin=pin,
                )
            self.stdout.write(f"{provider}: card image {card} (PIN {pin}) for {user.person.full_name}")

    def _issuer(self, folder: Path, slug: str, name: str, provider: str):
        """The issuer, its CA certificate and key; a new CA when there is none or its key is gone."""
        certificate_file, key_file = folder / f"{slug}-ca.pem", folder / f"{slug}-ca.key"
        issuer = Issuer.objects.filter(name=name).first()
        if issuer is not None and key_file.exists():
            ca = issuer.ca_certificate()
            ca_key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
            if ca.public_key() == ca_key.public_key():
                return issuer, ca, ca_key
        ca, ca_key = issuance.create_issuer_ca(name, provider)
        _write_private(key_file, _key_pem(ca_key))
        certificate_file.write_bytes(ca.public_bytes(PEM))
        if issuer is None:
            issuer = Issuer(name=name, provider=provider)
        else:  # the demo's CA was made anew: the old one's lists say nothing about it
            issuer.revocation_lists.all().delete()
        issuer.certificate_pem, issuer.active = ca.public_bytes(PEM).decode(), True
        return services.save_issuer(issuer, changed_by=ACTOR), ca, ca_key

    def _refresh_list(self, issuer: Issuer, ca: x509.Certificate, ca_key) -> None:
        now = timezone.now()
        if issuer.revocation_lists.filter(
            this_update__lte=now, next_update__gt=now + CRL_REFRESH_BEFORE
        ).exists():
            return
        crl = issuance.make_crl(
            ca, ca_key, [], now + CRL_LIFETIME, this_update=now, number=issuer.revocation_lists.count() + 1
        )
        services.upload_revocation_list(
            issuer, crl.public_bytes(serialization.Encoding.DER), uploaded_by=ACTOR
        )

    def _card_is_current(self, path: Path, ca: x509.Certificate) -> bool:
        """Whether the card image holds a certificate from this CA that is valid for a while yet."""
        if not path.exists():
            return False
        certificate = x509.load_pem_x509_certificate(CardImage.load(path).certificate_pem)
        try:
            certificate.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            return False
        return certificate.not_valid_after_utc > timezone.now() + CRL_REFRESH_BEFORE
