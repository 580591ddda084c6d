"""Signing test helpers: a registered smartcard issuer with a current revocation list, a person's
card (certificate and key), a signing job, and what the card computes over a digest."""

from datetime import timedelta

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature
from django.utils import timezone

from signering import services
from smartkort import issuance
from smartkort import services as smartcard
from smartkort.models import Issuer
from tests.folkeregister.factories import make_person
from tests.postkasse.factories import pdf
from virksomheter.models import Organisation

ORGANISATION_NUMBER = "974312344"
OTHER_ORGANISATION_NUMBER = "964201013"


class CardIssuer:
    """An issuer CA registered with the smartcard app, with a current (empty) revocation list."""

    def __init__(self, name: str = "Felles Test Buypass Class 3 CA"):
        self.ca, self.key = issuance.create_issuer_ca(name, "Buypass")
        self.issuer = smartcard.save_issuer(
            Issuer(name=name, provider="Buypass", certificate_pem=self.pem.decode()), changed_by="test"
        )
        self._crl_number = 0
        self.revoke()

    @property
    def pem(self) -> bytes:
        return self.ca.public_bytes(serialization.Encoding.PEM)

    def card(self, person, **options):
        """A card for the person: (certificate DER, private key)."""
        certificate, key = issuance.issue_person_certificate(
            self.ca, self.key, person.identity_number, person.given_name, person.family_name, **options
        )
        return certificate.public_bytes(serialization.Encoding.DER), key

    def card_pem(self, person) -> tuple[bytes, bytes]:
        """A card for the person as the virtual card takes it: (certificate PEM, private key PEM)."""
        certificate, key = issuance.issue_person_certificate(
            self.ca, self.key, person.identity_number, person.given_name, person.family_name
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return certificate.public_bytes(serialization.Encoding.PEM), key_pem

    def revoke(self, *serials: int) -> None:
        """Publish a new list revoking these serial numbers (none: a current, empty list)."""
        self._crl_number += 1
        now = timezone.now()
        crl = issuance.make_crl(
            self.ca,
            self.key,
            list(serials),
            now + timedelta(days=1),
            this_update=now - timedelta(seconds=600 - self._crl_number),
            number=self._crl_number,
        )
        smartcard.upload_revocation_list(
            self.issuer, crl.public_bytes(serialization.Encoding.DER), uploaded_by="test"
        )


def organisation(number: str = ORGANISATION_NUMBER, name: str = "Velferdsetaten") -> Organisation:
    return Organisation.objects.get_or_create(
        organisasjonsnummer=number, defaults={"name_nb": name, "kind": Organisation.Kind.STATE_AGENCY}
    )[0]


def job(person=None, *, owner=None, **fields):
    """A signing job for the person (a new one unless given), from Velferdsetaten unless `owner`."""
    values = {"title": "Leiekontrakt", "signer": (person or make_person()).identity_number, **fields}
    if "text" not in values and "pdf" not in values:
        values["pdf"] = pdf("Leiekontrakt")
    return services.create_job(owner or organisation(), **values)


def card_signature(key: ec.EllipticCurvePrivateKey, digest: bytes) -> bytes:
    """What the card returns: ECDSA P-256 over the digest as given, raw r||s."""
    r, s = decode_dss_signature(key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256()))))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")
