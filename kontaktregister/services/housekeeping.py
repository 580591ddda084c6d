"""The contact register's change codes, deleted once expired."""

from datetime import datetime

from core.housekeeping import deleted
from kontaktregister.models import VerificationCode


def purge_expired(now: datetime) -> dict[str, int]:
    """An expired code is refused as if it were missing ("The code has expired"), so it guards nothing;
    how many codes a person may ask for is counted by the throttle, not by these rows."""
    return deleted(VerificationCode.objects.filter(expires_at__lt=now))
