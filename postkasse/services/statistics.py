"""Use and cost of digital post per organisation and month, for the admin: how many letters went
digital, on paper or failed, what they cost, and what digital saved against paper."""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from postkasse.models import Letter, Price
from virksomheter.models import Organisation


@dataclass(frozen=True)
class OrganisationUse:
    organisation: Organisation
    digital: int
    print: int
    failed: int
    cost_ore: int
    # For each digital letter: the paper price of its size band today, less what it cost.
    saved_ore: int


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The month that holds `month`, as local midnights."""
    start = month.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time(), zone),
        datetime.datetime.combine(end, datetime.time(), zone),
    )


def _print_price_of_size():
    """The paper price for a letter's size, by the price table's bands, as a database expression."""
    bands = Price.objects.filter(channel=Letter.Channel.PRINT).order_by("max_bytes")
    return Case(
        *(When(size__lte=band.max_bytes, then=Value(band.price_ore)) for band in bands),
        default=Value(None),
        output_field=IntegerField(),
    )


def monthly_use(month: datetime.date, *, organisations=None) -> list[OrganisationUse]:
    """Every organisation that sent letters in the month (accepted then), busiest first."""
    start, end = month_bounds(month)
    letters = Letter.objects.filter(accepted_at__gte=start, accepted_at__lt=end)
    if organisations is not None:
        letters = letters.filter(sender__in=organisations)
    digital = Q(channel=Letter.Channel.DIGITAL)
    priced_both_ways = digital & Q(price_ore__isnull=False, paper_price__isnull=False)
    rows = (
        letters.annotate(paper_price=_print_price_of_size())
        .values("sender")
        .annotate(
            digital=Count("pk", filter=digital),
            print=Count("pk", filter=Q(channel=Letter.Channel.PRINT)),
            failed=Count("pk", filter=Q(status=Letter.Status.FAILED)),
            cost=Coalesce(Sum("price_ore"), 0),
            saved=Coalesce(
                Sum("paper_price", filter=priced_both_ways) - Sum("price_ore", filter=priced_both_ways),
                0,
            ),
        )
        .order_by("-digital", "-print", "sender")
    )
    senders = Organisation.objects.in_bulk([row["sender"] for row in rows])
    return [
        OrganisationUse(
            organisation=senders[row["sender"]],
            digital=row["digital"],
            print=row["print"],
            failed=row["failed"],
            cost_ore=row["cost"],
            saved_ore=row["saved"],
        )
        for row in rows
    ]
