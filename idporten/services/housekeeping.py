"""ID-porten's rows that guard only for a while: codes, tokens, pushed requests, client assertion
jtis and SSO sessions, each deleted only once nothing can use or replay it."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from core.housekeeping import deleted
from idporten.models import (
    AccessToken,
    Authorization,
    AuthorizationCode,
    BackchannelDelivery,
    PushedRequest,
    RefreshToken,
    SsoSession,
    UsedAssertion,
)


def purge_expired(now: datetime) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rows in (
        # An assertion past its exp is refused by its signature check before its jti is looked up.
        UsedAssertion.objects.filter(expires_at__lt=now),
        PushedRequest.objects.filter(expires_at__lt=now),
        # Introspection and userinfo answer an expired access token as inactive, found or not.
        AccessToken.objects.filter(expires_at__lt=now),
        # A used code or refresh token is the replay detector that revokes its authorization
        # (RFC 6749 4.1.2, RFC 9700 4.14): kept while that authorization could still be revoked.
        AuthorizationCode.objects.filter(expires_at__lt=now).filter(
            Q(used_at__isnull=True) | Q(authorization__expires_at__lt=now)
        ),
        RefreshToken.objects.filter(expires_at__lt=now).filter(
            Q(used_at__isnull=True) | Q(authorization__expires_at__lt=now)
        ),
        _sessions_over(now),
        # Delivered and given-up back-channel logouts: the operator's record of them, for a while.
        BackchannelDelivery.objects.exclude(state=BackchannelDelivery.State.PENDING).filter(
            created__lt=now - timedelta(days=settings.IDPORTEN_BACKCHANNEL_DELIVERIES_KEPT_DAYS)
        ),
    ):
        for label, count in deleted(rows).items():
            counts[label] = counts.get(label, 0) + count
    return counts


def _sessions_over(now: datetime):
    """Sessions ended or past their maximum lifetime, once every authorization in them has expired
    with the last access token it issued. Until then a session is kept: ending it tells its
    clients (front-channel and back-channel logout), and its authorizations hold the tokens."""
    oldest_live = now - timedelta(seconds=settings.IDPORTEN_ACCESS_TOKEN_TTL_SECONDS)
    live = Authorization.objects.filter(expires_at__gte=oldest_live).values("session_id")
    return SsoSession.objects.filter(
        Q(ended_at__isnull=False)
        | Q(created__lt=now - timedelta(seconds=settings.IDPORTEN_SESSION_MAX_SECONDS))
    ).exclude(pk__in=live)
