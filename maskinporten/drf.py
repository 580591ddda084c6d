"""DRF authentication and permission for agency APIs: a Maskinporten access token, and the
scopes a view requires (`required_scopes = ["krr:kontaktinformasjon"]`)."""

from dataclasses import dataclass

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from idporten import keys
from idporten.services.issuer import issuer
from maskinporten.services.tokens import CONSUMER_ICD, TOKEN_TYPE

REALM = "felles"


@dataclass(frozen=True)
class Agency:
    """The organisation whose machine presented the token."""

    organisation_number: str
    is_authenticated: bool = True
    is_anonymous: bool = False

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


def _organisation_number(claims: dict) -> str | None:
    consumer = claims.get("consumer")
    if not isinstance(consumer, dict):
        return None
    icd, _, number = str(consumer.get("ID", "")).partition(":")
    return number if icd == CONSUMER_ICD and number else None


class MaskinportenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        scheme, _, token = get_authorization_header(request).decode("latin-1").partition(" ")
        if scheme.lower() != "bearer":
            return None
        request.maskinporten_token_refused = True
        if not token.strip():
            raise InvalidToken("The Bearer token is empty.")
        try:
            claims = keys.verify(token.strip(), issuer=issuer(request), audience=issuer(request))
        except keys.SigningError as error:
            raise InvalidToken(str(error)) from None
        number = _organisation_number(claims)
        if claims.get("token_type") != TOKEN_TYPE or number is None:
            raise InvalidToken("This is not a Maskinporten access token.")
        request.maskinporten_token_refused = False
        return Agency(organisation_number=number), claims

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
            "description": "An access token from POST /api/token (JWT-bearer grant, RFC 7523).",
        }


class HasScope(BasePermission):
    """Every scope in the view's `required_scopes` must be in the token."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated and isinstance(request.auth, dict)):
            return False
        granted = set(str(request.auth.get("scope", "")).split())
        missing = [scope for scope in getattr(view, "required_scopes", []) if scope not in granted]
        if missing:
            raise InsufficientScope(missing)
        return True
