"""A small PKI for tests: CAs, intermediates and enterprise certificates made with cryptography,
and JWT-bearer grants signed with an enterprise certificate's key."""

import base64
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from django.utils import timezone
from jose import jwt

from virksomheter.models import TrustedIssuer


@dataclass
class Issued:
    certificate: x509.Certificate
    key: object

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def key_pem(self) -> str:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()


CURVES = {"ec": ec.SECP256R1, "ec384": ec.SECP384R1, "ec521": ec.SECP521R1, "ec-k256": ec.SECP256K1}


def new_key(kind: str = "rsa"):
    """rsa (2048 bits), rsa1024, ec (P-256), ec384, ec521 or ec-k256 (secp256k1)."""
    if kind in CURVES:
        return ec.generate_private_key(CURVES[kind]())
    return rsa.generate_private_key(public_exponent=65537, key_size=1024 if kind == "rsa1024" else 2048)


def _build(subject, issuer: Issued | None, key, *, ca: bool, not_before=None, not_after=None, serial=None):
    now = timezone.now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(not_after or now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    signer = issuer.key if issuer else key
    return Issued(builder.sign(signer, hashes.SHA256()), key)


def make_ca(name: str = "Test Root CA", *, kind: str = "rsa") -> Issued:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    return _build(subject, None, new_key(kind), ca=True)


def make_intermediate(parent: Issued, name: str = "Test Intermediate CA", *, kind: str = "rsa") -> Issued:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    return _build(subject, parent, new_key(kind), ca=True)


def make_leaf(
    issuer: Issued | None,
    orgnr: str = "974312344",
    *,
    kind: str = "rsa",
    as_identifier: bool = False,
    ca: bool = False,
    numbers: list[x509.NameAttribute] | None = None,
    **dates,
) -> Issued:
    """An enterprise certificate; self-signed when issuer is None. `numbers` replaces the subject's
    organisation number attributes, written as given."""
    number = (
        x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, f"NTRNO-{orgnr}")
        if as_identifier
        else x509.NameAttribute(NameOID.SERIAL_NUMBER, orgnr)
    )
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Velferdsetaten"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Velferdsetaten"),
            *(numbers if numbers is not None else [number]),
        ]
    )
    return _build(subject, issuer, new_key(kind), ca=ca, **dates)


def trust(ca: Issued, name: str = "Test Root CA") -> TrustedIssuer:
    return TrustedIssuer.objects.create(name=name, certificate_pem=ca.pem)


def grant(
    leaf: Issued,
    *,
    chain: list[Issued] | None = None,
    audience: str = "http://testserver",
    scope: str = "krr:kontaktinformasjon",
    signing_key=None,
    algorithm: str | None = None,
    lifetime: int = 60,
    iat: int | None = None,
    headers: dict | None = None,
    without: tuple[str, ...] = (),
    **claims,
) -> str:
    """A JWT-bearer grant signed with the leaf's key, the leaf (and chain) in x5c."""
    now = int(time.time()) if iat is None else iat
    key = signing_key or leaf.key
    algorithm = algorithm or ("ES256" if isinstance(key, ec.EllipticCurvePrivateKey) else "RS256")
    body = {
        "iss": "974312344",
        "aud": audience,
        "scope": scope,
        "iat": now,
        "exp": now + lifetime,
        "jti": secrets.token_urlsafe(16),
        **claims,
    }
    body = {name: value for name, value in body.items() if name not in without}
    x5c = [base64.b64encode(item.der).decode() for item in [leaf, *(chain or [])]]
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return jwt.encode(body, pem, algorithm=algorithm, headers={"x5c": x5c} if headers is None else headers)
