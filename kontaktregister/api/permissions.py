"""Who may look up: a Maskinporten token with either of KRR's scopes, as Digdir documents them (the
answer then depends on which of them the token has)."""

from rest_framework.permissions import BasePermission

from kontaktregister import services
from maskinporten.drf import InsufficientScope

LOOKUP_SCOPES = (services.SCOPE_CONTACT, services.SCOPE_DIGITAL_POST)
# Until maskinporten.drf.token_has_scope lands: Felles' old names for the two scopes.
_ALIASES = {"krr:kontaktinformasjon": services.SCOPE_CONTACT, "krr:digitalpost": services.SCOPE_DIGITAL_POST}


def token_has_scope(request, scope: str) -> bool:
    granted = str(request.auth.get("scope", "")).split() if isinstance(request.auth, dict) else []
    return any(_ALIASES.get(name, name) == scope for name in granted)


class HasLookupScope(BasePermission):
    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated and isinstance(request.auth, dict)):
            return False
        if not any(token_has_scope(request, scope) for scope in LOOKUP_SCOPES):
            raise InsufficientScope(list(LOOKUP_SCOPES))
        return True


__all__ = ["HasLookupScope", "token_has_scope"]
