"""The client registry (Samarbeidsportalen's Maskinporten integrations) and delegation (Altinn's
API delegation): who may ask for which scope, with which key, on whose behalf.

Digdir's rule for self-registered keys: each has a kid and is valid for at most one year."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from jose import jwk
from jose.exceptions import JOSEError

from core import audit
from maskinporten.models import Client, ClientKey, Delegation
from maskinporten.services.errors import (
    AuditAction,
    DelegationRefused,
    KeyRefused,
    MaskinportenError,
    ScopeNotGranted,
)
from virksomheter import services as virksomheter
from virksomheter.models import Organisation

MAX_KEY_LIFETIME = timedelta(days=365)
MIN_RSA_BITS = 2048
MAX_KID_LENGTH = 200  # ClientKey.kid
MAX_CLIENT_ID_LENGTH = 100  # Client.client_id
MAX_NAME_LENGTH = 200  # Client.name
# Members that only a private JWK has (RFC 7518 sections 6.2.2 and 6.3.2).
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def granted_scopes(organisation: Organisation, scopes: list[str]) -> list[str]:
    """The real names of `scopes`, or ScopeNotGranted naming those the organisation lacks."""
    canonical = list(dict.fromkeys(virksomheter.canonical_scope(scope) for scope in scopes))
    granted = set(organisation.scope_grants.values_list("scope", flat=True))
    missing = [scope for scope in canonical if scope not in granted]
    if missing:
        raise ScopeNotGranted(
            _("The organisation has not been granted: %(scopes)s.") % {"scopes": " ".join(missing)}
        )
    return canonical


def register_client(
    organisation: Organisation,
    *,
    name: str,
    scopes: list[str],
    registered_by: Any,
    client_id: str | None = None,
    request=None,
) -> Client:
    """A new client of `organisation` for scopes it has been granted; its id is a UUID unless given."""
    client_id = client_id or str(uuid.uuid4())
    if not 0 < len(client_id) <= MAX_CLIENT_ID_LENGTH or "\x00" in client_id:
        raise MaskinportenError(_("A client ID is 1 to 100 characters."))
    canonical = granted_scopes(organisation, scopes)
    try:
        with transaction.atomic():
            client = Client.objects.create(
                client_id=client_id, organisation=organisation, name=name, scopes=canonical
            )
            audit.record(
                AuditAction.CLIENT_REGISTERED,
                actor=registered_by,
                request=request,
                obj=client,
                object_id=client.client_id,
                details={"organisation": organisation.organisasjonsnummer, "scopes": canonical},
            )
    except IntegrityError:
        raise MaskinportenError(_("A client with this ID is already registered.")) from None
    return client


def change_client(
    client: Client,
    *,
    scopes: list[str],
    active: bool,
    changed_by: Any,
    name: str | None = None,
    request=None,
) -> Client:
    """Change a client's scopes or name, or switch it off (its tokens stop working within seconds).
    The name stays as it is unless given."""
    canonical = granted_scopes(client.organisation, scopes)
    if name is not None and not 0 < len(name) <= MAX_NAME_LENGTH:
        raise MaskinportenError(_("A client's name is 1 to 200 characters."))
    with transaction.atomic():
        stored = Client.objects.select_for_update().get(pk=client.pk)
        name = stored.name if name is None else name
        changed = {}
        if stored.name != name:
            changed["name"] = [stored.name, name]
        if stored.scopes != canonical:
            changed["scopes"] = [stored.scopes, canonical]
        if stored.active != active:
            changed["active"] = [stored.active, active]
        client.name, client.scopes, client.active = name, canonical, active
        Client.objects.filter(pk=client.pk).update(name=name, scopes=canonical, active=active)
        if changed:
            audit.record(
                AuditAction.CLIENT_CHANGED,
                actor=changed_by,
                request=request,
                obj=client,
                object_id=client.client_id,
                details=changed,
            )
    return client


def public_key(public_jwk: dict) -> dict:
    """The JWK as it is stored, once it is a public RSA (2048 bits or more) or EC P-256 key with a kid."""
    if not isinstance(public_jwk, dict):
        raise KeyRefused(_("The key must be a JWK (a JSON object)."))
    if PRIVATE_MEMBERS & public_jwk.keys():
        raise KeyRefused(_("This is a private key. Register only the public key."))
    kid = public_jwk.get("kid")
    if not isinstance(kid, str) or not 0 < len(kid) <= MAX_KID_LENGTH or "\x00" in kid:
        raise KeyRefused(_("The key must have a kid of 1 to 200 characters."))
    kty = public_jwk.get("kty")
    try:
        if kty == "RSA":
            key = jwk.construct(public_jwk, "RS256")
            if key.prepared_key.key_size < MIN_RSA_BITS:
                raise KeyRefused(_("An RSA key must have at least 2048 bits."))
        elif kty == "EC" and public_jwk.get("crv") == "P-256":
            jwk.construct(public_jwk, "ES256")
        else:
            raise KeyRefused(_("The key must be an RSA key or an EC key on the P-256 curve."))
    except (JOSEError, ValueError, TypeError, AttributeError):
        raise KeyRefused(_("The key is not a usable JWK.")) from None
    members = (
        ("kty", "kid", "use", "alg", "n", "e")
        if kty == "RSA"
        else ("kty", "kid", "use", "alg", "crv", "x", "y")
    )
    return {name: public_jwk[name] for name in members if name in public_jwk}


def add_client_key(
    client: Client, jwk_dict: dict, *, added_by: Any, expires_at: datetime | None = None, request=None
) -> ClientKey:
    """Register a public key on a client; it expires at most one year after it is added."""
    public_jwk = public_key(jwk_dict)
    now = timezone.now()
    latest = now + MAX_KEY_LIFETIME
    expires_at = min(expires_at or latest, latest)
    if expires_at <= now:
        raise KeyRefused(_("The key's expiry must be in the future."))
    try:
        with transaction.atomic():
            key = ClientKey.objects.create(
                client=client,
                kid=public_jwk["kid"],
                public_jwk=public_jwk,
                added_at=now,
                expires_at=expires_at,
            )
            audit.record(
                AuditAction.KEY_ADDED,
                actor=added_by,
                request=request,
                obj=client,
                object_id=client.client_id,
                details={"kid": key.kid, "expires_at": expires_at.isoformat()},
            )
    except IntegrityError:
        raise KeyRefused(_("The client already has a key with this kid.")) from None
    return key


def revoke_client_key(client: Client, kid: str, *, revoked_by: Any, request=None) -> None:
    """Stop a key: grants signed with it are refused, and tokens it got stop working within seconds."""
    with transaction.atomic():
        updated = ClientKey.objects.filter(client=client, kid=kid, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not updated:
            raise KeyRefused(_("The client has no key in force with this kid."))
        audit.record(
            AuditAction.KEY_REVOKED,
            actor=revoked_by,
            request=request,
            obj=client,
            object_id=client.client_id,
            details={"kid": kid},
        )


def delegate_scope(
    *, customer: Organisation, supplier: Organisation, scope: str, granted_by: Any, request=None
) -> Delegation:
    """The customer lets the supplier's clients use one of its scopes on its behalf."""
    scope = virksomheter.canonical_scope(scope)
    if customer.pk == supplier.pk:
        raise DelegationRefused(_("An organisation cannot delegate to itself."))
    if not customer.scope_grants.filter(scope=scope).exists():
        raise DelegationRefused(_("The organisation has not been granted: %(scopes)s.") % {"scopes": scope})
    try:
        with transaction.atomic():
            delegation = Delegation.objects.create(
                customer=customer,
                supplier=supplier,
                scope=scope,
                granted_by=str(getattr(granted_by, "get_username", lambda: granted_by)())[:200],
                granted_at=timezone.now(),
            )
            audit.record(
                AuditAction.DELEGATION_GRANTED,
                actor=granted_by,
                request=request,
                obj=delegation,
                details=_delegation_details(delegation),
            )
    except IntegrityError:
        raise DelegationRefused(_("This scope is already delegated to this supplier.")) from None
    return delegation


def _delegation_details(delegation: Delegation) -> dict:
    return {
        "customer": delegation.customer.organisasjonsnummer,
        "supplier": delegation.supplier.organisasjonsnummer,
        "scope": delegation.scope,
    }


def revoke_delegation(delegation: Delegation, *, revoked_by: Any, request=None) -> None:
    """End a delegation: consumer_org grants are refused, and tokens it gave stop within seconds."""
    with transaction.atomic():
        updated = Delegation.objects.filter(pk=delegation.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not updated:
            return
        delegation.refresh_from_db()
        audit.record(
            AuditAction.DELEGATION_REVOKED,
            actor=revoked_by,
            request=request,
            obj=delegation,
            details=_delegation_details(delegation),
        )
