"""What ID-porten does, for its endpoints, pages and admin. Import from here."""

from idporten.services import first_party
from idporten.services.authorize import (
    AuthRequest,
    finish_pending,
    from_query,
    keep_pending,
    pending,
    push,
    validate,
)
from idporten.services.clients import authenticate, create_client, get_client, reset_secret, update_client
from idporten.services.errors import OAuthError
from idporten.services.housekeeping import purge_expired
from idporten.services.sso import (
    current_session,
    end_session,
    give_consent,
    has_consent,
    meets,
    recent_logins,
    start_session,
    withdraw_consent,
)
from idporten.services.tokens import (
    exchange_code,
    introspect,
    issue_code,
    redirect_with,
    refresh,
    revoke,
    userinfo,
)

__all__ = [
    "AuthRequest", "OAuthError", "authenticate", "create_client", "current_session", "end_session",
    "exchange_code", "finish_pending", "first_party", "from_query", "get_client", "give_consent", "has_consent",
    "introspect", "issue_code", "keep_pending", "meets", "pending", "purge_expired", "push", "recent_logins", "redirect_with",
    "refresh", "reset_secret", "revoke", "start_session", "update_client", "userinfo", "validate", "withdraw_consent",
]  # fmt: skip
