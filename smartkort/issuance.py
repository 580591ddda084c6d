"""Test issuers for the smartcard login, for tests and the demo: an issuer CA in the style of
Buypass or Commfides, person certificates as those CAs issue them for smartcards, and their
revocation lists. Real X.509 from cryptography; never used for real persons."""

from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.utils import timezone

from smartkort.services.certificates import PERSON_IDENTIFIER_PREFIX

CA_LIFETIME = timedelta(days=3650)
PERSON_CERTIFICATE_LIFETIME = timedelta(days=3 * 365)


def _name(*attributes: tuple) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])


def create_issuer_ca(
    name: str, provider: str, *, valid_from: datetime | None = None, valid_to: datetime | None = None
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A self-signed issuer CA named `name` (say "Felles Test Buypass Class 3 CA") and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(
        (NameOID.COUNTRY_NAME, "NO"),
        (NameOID.ORGANIZATION_NAME, f"{provider} (test)"),
        (NameOID.COMMON_NAME, name),
    )
    valid_from = valid_from or timezone.now() - timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to or valid_from + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def _key_usage(*, digital_signature=False, content_commitment=False, key_cert_sign=False, crl_sign=False):
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def issue_person_certificate(
    ca: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    identity_number: str,
    given_name: str,
    surname: str,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
    *,
    subject_serial: str | None = None,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A person certificate for a smartcard and its P-256 key. The subject's serialNumber is
    "PNONO-<identity number>" unless `subject_serial` gives another (a provider's own number)."""
    key = ec.generate_private_key(ec.SECP256R1())
    valid_from = valid_from or timezone.now() - timedelta(hours=1)
    subject = _name(
        (NameOID.COUNTRY_NAME, "NO"),
        (NameOID.SURNAME, surname),
        (NameOID.GIVEN_NAME, given_name),
        (NameOID.COMMON_NAME, f"{given_name} {surname}"),
        (NameOID.SERIAL_NUMBER, subject_serial or f"{PERSON_IDENTIFIER_PREFIX}{identity_number}"),
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to or valid_from + PERSON_CERTIFICATE_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return certificate, key


def make_crl(
    ca: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    revoked_serials: list[int],
    next_update: datetime,
    *,
    this_update: datetime | None = None,
    number: int = 1,
) -> x509.CertificateRevocationList:
    """A full revocation list from the CA listing `revoked_serials`."""
    this_update = this_update or timezone.now() - timedelta(minutes=1)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(this_update).build()
        )
    return builder.sign(ca_key, hashes.SHA256())
