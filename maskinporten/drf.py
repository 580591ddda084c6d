"""DRF authentication and permission for agency APIs: a Maskinporten access token that is still in
force, and the scopes a view requires (`required_scopes = ["krr:global/kontaktinformasjon.read"]`;
Felles' old scope names count as their real ones on both sides)."""

import time
from dataclasses import dataclass

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from jose import jwt
from jose.exceptions import JOSEError
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from idporten import keys
from maskinporten.services import revocation
from maskinporten.services.issuer import issuer
from maskinporten.services.tokens import CONSUMER_ICD, ORGANISATION_NUMBER
from virksomheter.services import canonical_scope

REALM = "felles"
ACCESS_TOKEN_TYPE = "at+jwt"
# The issuer's public keys by kid, kept briefly per process: a token used again costs no query.
PUBLIC_KEY_SECONDS = 60
_public_keys: dict[str, tuple[float, dict, str]] = {}


@dataclass(frozen=True)
class Agency:
    """The organisation the token names as consumer, and the supplier whose machine presented it
    (the same organisation unless the consumer delegated the scope)."""

    organisation_number: str
    supplier_number: str = ""
    is_authenticated: bool = True
    is_anonymous: bool = False

    def __post_init__(self):
        if not self.supplier_number:
            object.__setattr__(self, "supplier_number", self.organisation_number)

    def __str__(self):
        return self.organisation_number


class InvalidToken(exceptions.AuthenticationFailed):
    def __init__(self, description: str):
        super().__init__({"error": "invalid_token", "error_description": description})


class InsufficientScope(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "insufficient_scope"

    def __init__(self, missing: list[str]):
        super().__init__(
            {
                "error": "insufficient_scope",
                "error_description": f"The token lacks the scope {' '.join(missing)}.",
            }
        )


def _party_number(claims: dict, name: str) -> str | None:
    party = claims.get(name)
    if not isinstance(party, dict):
        return None
    icd, _, number = str(party.get("ID", "")).partition(":")
    return number if icd == CONSUMER_ICD and ORGANISATION_NUMBER.fullmatch(number) else None


def _public_key(kid: str) -> tuple[dict, str] | None:
    clock = time.monotonic()
    remembered = _public_keys.get(kid)
    if remembered is not None and remembered[0] > clock:
        return remembered[1], remembered[2]
    key = keys.published_keys().filter(kid=kid).first()
    if key is None:
        return None
    if len(_public_keys) > 100:
        _public_keys.clear()
    _public_keys[kid] = (clock + PUBLIC_KEY_SECONDS, key.public_jwk, key.algorithm)
    return key.public_jwk, key.algorithm


def _claims(token: str, expected_issuer: str) -> dict:
    try:
        header = jwt.get_unverified_header(token)
    except (JOSEError, RecursionError):  # python-jose parses with json, which a deep nesting overflows
        raise InvalidToken("Not a JWT.") from None
    kid = header.get("kid")
    if not isinstance(kid, str) or not 0 < len(kid) <= keys.MAX_KID_LENGTH or "\x00" in kid:
        raise InvalidToken("Unknown key id.")
    if header.get("typ") != ACCESS_TOKEN_TYPE:
        raise InvalidToken("This is not a Maskinporten access token.")
    found = _public_key(kid)
    if found is None:
        raise InvalidToken("Unknown key id.")
    public_jwk, algorithm = found
    try:
        return jwt.decode(
            token, public_jwk, algorithms=[algorithm], issuer=expected_issuer, options={"verify_aud": False}
        )
    except (JOSEError, RecursionError) as error:
        raise InvalidToken(str(error)) from None


def _scopes(claims: dict) -> set[str]:
    return {canonical_scope(scope) for scope in str(claims.get("scope", "")).split()}


class MaskinportenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        scheme, _, token = get_authorization_header(request).decode("latin-1").partition(" ")
        if scheme.lower() != "bearer":
            return None
        request.maskinporten_token_refused = True
        token = token.strip()
        if not token:
            raise InvalidToken("The Bearer token is empty.")
        claims = _claims(token, issuer(request))
        consumer = _party_number(claims, "consumer")
        jti = claims.get("jti")
        if consumer is None or not isinstance(jti, str) or not isinstance(claims.get("scope"), str):
            raise InvalidToken("This is not a Maskinporten access token.")
        if not revocation.in_force(jti, sorted(_scopes(claims))):
            raise InvalidToken("The token has been revoked.")
        request.maskinporten_token_refused = False
        supplier = _party_number(claims, "supplier") or consumer
        return Agency(organisation_number=consumer, supplier_number=supplier), claims

    def authenticate_header(self, request):
        if getattr(request, "maskinporten_token_refused", False):
            return f'Bearer realm="{REALM}", error="invalid_token"'
        return f'Bearer realm="{REALM}"'


class MaskinportenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the authentication: a Bearer JWT from Maskinporten."""

    target_class = MaskinportenAuthentication
    name = "maskinporten"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token from POST /maskinporten/token (JWT-bearer grant, RFC 7523).",
        }


def token_has_scope(request, scope: str) -> bool:
    """Whether the request's Maskinporten token carries `scope` (by its real name or an alias)."""
    return isinstance(request.auth, dict) and canonical_scope(scope) in _scopes(request.auth)


class HasScope(BasePermission):
    """Every scope in the view's `required_scopes` must be in the token."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated and isinstance(request.auth, dict)):
            return False
        granted = _scopes(request.auth)
        required = getattr(view, "required_scopes", [])
        missing = [scope for scope in required if canonical_scope(scope) not in granted]
        if missing:
            raise InsufficientScope(missing)
        return True
