"""Maskinporten's services: what the token endpoint, the admin and other apps call.

The JOSE plumbing (the issuer's signing keys and JWKS in `idporten.keys`, assertion checks in
`idporten.services.assertions`, OAuth errors and form parsing) is shared with ID-porten: the
project's one JOSE layer, not ID-porten's business.
"""

from maskinporten.services.errors import (
    AuditAction,
    DelegationRefused,
    KeyRefused,
    MaskinportenError,
    ScopeNotGranted,
)
from maskinporten.services.issuer import issuer, metadata
from maskinporten.services.registry import (
    add_client_key,
    change_client,
    delegate_scope,
    register_client,
    revoke_client_key,
    revoke_delegation,
)
from maskinporten.services.revocation import in_force, purge_expired
from maskinporten.services.tokens import GRANT_TYPE, issue_token

__all__ = [
    "GRANT_TYPE",
    "AuditAction",
    "DelegationRefused",
    "KeyRefused",
    "MaskinportenError",
    "ScopeNotGranted",
    "add_client_key",
    "change_client",
    "delegate_scope",
    "in_force",
    "issue_token",
    "issuer",
    "metadata",
    "purge_expired",
    "register_client",
    "revoke_client_key",
    "revoke_delegation",
]
