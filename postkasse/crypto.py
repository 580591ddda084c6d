"""Letters at rest in Sikker digital post: CMS EnvelopedData (RFC 5652) encrypted to the receiving
mailbox provider's certificate, RSA key transport and AES-256-CBC, which `openssl cms -decrypt` opens."""

import os
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from django.utils.translation import gettext as _
from stdnum.no import orgnr

from core.errors import DomainError

PROVIDER_CERTIFICATE_VALIDITY = timedelta(days=730)


class CryptoError(DomainError):
    code = "crypto_error"


def encrypt_for(certificate_pem: bytes, plaintext: bytes) -> bytes:
    """`plaintext` as CMS EnvelopedData in DER, readable only with the certificate's private key."""
    certificate = _load_certificate(certificate_pem)
    if not isinstance(certificate.public_key(), rsa.RSAPublicKey):
        raise CryptoError(_("The recipient's certificate has no RSA key."))
    return (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(plaintext)
        .add_recipient(certificate)
        .set_content_encryption_algorithm(algorithms.AES256)
        # Binary: the bytes go in as they are; no MIME canonicalisation of line endings in a PDF.
        .encrypt(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )


def decrypt_with(certificate_pem: bytes, private_key_pem: bytes, envelope_der: bytes) -> bytes:
    """The plaintext in a CMS EnvelopedData encrypted to `certificate_pem`. CBC carries no integrity
    check: damage to the envelope's structure or last block is caught, not every flipped bit."""
    certificate = _load_certificate(certificate_pem)
    key = _load_private_key(private_key_pem)
    # Checked first: RSA decryption with a wrong key yields random bytes (implicit rejection), which
    # only usually fail afterwards.
    if certificate.public_key() != key.public_key():
        raise CryptoError(_("The private key does not belong to the certificate."))
    try:
        # No options: decryption takes only Text, which would strip MIME headers from the content.
        return pkcs7.pkcs7_decrypt_der(envelope_der, certificate, key, [])
    except ValueError as exc:
        raise CryptoError(
            _("The letter cannot be decrypted: the envelope is damaged or not for this certificate.")
        ) from exc


def load_private_key_from_file(path: str | os.PathLike) -> bytes:
    """A provider's private key (unencrypted PEM) from a file, checked to be an RSA key."""
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise CryptoError(_("The private key file %(path)s cannot be read.") % {"path": path}) from exc
    return _checked_private_key_pem(text, source=str(path))


def load_private_key_from_env(variable: str) -> bytes:
    """A provider's private key (unencrypted PEM) from an environment variable. Line breaks may be
    written as a literal backslash-n, as one-line values in .env files and CI secrets often are."""
    text = os.environ.get(variable, "").replace("\\n", "\n").strip()
    if not text:
        raise CryptoError(_("The environment variable %(name)s holds no private key.") % {"name": variable})
    return _checked_private_key_pem(text.encode() + b"\n", source=variable)


def certificate_fingerprint(certificate_pem: bytes) -> str:
    """The SHA-256 fingerprint of the certificate's DER, as lowercase hex."""
    return _load_certificate(certificate_pem).fingerprint(hashes.SHA256()).hex()


def key_matches_certificate(certificate_pem: bytes, private_key_pem: bytes) -> bool:
    return _load_certificate(certificate_pem).public_key() == _load_private_key(private_key_pem).public_key()


def make_provider_certificate(common_name: str, organisation_number: str) -> tuple[bytes, bytes]:
    """A self-signed RSA 2048 certificate and its key (both PEM) for a demo mailbox provider, with
    the organisation number in serialNumber as Buypass and Commfides write it."""
    orgnr.validate(organisation_number)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, organisation_number),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + PROVIDER_CERTIFICATE_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


@lru_cache(maxsize=64)
def _load_certificate(pem: bytes) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise CryptoError(_("This is not a PEM-encoded X.509 certificate.")) from exc


@lru_cache(maxsize=16)
def _load_private_key(pem: bytes) -> rsa.RSAPrivateKey:
    """Parsed once per process: checking an RSA key costs ~45 ms, and every letter needs one."""
    # No exception chaining here or below: the parser's error must not carry key material along.
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise CryptoError(_("This is not an unencrypted PEM private key.")) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CryptoError(_("The private key is not an RSA key."))
    return key


def _checked_private_key_pem(pem: bytes, *, source: str) -> bytes:
    try:
        _load_private_key(pem)
    except CryptoError:
        raise CryptoError(
            _("%(source)s does not hold an unencrypted RSA private key in PEM.") % {"source": source}
        ) from None
    return pem
