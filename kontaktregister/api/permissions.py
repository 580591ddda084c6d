"""Who may look up: a Maskinporten token with either of KRR's scopes, as Digdir documents them (the
answer then depends on which of them the token has; the old names count as aliases)."""

from rest_framework.permissions import BasePermission

from kontaktregister import services
from maskinporten.drf import InsufficientScope, token_has_scope

LOOKUP_SCOPES = (services.SCOPE_CONTACT, services.SCOPE_DIGITAL_POST)


class HasLookupScope(BasePermission):
    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated and isinstance(request.auth, dict)):
            return False
        if not any(token_has_scope(request, scope) for scope in LOOKUP_SCOPES):
            raise InsufficientScope(list(LOOKUP_SCOPES))
        return True
