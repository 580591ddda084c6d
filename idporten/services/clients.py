"""Relying parties: registration and client authentication at the token endpoint
(client_secret_basic, client_secret_post, private_key_jwt, and none for public clients)."""

import base64
import hashlib
import secrets
from datetime import UTC, datetime
from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from jose import jwt
from jose.exceptions import JOSEError

from core import audit
from idporten.models import Client, UsedAssertion
from idporten.services import assertions, cors
from idporten.services.errors import OAuthError

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = ("RS256", "ES256")
MAX_ASSERTION_LIFETIME = 120
CLOCK_SKEW_SECONDS = 10
MAX_JTI_LENGTH = 200  # the column that keeps used ones


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def create_client(
    *, organisation, name: str, redirect_uris: list[str], created_by, request=None, **fields
) -> tuple[Client, str]:
    """Register a client. Returns it with its secret, which is shown once and stored hashed; a public
    client (auth_method none) has none, and gets "" for it."""
    public = fields.get("auth_method") == Client.AuthMethod.NONE
    secret = "" if public else new_secret()
    client = Client(
        client_id=fields.pop("client_id", None) or secrets.token_hex(16),
        organisation=organisation,
        name=name,
        redirect_uris=redirect_uris,
        pairwise_salt=secrets.token_hex(32),
        secret_hash="" if public else hash_secret(secret),
        **fields,
    )
    _check_registration(client)
    client.save()
    audit.record(
        "idporten.client_registered",
        actor=created_by,
        request=request,
        obj=client,
        object_id=client.client_id,
    )
    return client, secret


def update_client(client: Client, *, changed_fields: list[str], changed_by, request=None) -> Client:
    """Store changes made to a client's registration (never its secret). A client made public loses
    its secret: a public client has none, and a secret set again is a reset, shown once."""
    _check_registration(client)
    if client.auth_method == Client.AuthMethod.NONE:
        client.secret_hash = ""
    client.save()
    audit.record(
        "idporten.client_changed",
        actor=changed_by,
        request=request,
        obj=client,
        object_id=client.client_id,
        details={"fields": changed_fields},
    )
    return client


def _check_registration(client: Client) -> None:
    """The model's own checks, and the CORS origins as browsers send them (services.cors)."""
    try:
        client.allowed_origins = cors.normalized_origins(client.allowed_origins)
    except ValidationError as error:
        raise ValidationError({"allowed_origins": error.error_list}) from None
    client.full_clean()


def reset_secret(client: Client, *, changed_by, request=None) -> str:
    if client.auth_method == Client.AuthMethod.NONE:
        # A secret in a single-page or mobile app is no secret; PKCE alone binds its codes.
        raise ValidationError(_("A public client has no secret: it logs in with PKCE alone."))
    secret = new_secret()
    client.secret_hash = hash_secret(secret)
    client.save(update_fields=["secret_hash"])
    audit.record(
        "idporten.client_secret_reset",
        actor=changed_by,
        request=request,
        obj=client,
        object_id=client.client_id,
    )
    return secret


def get_client(client_id: str | None) -> Client | None:
    # PostgreSQL refuses NUL in a query string; no client_id has one.
    if not client_id or len(client_id) > 100 or "\x00" in client_id:
        return None
    return Client.objects.select_related("organisation").filter(client_id=client_id, active=True).first()


def _invalid_client(description: str, client_id: str = "", request=None) -> OAuthError:
    client_id = client_id.replace("\x00", "\ufffd")[:100]  # as sent, but storable in PostgreSQL
    audit.record(
        "idporten.client_authentication_failed",
        actor=client_id or "unknown client",
        request=request,
        object_type="idporten.client",
        object_id=client_id,
        outcome=audit.Outcome.DENIED,
        details={"reason": description},
    )
    return OAuthError("invalid_client", description, status=401, redirect=False)


def authenticate(request, form: dict[str, str], *, audiences: set[str], public: bool = False) -> Client:
    """The client making a back-channel request, authenticated by its registered method; `form` is
    the request's checked parameters (idporten.services.params). With `public`, a client registered
    with auth_method none identifies itself with client_id alone (RFC 6749 sections 2.1 and 3.2.1);
    a confidential client never can."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            client_id, _sep, secret = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            raise _invalid_client("Malformed Basic credentials.", request=request) from None
        return _check_secret(unquote(client_id), unquote(secret), "client_secret_basic", request)
    if form.get("client_assertion_type") == ASSERTION_TYPE:
        return _check_assertion(form.get("client_assertion", ""), form.get("client_id"), audiences, request)
    if form.get("client_secret"):
        return _check_secret(form.get("client_id", ""), form["client_secret"], "client_secret_post", request)
    return _check_public(form.get("client_id", ""), public, request)


def _check_public(client_id: str, allowed: bool, request) -> Client:
    client = get_client(client_id)
    if client is None or client.auth_method != Client.AuthMethod.NONE:
        raise _invalid_client("Client authentication is required.", client_id, request)
    if not allowed:
        raise _invalid_client("A public client may not use this endpoint.", client_id, request)
    return client


def _check_secret(client_id: str, secret: str, method: str, request) -> Client:
    client = get_client(client_id)
    if client is None or client.auth_method != method or not client.secret_hash:
        raise _invalid_client("Unknown client or wrong authentication method.", client_id, request)
    if not constant_time_compare(hash_secret(secret), client.secret_hash):
        raise _invalid_client("Wrong client secret.", client_id, request)
    return client


def _check_assertion(assertion: str, client_id: str | None, audiences: set[str], request) -> Client:
    try:
        header = jwt.get_unverified_header(assertion)
        unverified = jwt.get_unverified_claims(assertion)
    except (JOSEError, RecursionError):  # python-jose parses with json, which a deep nesting overflows
        raise _invalid_client("The client assertion is not a JWT.", client_id or "", request) from None
    issuer = unverified.get("iss")
    client = get_client(issuer if isinstance(issuer, str) else None)
    if client is None or client.auth_method != Client.AuthMethod.PRIVATE_KEY_JWT:
        raise _invalid_client("Unknown client or wrong authentication method.", str(issuer)[:100], request)
    if client_id and client_id != client.client_id:
        raise _invalid_client("client_id does not match the assertion.", client.client_id, request)
    try:
        algorithm = assertions.check_header(header, ASSERTION_ALGORITHMS)
    except assertions.AssertionInvalid as error:
        raise _invalid_client(error.message, client.client_id, request) from None
    keys = [
        k for k in client.jwks.get("keys", []) if k.get("kid") == header.get("kid") or "kid" not in header
    ]
    if not keys:
        raise _invalid_client("Unknown key id in the client assertion.", client.client_id, request)
    claims = None
    for key in keys:
        try:
            claims = assertions.verified_claims(assertion, key, algorithm)
            break
        except assertions.AssertionInvalid:
            continue
    if claims is None:
        raise _invalid_client("The client assertion's signature does not hold.", client.client_id, request)
    jti, expires = _checked_claims(claims, client, audiences, request)
    try:
        with transaction.atomic():
            UsedAssertion.objects.create(client=client, jti=jti, expires_at=expires)
    except IntegrityError:
        raise _invalid_client(
            "The client assertion has been used before.", client.client_id, request
        ) from None
    return client


def _checked_claims(claims: dict, client: Client, audiences: set[str], request) -> tuple[str, datetime]:
    """The assertion's jti and expiry, once its claims are of the right types and hold (RFC 7523 3)."""
    try:
        audience = assertions.audiences(claims)
        issuer = assertions.string_claim(claims, "iss", required=True)
        subject = assertions.string_claim(claims, "sub", required=True)
        jti = assertions.string_claim(claims, "jti", required=True, max_length=MAX_JTI_LENGTH)
        expires = assertions.numeric_date(claims, "exp", required=True)
        issued = assertions.numeric_date(claims, "iat", required=False)
        not_before = assertions.numeric_date(claims, "nbf", required=False)
    except assertions.AssertionInvalid as error:
        raise _invalid_client(error.message, client.client_id, request) from None
    if issuer != client.client_id or subject != client.client_id:
        raise _invalid_client(
            "The client assertion's iss and sub must be the client_id.", client.client_id, request
        )
    if not set(audience) & audiences:
        raise _invalid_client("The client assertion is for another audience.", client.client_id, request)
    now = timezone.now().timestamp()
    if expires <= now:
        raise _invalid_client("The client assertion has expired.", client.client_id, request)
    if expires - now > MAX_ASSERTION_LIFETIME:
        raise _invalid_client("The client assertion lives too long.", client.client_id, request)
    if max(issued or 0, not_before or 0) > now + CLOCK_SKEW_SECONDS:
        raise _invalid_client("The client assertion is not valid yet.", client.client_id, request)
    return jti, datetime.fromtimestamp(expires, tz=UTC)
