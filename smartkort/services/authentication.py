"""Login with a smartkort: the server's one-time challenge and the card's answer to it.

The card agent on the citizen's machine answers with a Web eID authentication token
("web-eid:1.0"): the card's certificate and an ES256 signature, made by the card behind its
PIN, over SHA-256(origin) || SHA-256(challenge). The PIN and the key never reach the server.
"""

import base64
import binascii
import hashlib
import secrets
from datetime import timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from smartkort.models import LoginChallenge
from smartkort.services.certificates import CardHolder, check_certificate, describe, load_certificate
from smartkort.services.errors import AuthenticationRefused, CertificateRefused

CHALLENGE_BYTES = 32
CHALLENGE_TTL = timedelta(minutes=5)
# Spent and expired challenges are kept a day, so that a late answer is told why it is refused;
# then manage.py purge_expired deletes them (smartkort.services.housekeeping).
CHALLENGE_KEPT = timedelta(days=1)
TOKEN_FORMAT = "web-eid:1"
ALGORITHM = "ES256"  # pinned: ECDSA P-256 with SHA-256, the signature as raw r || s
SIGNATURE_BYTES = 64
MAX_CERTIFICATE_CHARS = 8000


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def issue_challenge(*, origin: str, provider: str, attempt: str) -> str:
    """A new nonce (32 random bytes, base64url) for one login attempt at `origin`."""
    now = timezone.now()
    nonce = secrets.token_urlsafe(CHALLENGE_BYTES)
    LoginChallenge.objects.create(
        nonce=nonce,
        attempt_hash=_hash(attempt),
        origin=origin,
        provider=provider,
        expires_at=now + CHALLENGE_TTL,
    )
    return nonce


def verify_authentication(
    token: dict, challenge: str, origin: str, *, attempt: str, provider: str | None = None, request=None
) -> CardHolder:
    """The card holder who signed `challenge` for `origin` in this login attempt, or
    AuthenticationRefused / CertificateRefused. The challenge is spent by the first well-formed
    answer, whatever the outcome; success and every refusal are audited."""
    certificate_der = b""
    try:
        certificate_der, signature = _parse(token)
        _spend(challenge, origin=origin, attempt=attempt, provider=provider)
        certificate = load_certificate(certificate_der)
        _check_signature(certificate, signature, origin=origin, challenge=challenge)
        holder = check_certificate(certificate_der, timezone.now())
        _check_client_authentication(certificate)
        if provider and holder.provider != provider:
            raise AuthenticationRefused(
                _("This card is from %(found)s. Choose %(found)s in the list of electronic IDs.")
                % {"found": holder.provider},
                "other_provider",
            )
    except (AuthenticationRefused, CertificateRefused) as refusal:
        audit.record(
            "smartkort.login_refused",
            actor="smartkort",
            request=request,
            object_type="smartkort.certificate",
            outcome=audit.Outcome.DENIED,
            details={"code": refusal.code, "origin": origin[:200], **describe(certificate_der)},
        )
        raise
    audit.record(
        "smartkort.login",
        actor=holder.identity_number,
        request=request,
        object_type="smartkort.certificate",
        object_id=holder.serial,
        details={"issuer": holder.issuer, "provider": holder.provider, "origin": origin},
    )
    return holder


def _refused(code: str) -> AuthenticationRefused:
    return AuthenticationRefused(_("The answer from the card could not be used. Try again."), code)


def _parse(token: dict) -> tuple[bytes, bytes]:
    if not isinstance(token, dict):
        raise _refused("bad_format")
    token_format = token.get("format")
    if not isinstance(token_format, str) or not (
        token_format == TOKEN_FORMAT or token_format.startswith(TOKEN_FORMAT + ".")
    ):
        raise _refused("bad_format")
    if token.get("algorithm") != ALGORITHM:
        raise _refused("algorithm")
    certificate, signature = token.get("unverifiedCertificate"), token.get("signature")
    if (
        not isinstance(certificate, str)
        or not isinstance(signature, str)
        or len(certificate) > MAX_CERTIFICATE_CHARS
    ):
        raise _refused("bad_format")
    try:
        certificate_der = base64.b64decode(certificate, validate=True)
        raw_signature = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise _refused("bad_format") from None
    if len(raw_signature) != SIGNATURE_BYTES:
        raise _refused("bad_format")
    return certificate_der, raw_signature


def _spend(nonce: str, *, origin: str, attempt: str, provider: str | None) -> None:
    """Mark the challenge used, in one statement: of two answers to it only one gets through."""
    now = timezone.now()
    spent = LoginChallenge.objects.filter(
        nonce=nonce, attempt_hash=_hash(attempt), used_at__isnull=True
    ).update(used_at=now)
    challenge = LoginChallenge.objects.filter(nonce=nonce, attempt_hash=_hash(attempt)).first()
    if challenge is None:
        raise AuthenticationRefused(_("This login was not started here. Start again."), "unknown_challenge")
    if not spent:
        raise AuthenticationRefused(_("This login has already been used. Start again."), "challenge_used")
    if challenge.expires_at <= now:
        raise AuthenticationRefused(_("The login took too long. Start again."), "challenge_expired")
    if challenge.origin != origin:
        raise AuthenticationRefused(_("This login was started for another website."), "other_origin")
    if provider and challenge.provider != provider:
        raise AuthenticationRefused(
            _("This login was started for another electronic ID. Start again."), "other_provider"
        )


def _check_signature(certificate: x509.Certificate, signature: bytes, *, origin: str, challenge: str) -> None:
    key = certificate.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise _refused("algorithm")
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    signed = hashlib.sha256(origin.encode()).digest() + hashlib.sha256(challenge.encode()).digest()
    try:
        key.verify(encode_dss_signature(r, s), signed, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise AuthenticationRefused(
            _("The card's signature does not match this login. Start again."), "bad_signature"
        ) from None


def _check_client_authentication(certificate: x509.Certificate) -> None:
    """A certificate that limits its uses (extended key usage) must allow logging in with it."""
    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return
    if ExtendedKeyUsageOID.CLIENT_AUTH not in usages:
        raise CertificateRefused(_("The certificate on the card may not be used to log in."), "not_for_login")
