"""The demo's PKI: a test CA standing in for Buypass and Commfides, and an enterprise certificate
with its key for each demo organisation, written under var/demo-certificates/."""

import os
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils import timezone

from virksomheter import services
from virksomheter.demo import DEMO_ORGANISATIONS
from virksomheter.models import CURRENT_TERMS_VERSION, Organisation, ScopeGrant, TrustedIssuer

TEST_CA_NAME = "Felles Test CA (stands in for Buypass and Commfides)"
VALIDITY = timedelta(days=730)
SEEDED_BY = "demo-seed"


def certificate_dir() -> Path:
    return Path(settings.VAR_DIR) / "demo-certificates"


def _write_key(path: Path, key) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    os.chmod(path, 0o600)


def _load(path: Path):
    certificate = x509.load_pem_x509_certificate(path.with_suffix(".pem").read_bytes())
    key = serialization.load_pem_private_key(path.with_suffix(".key").read_bytes(), password=None)
    return certificate, key


def _builder(subject: x509.Name, issuer: x509.Name, public_key) -> x509.CertificateBuilder:
    now = timezone.now()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
    )


def _test_ca():
    path = certificate_dir() / "test-ca"
    if path.with_suffix(".pem").exists() and path.with_suffix(".key").exists():
        return _load(path)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Felles Test CA")])
    certificate = (
        _builder(name, name, key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .sign(key, hashes.SHA256())
    )
    _write_key(path.with_suffix(".key"), key)
    path.with_suffix(".pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate, key


def _enterprise_certificate(organisation: Organisation, ca_certificate, ca_key) -> None:
    path = certificate_dir() / organisation.organisasjonsnummer
    if path.with_suffix(".pem").exists() and path.with_suffix(".key").exists():
        certificate = x509.load_pem_x509_certificate(path.with_suffix(".pem").read_bytes())
        if certificate.issuer == ca_certificate.subject:
            return
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, organisation.name_nb),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation.name_nb),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, organisation.organisasjonsnummer),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
        ]
    )
    certificate = (
        _builder(subject, ca_certificate.subject, key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(path.with_suffix(".key"), key)
    path.with_suffix(".pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def seed_demo_certificates() -> Path:
    """Create (once) the test CA, trust it, give each demo organisation a certificate, every
    scope (KRR lookup, sending digital post) and an acceptance of the current terms. Returns the folder the files are in."""
    certificate_dir().mkdir(parents=True, exist_ok=True)
    ca_certificate, ca_key = _test_ca()
    issuer = TrustedIssuer.objects.filter(name=TEST_CA_NAME).first() or TrustedIssuer(name=TEST_CA_NAME)
    issuer.certificate_pem = ca_certificate.public_bytes(serialization.Encoding.PEM).decode()
    issuer.active = True
    services.save_trusted_issuer(issuer, changed_by=SEEDED_BY)
    numbers = [data["organisasjonsnummer"] for data in DEMO_ORGANISATIONS]
    for organisation in Organisation.objects.filter(organisasjonsnummer__in=numbers):
        _enterprise_certificate(organisation, ca_certificate, ca_key)
        for scope in ScopeGrant.Scope.values:
            services.grant_scope(organisation, scope, granted_by=SEEDED_BY)
        latest = services.latest_terms_acceptance(organisation)
        if latest is None or latest.version != CURRENT_TERMS_VERSION:
            services.accept_terms(organisation, accepted_by=SEEDED_BY)
    return certificate_dir()
