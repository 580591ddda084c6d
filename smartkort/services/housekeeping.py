"""Smartcard login challenges, deleted once they guard nothing."""

from datetime import datetime

from core.housekeeping import deleted
from smartkort.models import LoginChallenge
from smartkort.services.authentication import CHALLENGE_KEPT


def purge_expired(now: datetime) -> dict[str, int]:
    """Challenges expired for longer than CHALLENGE_KEPT: until then a late answer is told why it
    is refused (used or expired) rather than that the login is unknown."""
    return deleted(LoginChallenge.objects.filter(expires_at__lt=now - CHALLENGE_KEPT))
