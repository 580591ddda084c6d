"""Whether an issued access token is still in force: its client active and still registered for
every scope, its key or certificate not revoked (nor the certificate's CA switched off), every
scope still granted to its consumer, and no delegation it rests on revoked.

Real Maskinporten tokens are self-contained and live out their lifetime; Felles' own APIs check
each one against the record kept here, so a revocation bites within seconds. The check is one
query, and its answer is kept per process for MASKINPORTEN_REVOCATION_CHECK_SECONDS (a token used
again at once costs no query)."""

import time
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from core import housekeeping
from maskinporten.models import IssuedToken
from virksomheter.models import RevokedCertificate, ScopeGrant
from virksomheter.services import canonical_scope

MAX_REMEMBERED = 10_000
# jti -> (monotonic time the verdict expires, in force)
_verdicts: dict[str, tuple[float, bool]] = {}


def record_issued(
    jti: str,
    *,
    client,
    consumer,
    delegations,
    expires_at: datetime,
    client_key=None,
    certificate_issuer=None,
    certificate_serial: str = "",
) -> IssuedToken:
    token = IssuedToken.objects.create(
        jti=jti,
        client=client,
        client_key=client_key,
        certificate_issuer=certificate_issuer,
        certificate_serial=certificate_serial,
        consumer=consumer,
        expires_at=expires_at,
    )
    if delegations:
        token.delegations.set(delegations)
    return token


def _in_force_now(jti: str, scopes: list[str]) -> bool:
    now = timezone.now()
    granted = (
        ScopeGrant.objects.filter(organisation=OuterRef("consumer"), scope__in=scopes)
        .order_by()
        .values("organisation")
        .annotate(count=Count("pk"))
        .values("count")
    )
    certificate_revoked = RevokedCertificate.objects.filter(
        issuer=OuterRef("certificate_issuer"), serial=OuterRef("certificate_serial")
    )
    delegation_revoked = IssuedToken.delegations.through.objects.filter(
        issuedtoken=OuterRef("pk"), delegation__revoked_at__isnull=False
    )
    # The client's registered scopes come back with the answer (JSON containment is not portable
    # to SQLite), so the check stays one query.
    registered = (
        IssuedToken.objects.filter(jti=jti, expires_at__gt=now, client__active=True)
        .filter(
            Q(client_key__isnull=True)
            | Q(client_key__revoked_at__isnull=True, client_key__expires_at__gt=now)
        )
        .filter(Q(certificate_issuer__isnull=True) | Q(certificate_issuer__active=True))
        .annotate(granted=Subquery(granted), certificate_revoked=Exists(certificate_revoked))
        .filter(granted=len(scopes), certificate_revoked=False)
        .exclude(Exists(delegation_revoked))
        .values_list("client__scopes", flat=True)
        .first()
    )
    if not isinstance(registered, list):
        return False
    asked = {canonical_scope(scope) for scope in scopes}
    return asked <= {canonical_scope(scope) for scope in registered if isinstance(scope, str)}


def in_force(jti: str, scopes: list[str]) -> bool:
    """Whether the token `jti` (with its real scope names) may still be used."""
    remembered = _verdicts.get(jti)
    clock = time.monotonic()
    if remembered is not None and remembered[0] > clock:
        return remembered[1]
    verdict = _in_force_now(jti, scopes)
    if len(_verdicts) >= MAX_REMEMBERED:
        _verdicts.clear()
    _verdicts[jti] = (clock + settings.MASKINPORTEN_REVOCATION_CHECK_SECONDS, verdict)
    return verdict


def purge_expired(now: datetime) -> dict[str, int]:
    """Records of tokens that have expired: nothing can use them any more."""
    return housekeeping.deleted(IssuedToken.objects.filter(expires_at__lt=now))
