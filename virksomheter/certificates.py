"""Enterprise certificates (virksomhetssertifikat): an X.509 chain from a trusted issuer such as
Buypass or Commfides, whose subject carries the organisation number."""

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.no import orgnr

from virksomheter.models import Organisation, RevokedCertificate, TrustedIssuer
from virksomheter.services import VirksomheterError, get_organisation

# Buypass and Commfides put the number in serialNumber; eIDAS-style certificates in
# organizationIdentifier as "NTRNO-<number>".
ORGANISATION_IDENTIFIER_PREFIX = "NTRNO-"
MAX_CHAIN_LENGTH = 5
MIN_RSA_KEY_BITS = 2048
# The curve each ECDSA algorithm is defined on (RFC 7518 section 3.4); RS* and PS* need RSA.
ALGORITHM_CURVES = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1, "ES512": ec.SECP521R1}
RSA_ALGORITHM_PREFIXES = ("RS", "PS")


class CertificateRefused(VirksomheterError):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def load_ca_certificate(pem: str) -> x509.Certificate:
    """The CA certificate in `pem`, or ValueError saying what is wrong with it."""
    try:
        certificate = x509.load_pem_x509_certificate(pem.strip().encode())
    except ValueError:
        raise ValueError(_("This is not a PEM-encoded X.509 certificate.")) from None
    if not _is_ca(certificate):
        raise ValueError(_("This certificate is not a CA certificate (basic constraints CA:TRUE)."))
    return certificate


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _serial(certificate: x509.Certificate) -> str:
    return format(certificate.serial_number, "x")


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether `issuer` signed `certificate` (RSA PKCS#1 v1.5, RSA-PSS or ECDSA)."""
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _check_dates(certificate: x509.Certificate, now: datetime) -> None:
    if now < certificate.not_valid_before_utc:
        raise CertificateRefused(_("The certificate is not valid yet."), "certificate_not_yet_valid")
    if now > certificate.not_valid_after_utc:
        raise CertificateRefused(_("The certificate has expired."), "certificate_expired")


def _anchor(certificate: x509.Certificate) -> TrustedIssuer | None:
    for trusted in TrustedIssuer.objects.filter(active=True):
        ca = x509.load_pem_x509_certificate(trusted.certificate_pem.strip().encode())
        if ca.subject == certificate.issuer and _issued_by(certificate, ca):
            return trusted
    return None


def _chain_to_trusted_issuer(
    leaf: x509.Certificate, intermediates: list[x509.Certificate]
) -> tuple[TrustedIssuer, list[x509.Certificate]]:
    """The trusted issuer the leaf chains to, and the certificates on the path (leaf first)."""
    path = [leaf]
    current = leaf
    for _step in range(MAX_CHAIN_LENGTH):
        trusted = _anchor(current)
        if trusted is not None:
            return trusted, path
        parent = next(
            (ca for ca in intermediates if ca not in path and _is_ca(ca) and _issued_by(current, ca)),
            None,
        )
        if parent is None:
            break
        path.append(parent)
        current = parent
    raise CertificateRefused(_("The certificate is not issued by a trusted issuer."), "certificate_untrusted")


def organisation_number(certificate: x509.Certificate) -> str | None:
    """The organisation number in the subject (serialNumber, or organizationIdentifier NTRNO-), in
    its compact form: "NTRNO-974 312 344" reads as 974312344. CertificateRefused when the subject
    names two different numbers."""
    found = [
        attribute.value for attribute in certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    ]
    found += [
        attribute.value.removeprefix(ORGANISATION_IDENTIFIER_PREFIX)
        for attribute in certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)
        if attribute.value.startswith(ORGANISATION_IDENTIFIER_PREFIX)
    ]
    numbers = {orgnr.compact(value) for value in found if orgnr.is_valid(value)}
    if len(numbers) > 1:
        raise CertificateRefused(
            _("The certificate's subject names more than one organisation number."),
            "certificate_organisation_number_ambiguous",
        )
    return numbers.pop() if numbers else None


def _check_key_strength(certificate: x509.Certificate) -> None:
    """RSA of at least 2048 bits, or ECDSA on P-256, P-384 or P-521."""
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size >= MIN_RSA_KEY_BITS:
            return
        raise CertificateRefused(
            _("The certificate's RSA key has %(bits)s bits; at least %(minimum)s are required.")
            % {"bits": key.key_size, "minimum": MIN_RSA_KEY_BITS},
            "certificate_weak_key",
        )
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, tuple(ALGORITHM_CURVES.values())):
        return
    raise CertificateRefused(
        _("The certificate's key must be RSA or ECDSA on P-256, P-384 or P-521."), "certificate_weak_key"
    )


def check_key_fits_algorithm(certificate: x509.Certificate, algorithm: str) -> None:
    """CertificateRefused unless the certificate's key is of the kind `algorithm` signs with:
    ES256 on P-256 (not P-384 with SHA-256), ES384 on P-384, ES512 on P-521, RS* and PS* on RSA."""
    key = certificate.public_key()
    if algorithm in ALGORITHM_CURVES:
        fits = isinstance(key, ec.EllipticCurvePublicKey) and isinstance(
            key.curve, ALGORITHM_CURVES[algorithm]
        )
    else:
        fits = algorithm.startswith(RSA_ALGORITHM_PREFIXES) and isinstance(key, rsa.RSAPublicKey)
    if not fits:
        raise CertificateRefused(
            _("The certificate's key does not fit the signing algorithm %(algorithm)s.")
            % {"algorithm": algorithm},
            "certificate_key_algorithm_mismatch",
        )


def parse_chain(chain_der_list: list[bytes]) -> list[x509.Certificate]:
    if not chain_der_list or len(chain_der_list) > MAX_CHAIN_LENGTH:
        raise CertificateRefused(_("No usable certificate chain was given."), "certificate_missing")
    try:
        chain = [x509.load_der_x509_certificate(der) for der in chain_der_list]
        for certificate in chain:
            # Both are parsed only when first read: a malformed one must be refused here, not
            # raise later in the middle of the checks.
            certificate.public_key()
            certificate.extensions  # noqa: B018
    except (ValueError, UnsupportedAlgorithm, x509.DuplicateExtension):
        raise CertificateRefused(
            _("The certificate chain is not DER-encoded X.509."), "certificate_malformed"
        ) from None
    return chain


@dataclass(frozen=True)
class VerifiedCertificate:
    """An enterprise certificate that passed every check: whose it is, and what can revoke it."""

    organisation: Organisation
    issuer: TrustedIssuer
    serial: str  # the leaf's, as RevokedCertificate stores it


def verify_enterprise_certificate(
    chain_der_list: list[bytes], *, algorithm: str | None = None
) -> Organisation:
    """The registered organisation an enterprise certificate chain (leaf first) belongs to, or
    CertificateRefused: untrusted, outside its validity, revoked, self-signed, a CA, a weak key, a
    key that does not fit `algorithm` (the JWS algorithm it is to verify, when given), or no orgnr."""
    return check_enterprise_certificate(chain_der_list, algorithm=algorithm).organisation


def check_enterprise_certificate(
    chain_der_list: list[bytes], *, algorithm: str | None = None
) -> VerifiedCertificate:
    """As verify_enterprise_certificate, with the trusted issuer and the leaf's serial number."""
    leaf, *intermediates = parse_chain(chain_der_list)
    if leaf.issuer == leaf.subject:
        raise CertificateRefused(
            _("A self-signed certificate is not an enterprise certificate."), "certificate_self_signed"
        )
    # A CA certificate issues certificates; an organisation's own is never one (RFC 5280 4.2.1.9).
    if _is_ca(leaf):
        raise CertificateRefused(
            _("A CA certificate (basic constraints CA:TRUE) is not an enterprise certificate."),
            "certificate_is_ca",
        )
    trusted, path = _chain_to_trusted_issuer(leaf, intermediates)
    now = timezone.now()
    for certificate in path:
        _check_dates(certificate, now)
        _check_key_strength(certificate)
    if algorithm is not None:
        check_key_fits_algorithm(leaf, algorithm)
    if RevokedCertificate.objects.filter(
        issuer=trusted, serial__in=[_serial(certificate) for certificate in path]
    ).exists():
        raise CertificateRefused(_("The certificate has been revoked."), "certificate_revoked")
    number = organisation_number(leaf)
    if number is None:
        raise CertificateRefused(
            _("The certificate's subject holds no organisation number."),
            "certificate_no_organisation_number",
        )
    return VerifiedCertificate(organisation=get_organisation(number), issuer=trusted, serial=_serial(leaf))
