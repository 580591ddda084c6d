"""The one rate limiter of Felles: a counter per (scope, key) and fixed time window, in the database,
so that every web process and worker shares it and it survives restarts.

A hit is one atomic `INSERT … ON CONFLICT DO UPDATE … RETURNING`, so two requests at the same moment
never both read a stale count: the n-th hit in a window sees exactly n. Keys are stored as an HMAC,
never in clear, because many are fødselsnummer or client addresses. Counters past their window are
removed by the housekeeping job (core.housekeeping).

Two ways to use it:
- a cap on something done (codes sent, letters ordered, token requests): `hit()` before doing it and
  refuse when it answers False;
- a limit on failures (wrong passwords, wrong codes): `exceeded()` before trying, `hit()` after a failure.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.models import ThrottleCounter

KEY_SALT = "felles.core.throttle"


@dataclass(frozen=True)
class Rate:
    """At most `limit` within `seconds`."""

    limit: int
    seconds: int

    @classmethod
    def per_hour(cls, limit: int) -> "Rate":
        return cls(limit, 3600)

    @classmethod
    def per_minute(cls, limit: int) -> "Rate":
        return cls(limit, 60)


def _digest(scope: str, key: str) -> str:
    return salted_hmac(KEY_SALT, f"{scope}\x1f{key}", algorithm="sha256").hexdigest()


def _window_start(rate: Rate, now: datetime) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % rate.seconds, tz=UTC)


def hit(scope: str, key: str, rate: Rate) -> bool:
    """Count one for the key in the current window; True while the count is within the limit."""
    now = timezone.now()
    start = _window_start(rate, now)
    table = ThrottleCounter._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(table)} (digest, window_start, expires_at, count) VALUES (%s, %s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (digest, window_start) DO UPDATE SET count = {quote(table)}.count + 1 "
            "RETURNING count",
            [
                _digest(scope, key),
                connection.ops.adapt_datetimefield_value(start),
                connection.ops.adapt_datetimefield_value(start + timedelta(seconds=rate.seconds)),
            ],
        )
        (count,) = cursor.fetchone()
    return count <= rate.limit


def exceeded(scope: str, key: str, rate: Rate) -> bool:
    """Whether the key has used up its limit in the current window (counts nothing)."""
    start = _window_start(rate, timezone.now())
    counter = ThrottleCounter.objects.filter(digest=_digest(scope, key), window_start=start).first()
    return counter is not None and counter.count >= rate.limit


def any_exceeded(limits: list[tuple[str, str, Rate]]) -> bool:
    """Whether any of the (scope, key, rate) limits is used up, in one query (counts nothing)."""
    now = timezone.now()
    wanted = {(_digest(scope, key), _window_start(rate, now)): rate.limit for scope, key, rate in limits}
    if not wanted:
        return False
    matching = Q()
    for digest, start in wanted:
        matching |= Q(digest=digest, window_start=start)
    rows = ThrottleCounter.objects.filter(matching).values_list("digest", "window_start", "count")
    return any(count >= wanted[(digest, start)] for digest, start, count in rows)
