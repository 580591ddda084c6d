"""Smartcard test helpers: a registered test issuer with a current revocation list, person cards
from it, and the card agent's answer (a Web eID authentication token) made here with the key."""

import base64
import hashlib
from datetime import timedelta

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from django.utils import timezone

from smartkort import issuance, services
from smartkort.models import Issuer, Provider

ORIGIN = "http://localhost"
DER = serialization.Encoding.DER
PEM = serialization.Encoding.PEM


class TestIssuer:
    """A test CA registered as an issuer, with a current empty revocation list unless told."""

    __test__ = False  # not a test class

    def __init__(self, name="Felles Test Buypass Class 3 CA", provider=Provider.BUYPASS, *, crl=True):
        self.ca, self.key = issuance.create_issuer_ca(name, provider)
        self.issuer = services.save_issuer(
            Issuer(name=name, provider=provider, certificate_pem=self.ca.public_bytes(PEM).decode()),
            changed_by="test",
        )
        self.lists = 0
        if crl:
            self.publish()

    def crl(self, *serials: int, next_update=None, this_update=None):
        self.lists += 1
        now = timezone.now()
        return issuance.make_crl(
            self.ca,
            self.key,
            list(serials),
            next_update or now + timedelta(days=1),
            this_update=this_update or now - timedelta(minutes=10 - self.lists),
            number=self.lists,
        )

    def publish(self, *serials: int, **dates):
        """Upload a new list revoking these serial numbers."""
        return services.upload_revocation_list(
            self.issuer, self.crl(*serials, **dates).public_bytes(DER), uploaded_by="test"
        )

    def card(self, person, **options):
        """(certificate, key) for a person in the register (or anything with the same fields)."""
        return issuance.issue_person_certificate(
            self.ca, self.key, person.identity_number, person.given_name, person.family_name, **options
        )


def der(certificate) -> bytes:
    return certificate.public_bytes(DER)


def pem_pair(certificate, key) -> tuple[bytes, bytes]:
    """Certificate and key as the virtual card takes them."""
    key_pem = key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return certificate.public_bytes(PEM), key_pem


def raw_signature(key, data: bytes) -> bytes:
    """ES256 as a card gives it: raw r || s over SHA-256(data)."""
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def token(certificate, key, challenge: str, origin: str = ORIGIN, **overrides) -> dict:
    """The card agent's answer to /authenticate, made here with the card's key."""
    signed = hashlib.sha256(origin.encode()).digest() + hashlib.sha256(challenge.encode()).digest()
    return {
        "format": "web-eid:1.0",
        "unverifiedCertificate": base64.b64encode(der(certificate)).decode(),
        "algorithm": "ES256",
        "signature": base64.b64encode(raw_signature(key, signed)).decode(),
        "appVersion": "test",
        **overrides,
    }
