"""MinID usage statistics for staff: growth, logins and coverage of the population.

Read-only aggregate queries over real rows. Months and hours are Norwegian local
time (Europe/Oslo), whatever time zone the database stores in.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.db.models.functions import ExtractHour, ExtractYear, TruncMonth
from django.utils import timezone

from folkeregister import services as folkeregister
from minid.models import Login, MinidUser

OSLO = ZoneInfo("Europe/Oslo")
MONTHS = 12
# (youngest, oldest) age in years; None: no upper bound.
AGE_GROUPS = ((0, 17), (18, 29), (30, 39), (40, 49), (50, 59), (60, 69), (70, 79), (80, None))


@dataclass(frozen=True)
class UserGrowth:
    month: datetime.date  # the first day of the month
    new: int
    total: int


@dataclass(frozen=True)
class MonthCount:
    month: datetime.date
    count: int


@dataclass(frozen=True)
class MethodShare:
    method: str  # Login.Method
    count: int
    share: float  # 0..1 of all completed logins


@dataclass(frozen=True)
class HourCount:
    hour: int  # 0..23, Oslo time
    count: int


@dataclass(frozen=True)
class AgeGroupShare:
    youngest: int
    oldest: int | None
    population: int
    users: int
    share: float  # 0..1 of the age group's living residents

    @property
    def label(self) -> str:
        return f"{self.youngest}+" if self.oldest is None else f"{self.youngest}–{self.oldest}"


def months(today: datetime.date) -> list[datetime.date]:
    """The first days of the last twelve months, oldest first; the current month is the last."""
    current = today.year * 12 + today.month - 1
    return [
        datetime.date(index // 12, index % 12 + 1, 1) for index in range(current - MONTHS + 1, current + 1)
    ]


def _window(today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """From the start of the first month to the start of the month after `today`, in Oslo time."""
    first = months(today)[0]
    following = today.replace(day=28) + datetime.timedelta(days=4)
    return (
        datetime.datetime.combine(first, datetime.time(), tzinfo=OSLO),
        datetime.datetime.combine(following.replace(day=1), datetime.time(), tzinfo=OSLO),
    )


def _month_of(value: datetime.datetime) -> datetime.date:
    return timezone.localtime(value, OSLO).date().replace(day=1)


def _per_month(queryset, field: str) -> dict[datetime.date, int]:
    rows = (
        queryset.annotate(month=TruncMonth(field, tzinfo=OSLO))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {_month_of(row["month"]): row["count"] for row in rows}


def _completed_logins(today: datetime.date):
    start, end = _window(today)
    return Login.objects.filter(completed_at__gte=start, completed_at__lt=end)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate(timezone=OSLO)


def active_users_per_month(*, today: datetime.date | None = None) -> list[UserGrowth]:
    """Users active today by the month they were created, and the running total to each month's end.
    Users deleted or locked since do not count in any month."""
    today = _today(today)
    start, end = _window(today)
    active = MinidUser.objects.filter(status=MinidUser.Status.ACTIVE)
    total = active.filter(created__lt=start).count()
    new = _per_month(active.filter(created__gte=start, created__lt=end), "created")
    growth = []
    for month in months(today):
        total += new.get(month, 0)
        growth.append(UserGrowth(month=month, new=new.get(month, 0), total=total))
    return growth


def completed_logins_per_month(*, today: datetime.date | None = None) -> list[MonthCount]:
    today = _today(today)
    counts = _per_month(_completed_logins(today), "completed_at")
    return [MonthCount(month=month, count=counts.get(month, 0)) for month in months(today)]


def completed_logins_by_method(*, today: datetime.date | None = None) -> list[MethodShare]:
    """Completed logins in the last twelve months, one-time code by SMS against PIN code from a letter."""
    rows = _completed_logins(_today(today)).values("method").annotate(count=Count("pk")).order_by()
    counts = {row["method"]: row["count"] for row in rows}
    total = sum(counts.values())
    return [
        MethodShare(
            method=method, count=counts.get(method, 0), share=counts.get(method, 0) / total if total else 0.0
        )
        for method in Login.Method.values
    ]


def completed_logins_by_hour(*, today: datetime.date | None = None) -> list[HourCount]:
    """Completed logins in the last twelve months by the hour of day they completed, Oslo time."""
    rows = (
        _completed_logins(_today(today))
        .annotate(hour=ExtractHour("completed_at", tzinfo=OSLO))
        .values("hour")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts = {row["hour"]: row["count"] for row in rows}
    return [HourCount(hour=hour, count=counts.get(hour, 0)) for hour in range(24)]


def population_share_by_age_group(*, today: datetime.date | None = None) -> list[AgeGroupShare]:
    """How many of the living residents in each age group have a MinID user (active or locked).

    Age is the age reached this year (this year minus the birth year), as statistics by birth
    cohort count it."""
    year = _today(today).year
    population = folkeregister.living_residents_by_birth_year()
    users = dict(
        MinidUser.objects.exclude(status=MinidUser.Status.REGISTERING)
        # counted from the same people as the population they are a share of
        .filter(person__status__in=folkeregister.RESIDENT_STATUSES)
        .annotate(birth_year=ExtractYear("person__birth_date"))
        .values_list("birth_year")
        .annotate(count=Count("pk"))
        .order_by()
    )
    people, with_minid = [0] * len(AGE_GROUPS), [0] * len(AGE_GROUPS)
    for totals, counts in ((people, population), (with_minid, users)):
        for birth_year, count in counts.items():
            group = _age_group(year - birth_year)
            if group is not None:
                totals[group] += count
    return [
        AgeGroupShare(
            youngest=youngest,
            oldest=oldest,
            population=people[index],
            users=with_minid[index],
            share=with_minid[index] / people[index] if people[index] else 0.0,
        )
        for index, (youngest, oldest) in enumerate(AGE_GROUPS)
    ]


def _age_group(age: int) -> int | None:
    for index, (youngest, oldest) in enumerate(AGE_GROUPS):
        if age >= youngest and (oldest is None or age <= oldest):
            return index
    return None
