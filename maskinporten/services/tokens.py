"""Maskinporten's token endpoint: an agency's machine gets a short-lived access token for an RFC 7523
JWT-bearer grant, signed either with a key registered on its client (`kid`) or with its enterprise
certificate, the chain in `x5c` (Digdir's maskinporten_protocol_jwtgrant and _token)."""

import base64
import binascii
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.x509 import load_der_x509_certificate
from django.utils import timezone
from jose import jwt
from jose.exceptions import JOSEError

from core import audit
from idporten import keys
from idporten.services import assertions
from idporten.services.errors import OAuthError
from maskinporten.models import Client, ClientKey, Delegation
from maskinporten.services import revocation
from maskinporten.services.errors import AuditAction
from virksomheter import services as virksomheter
from virksomheter.certificates import CertificateRefused, check_enterprise_certificate

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
RSA_ALGORITHMS = ("RS256", "RS384", "RS512")
EC_ALGORITHMS = ("ES256",)  # for registered EC P-256 keys and EC enterprise certificates
ASSERTION_ALGORITHMS = RSA_ALGORITHMS + EC_ALGORITHMS
MAX_ASSERTION_LIFETIME_SECONDS = 120
CLOCK_SKEW_SECONDS = 10
MAX_JTI_LENGTH = 255  # the column that keeps used ones
MAX_CLIENT_ID_LENGTH = 100
MAX_KID_LENGTH = 200
# Maskinporten's scopes are short names; 50,000 repeats of one once made a 1.5 MB token.
MAX_SCOPES = 50
MAX_SCOPE_LENGTH = 2000
MAX_RESOURCES = 10
MAX_RESOURCE_LENGTH = 500
ACCESS_TOKEN_TTL_SECONDS = 120
TOKEN_TYPE = "Bearer"
CLIENT_AMR_CERTIFICATE = "virksomhetssertifikat"
CLIENT_AMR_KEY = "private_key_jwt"
# ISO 6523 ICD 0192 is the Norwegian organisation number register (Enhetsregisteret).
CONSUMER_AUTHORITY = "iso6523-actorid-upis"
CONSUMER_ICD = "0192"
ORGANISATION_NUMBER = re.compile(r"[0-9]{9}")
CLIENT_FAILED = "Invalid assertion. Client authentication failed."


@dataclass
class _Attempt:
    """What is known of a grant so far, for the audit trail."""

    client_id: str = ""
    organisation_number: str = ""
    details: dict = field(default_factory=dict)


def issue_token(
    *, grant_type: str, assertion: str, issuer: str, legacy_audiences: tuple[str, ...] = (), request=None
) -> dict:
    """The token response for a JWT-bearer grant, or OAuthError; both are in the audit trail.
    `legacy_audiences`: further aud values accepted (Felles' own earlier issuer, at /api/token)."""
    attempt = _Attempt()
    try:
        body = _issue(attempt, grant_type, assertion, issuer, legacy_audiences)
    except OAuthError as error:
        audit.record(
            AuditAction.TOKEN_REFUSED,
            actor=attempt.organisation_number or "unknown",
            request=request,
            outcome=audit.Outcome.DENIED,
            object_type="maskinporten.client" if attempt.client_id else "",
            object_id=attempt.client_id,
            details={"error": error.error, "reason": error.description},
        )
        raise
    audit.record(
        AuditAction.TOKEN_ISSUED,
        actor=attempt.organisation_number,
        request=request,
        object_type="maskinporten.client",
        object_id=attempt.client_id,
        details={"scope": body["scope"], **attempt.details},
    )
    return body


def _invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description)


def _bounded_string(value, max_length: int) -> str | None:
    if isinstance(value, str) and 0 < len(value) <= max_length and "\x00" not in value:
        return value
    return None


def _client(claims: dict) -> Client:
    client_id = _bounded_string(claims.get("iss"), MAX_CLIENT_ID_LENGTH)
    client = (
        Client.objects.select_related("organisation").filter(client_id=client_id).first()
        if client_id
        else None
    )
    if client is None or not client.active:
        raise _invalid_grant(f"{CLIENT_FAILED} Unknown or inactive client (iss).")
    return client


def _unverified(assertion: str) -> tuple[dict, dict]:
    try:
        header = jwt.get_unverified_header(assertion)
    except (JOSEError, RecursionError, ValueError, TypeError):  # deep nesting overflows json
        raise _invalid_grant("The assertion is not a JWT.") from None
    try:
        claims = jwt.get_unverified_claims(assertion)
    except (JOSEError, RecursionError, ValueError, TypeError):  # also integers of over 4300 digits
        raise _invalid_grant("The assertion's claims are not a JSON object.") from None
    if not isinstance(claims, dict):
        raise _invalid_grant("The assertion's claims are not a JSON object.")
    return header, claims


def _verified(assertion: str, key, algorithm: str) -> dict:
    try:
        return assertions.verified_claims(assertion, key, algorithm)
    except assertions.AssertionInvalid as error:
        raise _invalid_grant(error.message) from None


def _with_registered_key(
    assertion: str, header: dict, client: Client, algorithm: str, attempt
) -> tuple[dict, dict]:
    kid = _bounded_string(header.get("kid"), MAX_KID_LENGTH)
    now = timezone.now()
    key = (
        ClientKey.objects.filter(client=client, kid=kid, revoked_at__isnull=True, expires_at__gt=now).first()
        if kid
        else None
    )
    if key is None:
        raise _invalid_grant(f"{CLIENT_FAILED} Unknown key identifier (kid) for client.")
    fits = RSA_ALGORITHMS if key.public_jwk.get("kty") == "RSA" else EC_ALGORITHMS
    if algorithm not in fits:
        raise _invalid_grant(f"The key {kid} cannot sign with {algorithm}; use " + " or ".join(fits) + ".")
    claims = _verified(assertion, key.public_jwk, algorithm)
    attempt.details["kid"] = kid
    return claims, {"client_key": key, "client_amr": CLIENT_AMR_KEY}


def _with_certificate(
    assertion: str, header: dict, client: Client, algorithm: str, attempt
) -> tuple[dict, dict]:
    x5c = header.get("x5c")
    if not isinstance(x5c, list) or not x5c or not all(isinstance(item, str) for item in x5c):
        raise _invalid_grant("The assertion has neither a kid nor a certificate chain (x5c) in its header.")
    try:
        # x5c is standard base64, not base64url (RFC 7515 section 4.1.6).
        chain = [base64.b64decode(item, validate=True) for item in x5c]
    except (binascii.Error, ValueError):
        raise _invalid_grant("The x5c header is not base64-encoded DER.") from None
    try:
        verified = check_enterprise_certificate(chain, algorithm=algorithm)
    except (CertificateRefused, virksomheter.OrganisationNotFound) as error:
        raise _invalid_grant(error.message) from None
    if verified.organisation.pk != client.organisation_id:
        raise _invalid_grant(
            f"{CLIENT_FAILED} The certificate belongs to another organisation than the client."
        )
    public_pem = (
        load_der_x509_certificate(chain[0])
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    claims = _verified(assertion, public_pem.decode(), algorithm)
    attempt.details["certificate_serial"] = verified.serial
    return claims, {
        "certificate_issuer": verified.issuer,
        "certificate_serial": verified.serial,
        "client_amr": CLIENT_AMR_CERTIFICATE,
    }


def _check_times_and_audience(claims: dict, issuer: str, audiences: set[str]) -> None:
    try:
        audience = assertions.audiences(claims)
        assertions.string_claim(claims, "jti", required=True, max_length=MAX_JTI_LENGTH)
        assertions.string_claim(claims, "sub", required=False)
        iat = assertions.numeric_date(claims, "iat", required=True)
        exp = assertions.numeric_date(claims, "exp", required=True)
        not_before = assertions.numeric_date(claims, "nbf", required=False)
    except assertions.AssertionInvalid as error:
        raise _invalid_grant(error.message) from None
    if len(audience) != 1 or audience[0] not in audiences:
        raise _invalid_grant(f"The assertion's aud must be the single value {issuer}.")
    now = timezone.now().timestamp()
    if abs(iat - now) > CLOCK_SKEW_SECONDS:
        raise _invalid_grant(f"The assertion's iat must be within {CLOCK_SKEW_SECONDS} s of our clock.")
    if exp <= now:
        raise _invalid_grant("The assertion has expired.")
    if not_before is not None and not_before > now + CLOCK_SKEW_SECONDS:
        raise _invalid_grant("The assertion is not valid yet (nbf).")
    if not iat < exp <= iat + MAX_ASSERTION_LIFETIME_SECONDS:
        raise _invalid_grant(
            f"The assertion's exp must come after its iat, and at most {MAX_ASSERTION_LIFETIME_SECONDS} s after."
        )


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


def _resource(claims: dict) -> str | list[str] | None:
    """The optional resource (the API the token is for): a string or, as Digdir documents, an array."""
    if "resource" not in claims:
        return None
    value = claims["resource"]
    values = [value] if isinstance(value, str) else value
    if (
        not isinstance(values, list)
        or not 0 < len(values) <= MAX_RESOURCES
        or not all(_bounded_string(item, MAX_RESOURCE_LENGTH) for item in values)
    ):
        raise OAuthError(
            "invalid_grant",
            f"The assertion's resource must be a string or an array of at most {MAX_RESOURCES} strings.",
        )
    return value


def _consumer(claims: dict, client: Client, canonical: list[str]) -> tuple:
    """The consumer the token names, and the delegations it rests on (none unless consumer_org).
    Either way the client must be registered for every scope (Digdir: a delegation lets the
    supplier's client use the scope, it does not add the scope to the client)."""
    registered = {virksomheter.canonical_scope(scope) for scope in client.scopes}
    missing = [scope for scope in canonical if scope not in registered]
    if missing:
        raise OAuthError(
            "invalid_scope", "The client is not registered for the scope " + " ".join(missing) + "."
        )
    if "consumer_org" not in claims or claims["consumer_org"] == client.organisation.organisasjonsnummer:
        try:
            virksomheter.check_scopes(client.organisation, canonical)
        except virksomheter.ScopeRefused as error:
            raise OAuthError("invalid_scope", error.message) from None
        return client.organisation, []
    number = claims["consumer_org"]
    if not isinstance(number, str) or not ORGANISATION_NUMBER.fullmatch(number):
        raise _invalid_grant("The assertion's consumer_org must be an organisation number of 9 digits.")
    delegations = list(
        Delegation.objects.select_related("customer").filter(
            customer__organisasjonsnummer=number,
            supplier=client.organisation,
            scope__in=canonical,
            revoked_at__isnull=True,
        )
    )
    if {delegation.scope for delegation in delegations} != set(canonical):
        raise _invalid_grant(
            f"The organisation {number} has not delegated every scope asked for to the client's organisation."
        )
    customer = delegations[0].customer
    try:
        virksomheter.check_scopes(customer, canonical)
    except virksomheter.ScopeRefused as error:
        raise _invalid_grant(error.message) from None
    return customer, delegations


def _party(organisation) -> dict:
    return {"authority": CONSUMER_AUTHORITY, "ID": f"{CONSUMER_ICD}:{organisation.organisasjonsnummer}"}


def _issue(attempt: _Attempt, grant_type: str, assertion: str, issuer: str, legacy_audiences) -> dict:
    if grant_type != GRANT_TYPE:
        raise OAuthError("unsupported_grant_type", f"Use {GRANT_TYPE}.")
    if not assertion:
        raise OAuthError("invalid_request", "The assertion parameter is missing.")
    header, unverified = _unverified(assertion)
    try:
        algorithm = assertions.check_header(header, ASSERTION_ALGORITHMS)
    except assertions.AssertionInvalid as error:
        raise _invalid_grant(error.message) from None
    client = _client(unverified)
    attempt.client_id = client.client_id
    check = _with_registered_key if "kid" in header else _with_certificate
    claims, proof = check(assertion, header, client, algorithm, attempt)
    if claims.get("iss") != client.client_id:
        raise _invalid_grant(f"{CLIENT_FAILED} Unknown or inactive client (iss).")
    # Only now has the client shown that it holds the key.
    attempt.organisation_number = client.organisation.organisasjonsnummer
    _check_times_and_audience(claims, issuer, {issuer, issuer.rstrip("/"), *legacy_audiences})
    asked = _scopes(claims)
    canonical = list(dict.fromkeys(virksomheter.canonical_scope(scope) for scope in asked))
    resource = _resource(claims)
    consumer, delegations = _consumer(claims, client, canonical)
    try:
        virksomheter.use_grant_jti(
            client.organisation, claims["jti"], expires_at=datetime.fromtimestamp(claims["exp"], tz=UTC)
        )
    except virksomheter.GrantReplayed as error:
        raise _invalid_grant(error.message) from None
    now = int(timezone.now().timestamp())
    scope = " ".join(asked)
    access_claims = {
        "iss": issuer,
        "client_id": client.client_id,
        "client_amr": proof.pop("client_amr"),
        "consumer": _party(consumer),
        **({"supplier": _party(client.organisation)} if delegations else {}),
        **({"aud": resource} if resource is not None else {}),
        "scope": scope,
        "token_type": TOKEN_TYPE,
        "iat": now,
        "exp": now + ACCESS_TOKEN_TTL_SECONDS,
        "jti": secrets.token_urlsafe(24),
    }
    revocation.record_issued(
        access_claims["jti"],
        client=client,
        consumer=consumer,
        delegations=delegations,
        expires_at=datetime.fromtimestamp(access_claims["exp"], tz=UTC),
        **proof,
    )
    if delegations:
        attempt.details["consumer"] = consumer.organisasjonsnummer
    return {
        "access_token": keys.sign(access_claims, token_type="at+jwt"),
        "token_type": TOKEN_TYPE,
        "expires_in": ACCESS_TOKEN_TTL_SECONDS,
        "scope": scope,
    }
