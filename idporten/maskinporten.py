"""Maskinporten: an agency's machine gets a short-lived access token with an RFC 7523 JWT-bearer
grant signed with its enterprise certificate's key, the certificate chain in the x5c header."""

import base64
import binascii
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from django.utils import timezone
from jose import jwt
from jose.exceptions import ExpiredSignatureError, JOSEError

from core import audit
from idporten import keys
from idporten.services.errors import OAuthError
from virksomheter import services as virksomheter
from virksomheter.certificates import CertificateRefused, parse_chain, verify_enterprise_certificate

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_ALGORITHMS = ("RS256", "ES256")
MAX_ASSERTION_LIFETIME_SECONDS = 120
CLOCK_SKEW_SECONDS = 10
MAX_JTI_LENGTH = 255  # the column that keeps used ones
ACCESS_TOKEN_TTL_SECONDS = 120
TOKEN_TYPE = "maskinporten"
CLIENT_AMR = "virksomhetssertifikat"
# ISO 6523 ICD 0192 is the Norwegian organisation number register (Enhetsregisteret).
CONSUMER_AUTHORITY = "iso6523-actorid-upis"
CONSUMER_ICD = "0192"


@dataclass
class _Attempt:
    organisation_number: str = ""


def issue_token(*, grant_type: str, assertion: str, issuer: str, request=None) -> dict:
    """The token response for a JWT-bearer grant, or OAuthError; both are in the audit trail."""
    attempt = _Attempt()
    try:
        body = _issue(attempt, grant_type=grant_type, assertion=assertion, issuer=issuer)
    except OAuthError as error:
        audit.record(
            "maskinporten.token_refused",
            actor=attempt.organisation_number or "unknown",
            request=request,
            outcome=audit.Outcome.DENIED,
            details={"error": error.error, "reason": error.description},
        )
        raise
    audit.record(
        "maskinporten.token_issued",
        actor=attempt.organisation_number,
        request=request,
        object_type="virksomheter.organisation",
        object_id=attempt.organisation_number,
        details={"scope": body["scope"]},
    )
    return body


def _invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description)


def _certificate_chain(header: dict) -> list[bytes]:
    x5c = header.get("x5c")
    if not isinstance(x5c, list) or not x5c or not all(isinstance(item, str) for item in x5c):
        raise _invalid_grant("The assertion has no certificate chain in its x5c header.")
    try:
        # x5c is standard base64, not base64url (RFC 7515 section 4.1.6).
        return [base64.b64decode(item, validate=True) for item in x5c]
    except (binascii.Error, ValueError):
        raise _invalid_grant("The x5c header is not base64-encoded DER.") from None


def _verified_claims(assertion: str, header: dict, public_key_pem: str) -> dict:
    """The claims of an assertion whose signature the certificate's key made."""
    algorithm = header.get("alg")
    if algorithm not in ASSERTION_ALGORITHMS:
        raise _invalid_grant("The assertion must be signed with RS256 or ES256.")
    try:
        claims = jwt.decode(
            assertion,
            public_key_pem,
            algorithms=[algorithm],
            options={"verify_aud": False, "require_exp": True, "require_iat": True},
        )
    except ExpiredSignatureError:
        raise _invalid_grant("The assertion has expired.") from None
    except JOSEError:
        raise _invalid_grant("The assertion's signature or claims are invalid.") from None
    return claims


def _check_claims(claims: dict, issuer: str) -> None:
    audience = claims.get("aud")
    if audience != issuer and not (isinstance(audience, list) and issuer in audience):
        raise _invalid_grant(f"The assertion's aud must be {issuer}.")
    if not claims.get("iss"):
        raise _invalid_grant("The assertion has no iss.")
    if not isinstance(claims.get("jti"), str) or not 0 < len(claims["jti"]) <= MAX_JTI_LENGTH:
        raise _invalid_grant(f"The assertion needs a jti of 1 to {MAX_JTI_LENGTH} characters.")
    iat, exp = claims["iat"], claims["exp"]
    if not isinstance(iat, int | float) or not isinstance(exp, int | float):
        raise _invalid_grant("The assertion's iat and exp must be numbers.")
    if exp - iat > MAX_ASSERTION_LIFETIME_SECONDS:
        raise _invalid_grant(
            f"The assertion's exp may be at most {MAX_ASSERTION_LIFETIME_SECONDS} s after its iat."
        )
    if iat > timezone.now().timestamp() + CLOCK_SKEW_SECONDS:
        raise _invalid_grant("The assertion's iat is in the future.")


def _issue(attempt: _Attempt, *, grant_type: str, assertion: str, issuer: str) -> dict:
    if grant_type != GRANT_TYPE:
        raise OAuthError("unsupported_grant_type", f"Use {GRANT_TYPE}.")
    if not assertion:
        raise OAuthError("invalid_request", "The assertion parameter is missing.")
    try:
        header = jwt.get_unverified_header(assertion)
    except JOSEError:
        raise _invalid_grant("The assertion is not a JWT.") from None
    chain = _certificate_chain(header)
    try:
        organisation = verify_enterprise_certificate(chain)
    except (CertificateRefused, virksomheter.OrganisationNotFound) as error:
        raise _invalid_grant(error.message) from None
    public_key_pem = (
        parse_chain(chain)[0]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    claims = _verified_claims(assertion, header, public_key_pem.decode())
    # Only now has the holder of the certificate's key shown itself.
    attempt.organisation_number = organisation.organisasjonsnummer
    _check_claims(claims, issuer)
    scopes = str(claims.get("scope", "")).split()
    if not scopes:
        raise OAuthError("invalid_scope", "The assertion asks for no scope.")
    try:
        virksomheter.check_scopes(organisation, scopes)
    except virksomheter.ScopeRefused as error:
        raise OAuthError("invalid_scope", error.message) from None
    try:
        virksomheter.use_grant_jti(
            organisation, claims["jti"], expires_at=datetime.fromtimestamp(claims["exp"], tz=UTC)
        )
    except virksomheter.GrantReplayed as error:
        raise _invalid_grant(error.message) from None
    now = int(timezone.now().timestamp())
    scope = " ".join(scopes)
    access_claims = {
        "iss": issuer,
        "aud": issuer,
        "client_amr": CLIENT_AMR,
        "consumer": {
            "authority": CONSUMER_AUTHORITY,
            "ID": f"{CONSUMER_ICD}:{organisation.organisasjonsnummer}",
        },
        "scope": scope,
        "iat": now,
        "exp": now + ACCESS_TOKEN_TTL_SECONDS,
        "jti": secrets.token_urlsafe(16),
        "token_type": TOKEN_TYPE,
    }
    return {
        "access_token": keys.sign(access_claims, token_type="at+jwt"),
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_TTL_SECONDS,
        "scope": scope,
    }
