"""Person certificates from smartcards (Buypass- and Commfides-style, level 4): issued directly by
a registered issuer CA, valid now, not revoked by the issuer's current CRL, and naming a person.

The person is the identity number in the subject's serialNumber ("PNONO-" and 11 digits as
ETSI EN 319 412-1 writes a national identity number, or the bare 11 digits); for certificates
that carry the provider's own number there instead, a case handler registers the certificate.
"""

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtensionOID, NameOID
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from folkeregister.identity import parse_identity_number
from smartkort.models import CertificateMapping, Issuer, RevocationList, RevokedSerial, serial_hex
from smartkort.services.errors import CertificateRefused

PERSON_IDENTIFIER_PREFIX = "PNONO-"
ACCEPTED_SIGNATURE_HASHES = (hashes.SHA256, hashes.SHA384, hashes.SHA512)
# Critical extensions we process; any other critical extension makes the certificate unusable
# (RFC 5280 4.2).
UNDERSTOOD_CRITICAL_EXTENSIONS = {
    ExtensionOID.BASIC_CONSTRAINTS,
    ExtensionOID.KEY_USAGE,
    ExtensionOID.EXTENDED_KEY_USAGE,
    ExtensionOID.CERTIFICATE_POLICIES,
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
}


@dataclass(frozen=True)
class CardHolder:
    """The person a verified card certificate belongs to."""

    identity_number: str
    name: str
    issuer: str  # the issuer's name as registered here
    provider: str  # Provider value: "Buypass" or "Commfides"
    serial: str  # the certificate's serial number, lowercase hex


def verify_certificate(certificate_der: bytes, at: datetime | None = None, *, request=None) -> CardHolder:
    """The card holder, or CertificateRefused with the reason. Audited either way."""
    try:
        holder = check_certificate(certificate_der, at or timezone.now())
    except CertificateRefused as refusal:
        audit.record(
            "smartkort.certificate_refused",
            actor="smartkort",
            request=request,
            object_type="smartkort.certificate",
            outcome=audit.Outcome.DENIED,
            details={"code": refusal.code, **describe(certificate_der)},
        )
        raise
    audit.record(
        "smartkort.certificate_accepted",
        actor=holder.identity_number,
        request=request,
        object_type="smartkort.certificate",
        object_id=holder.serial,
        details={"issuer": holder.issuer, "provider": holder.provider},
    )
    return holder


def check_certificate(certificate_der: bytes, at: datetime) -> CardHolder:
    """verify_certificate without the audit trail, for callers that audit the whole step."""
    leaf = load_certificate(certificate_der)
    if _is_ca(leaf):
        raise CertificateRefused(_("This is a CA certificate, not a person certificate."), "ca_certificate")
    issuer, ca = _registered_issuer(leaf)
    _check_dates(leaf, ca, at)
    _check_usage(leaf)
    _check_not_revoked(issuer, leaf, at)
    return CardHolder(
        identity_number=_identity_number(leaf, issuer),
        name=_name(leaf),
        issuer=issuer.name,
        provider=issuer.provider,
        serial=serial_hex(leaf.serial_number),
    )


def load_certificate(der: bytes) -> x509.Certificate:
    try:
        certificate = x509.load_der_x509_certificate(der)
        # cryptography reads names and extensions on first use: read them here, where a bad one is caught.
        certificate.subject, certificate.issuer, certificate.extensions  # noqa: B018
    except (ValueError, TypeError):
        raise CertificateRefused(_("The card's certificate could not be read."), "malformed") from None
    return certificate


def describe(certificate_der: bytes) -> dict:
    """Issuer and serial number of a certificate, for the audit trail, as far as it can be read."""
    try:
        certificate = x509.load_der_x509_certificate(certificate_der)
        return {
            "issuer_dn": certificate.issuer.rfc4514_string(),
            "serial": serial_hex(certificate.serial_number),
        }
    except (ValueError, TypeError):
        return {}


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _registered_issuer(leaf: x509.Certificate) -> tuple[Issuer, x509.Certificate]:
    """The active issuer whose CA certificate has the leaf's issuer name and whose key signed it."""
    for issuer in Issuer.objects.filter(active=True):
        ca = issuer.ca_certificate()
        if ca.subject != leaf.issuer or not _is_ca(ca):
            continue
        try:
            leaf.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        if not isinstance(leaf.signature_hash_algorithm, ACCEPTED_SIGNATURE_HASHES):
            raise CertificateRefused(_("The certificate is signed with a weak algorithm."), "weak_signature")
        return issuer, ca
    raise CertificateRefused(
        _("The certificate is not issued by a smartcard issuer accepted here."), "unknown_issuer"
    )


def _check_dates(leaf: x509.Certificate, ca: x509.Certificate, at: datetime) -> None:
    if at < leaf.not_valid_before_utc:
        raise CertificateRefused(_("The certificate on the card is not valid yet."), "not_yet_valid")
    if at > leaf.not_valid_after_utc:
        raise CertificateRefused(_("The certificate on the card has expired."), "expired")
    if not ca.not_valid_before_utc <= at <= ca.not_valid_after_utc:
        raise CertificateRefused(_("The issuer's certificate is not valid at this time."), "issuer_not_valid")


def _check_usage(leaf: x509.Certificate) -> None:
    try:
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or not usage.digital_signature:
        raise CertificateRefused(
            _("The certificate on the card may not be used for digital signatures."), "key_usage"
        )
    unknown = [
        e.oid.dotted_string
        for e in leaf.extensions
        if e.critical and e.oid not in UNDERSTOOD_CRITICAL_EXTENSIONS
    ]
    if unknown:
        raise CertificateRefused(
            _("The certificate has a critical extension this service does not understand."),
            "critical_extension",
        )


def _check_not_revoked(issuer: Issuer, leaf: x509.Certificate, at: datetime) -> None:
    """Fail closed: without a current list from the issuer, no certificate of it is accepted."""
    current = (
        RevocationList.objects.filter(issuer=issuer, this_update__lte=at, next_update__gt=at)
        .order_by("-this_update")
        .first()
    )
    if current is None:
        raise CertificateRefused(
            _("The certificate's revocation status cannot be checked right now. Try again later."),
            "no_current_crl",
        )
    if RevokedSerial.objects.filter(revocation_list=current, serial=serial_hex(leaf.serial_number)).exists():
        raise CertificateRefused(_("The certificate on the card has been revoked."), "revoked")


def _identity_number(leaf: x509.Certificate, issuer: Issuer) -> str:
    for attribute in leaf.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER):
        number = attribute.value.removeprefix(PERSON_IDENTIFIER_PREFIX)
        if len(number) == 11 and number.isascii() and number.isdigit():
            try:
                return parse_identity_number(number).number
            except ValidationError:
                continue
    mapping = CertificateMapping.objects.filter(issuer=issuer, serial=serial_hex(leaf.serial_number)).first()
    if mapping is not None:
        return mapping.identity_number
    raise CertificateRefused(
        _("The certificate does not say who the card belongs to, and it is not registered to a person here."),
        "no_person",
    )


def _name(leaf: x509.Certificate) -> str:
    subject = leaf.subject
    common = subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if common:
        return common[0].value
    parts = [
        *subject.get_attributes_for_oid(NameOID.GIVEN_NAME),
        *subject.get_attributes_for_oid(NameOID.SURNAME),
    ]
    return " ".join(attribute.value for attribute in parts)
