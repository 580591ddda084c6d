"""Maskinporten's domain errors: registry and delegation refusals with a user-facing message."""

from django.db import models

from core.errors import DomainError


class AuditAction(models.TextChoices):
    TOKEN_ISSUED = "maskinporten.token_issued"
    TOKEN_REFUSED = "maskinporten.token_refused"
    CLIENT_REGISTERED = "maskinporten.client_registered"
    CLIENT_CHANGED = "maskinporten.client_changed"
    KEY_ADDED = "maskinporten.key_added"
    KEY_REVOKED = "maskinporten.key_revoked"
    DELEGATION_GRANTED = "maskinporten.delegation_granted"
    DELEGATION_REVOKED = "maskinporten.delegation_revoked"


class MaskinportenError(DomainError):
    code = "maskinporten_error"


class ScopeNotGranted(MaskinportenError):
    code = "scope_not_granted"


class KeyRefused(MaskinportenError):
    code = "key_refused"


class DelegationRefused(MaskinportenError):
    code = "delegation_refused"
