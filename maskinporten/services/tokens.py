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
from jose.exceptions import JOSEError

from core import audit
from idporten import keys
from idporten.services import assertions
from idporten.services.errors import OAuthError
from virksomheter import services as virksomheter
from virksomheter.certificates import CertificateRefused, parse_chain, verify_enterprise_certificate

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_ALGORITHMS = ("RS256", "ES256")
MAX_ASSERTION_LIFETIME_SECONDS = 120
CLOCK_SKEW_SECONDS = 10
MAX_JTI_LENGTH = 255  # the column that keeps used ones
# Maskinporten's scopes are short names; 50,000 repeats of one once made a 1.5 MB token.
MAX_SCOPES = 50
MAX_SCOPE_LENGTH = 2000
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


def _algorithm(header: dict) -> str:
    try:
        return assertions.check_header(header, ASSERTION_ALGORITHMS)
    except assertions.AssertionInvalid as error:
        raise _invalid_grant(error.message) from None


def _verified_claims(assertion: str, algorithm: str, public_key_pem: str) -> dict:
    """The claims of an assertion whose signature the certificate's key made."""
    try:
        return assertions.verified_claims(assertion, public_key_pem, algorithm)
    except assertions.AssertionInvalid as error:
        raise _invalid_grant(error.message) from None


def _check_claims(claims: dict, issuer: str) -> None:
    try:
        audience = assertions.audiences(claims)
        assertions.string_claim(claims, "iss", required=True)
        assertions.string_claim(claims, "sub", required=False)
        assertions.string_claim(claims, "jti", required=True, max_length=MAX_JTI_LENGTH)
        iat = assertions.numeric_date(claims, "iat", required=True)
        exp = assertions.numeric_date(claims, "exp", required=True)
        not_before = assertions.numeric_date(claims, "nbf", required=False)
    except assertions.AssertionInvalid as error:
        raise _invalid_grant(error.message) from None
    if issuer not in audience:
        raise _invalid_grant(f"The assertion's aud must be {issuer}.")
    now = timezone.now().timestamp()
    if exp <= now:
        raise _invalid_grant("The assertion has expired.")
    if not iat < exp <= iat + MAX_ASSERTION_LIFETIME_SECONDS:
        raise _invalid_grant(
            f"The assertion's exp must come after its iat, and at most {MAX_ASSERTION_LIFETIME_SECONDS} s after."
        )
    if iat > now + CLOCK_SKEW_SECONDS:
        raise _invalid_grant("The assertion's iat is in the future.")
    if not_before is not None and not_before > now + CLOCK_SKEW_SECONDS:
        raise _invalid_grant("The assertion is not valid yet (nbf).")


def _scopes(claims: dict) -> list[str]:
    """The scopes asked for, each once and in order; a grant asks for a bounded number."""
    scope = claims.get("scope", "")
    if not isinstance(scope, str):
        raise OAuthError("invalid_scope", "The assertion's scope must be a space-separated string.")
    if len(scope) > MAX_SCOPE_LENGTH:
        raise OAuthError(
            "invalid_scope", f"The assertion's scope may be at most {MAX_SCOPE_LENGTH} characters."
        )
    scopes = list(dict.fromkeys(scope.split()))
    if not scopes:
        raise OAuthError("invalid_scope", "The assertion asks for no scope.")
    if len(scopes) > MAX_SCOPES:
        raise OAuthError("invalid_scope", f"The assertion may ask for at most {MAX_SCOPES} scopes.")
    return scopes


def _issue(attempt: _Attempt, *, grant_type: str, assertion: str, issuer: str) -> dict:
    if grant_type != GRANT_TYPE:
        raise OAuthError("unsupported_grant_type", f"Use {GRANT_TYPE}.")
    if not assertion:
        raise OAuthError("invalid_request", "The assertion parameter is missing.")
    try:
        header = jwt.get_unverified_header(assertion)
    except (JOSEError, RecursionError):  # python-jose parses with json, which a deep nesting overflows
        raise _invalid_grant("The assertion is not a JWT.") from None
    algorithm = _algorithm(header)
    chain = _certificate_chain(header)
    try:
        organisation = verify_enterprise_certificate(chain, algorithm=algorithm)
    except (CertificateRefused, virksomheter.OrganisationNotFound) as error:
        raise _invalid_grant(error.message) from None
    public_key_pem = (
        parse_chain(chain)[0]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    claims = _verified_claims(assertion, algorithm, public_key_pem.decode())
    # Only now has the holder of the certificate's key shown itself.
    attempt.organisation_number = organisation.organisasjonsnummer
    _check_claims(claims, issuer)
    scopes = _scopes(claims)
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
