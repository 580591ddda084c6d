"""MinID's rows that guard only for a while: one-time codes and abandoned login attempts."""

from datetime import datetime

from core.housekeeping import deleted
from minid.models import Login, OneTimeCode


def purge_expired(now: datetime) -> dict[str, int]:
    """Expired one-time codes (used or not: an expired code is refused either way), and login
    attempts that expired unfinished. Completed logins stay: they are the citizen's own login
    history (export_data) and MinID's statistics."""
    counts = deleted(OneTimeCode.objects.filter(expires_at__lt=now))
    for label, count in deleted(Login.objects.filter(expires_at__lt=now, completed_at__isnull=True)).items():
        counts[label] = counts.get(label, 0) + count
    return counts
