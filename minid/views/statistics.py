"""MinID usage statistics for staff: five charts, each with its numbers as a table."""

from dataclasses import dataclass

from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from minid import charts, statistics
from minid.models import Login


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    description: str
    chart: SafeString
    columns: list[str]
    rows: list[tuple[str, list[str]]]  # (row header, cells)


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def _percent(share: float) -> str:
    return _("%(percent)s %%") % {"percent": number_format(round(share * 100, 1), decimal_pos=1)}


def _percent_on_axis(percent: float) -> str:
    return _("%(percent)s %%") % {"percent": charts.format_number(percent)}


def _month(month) -> str:
    return f"{MONTHS_3[month.month].capitalize()} {month.year}"


def _month_on_axis(month) -> str:
    return _month(month).replace(" ", "\n")


def _method(method: str) -> str:
    return _("SMS code") if method == Login.Method.SMS else _("PIN code from letter")


def _users_section(today) -> Section:
    growth = statistics.active_users_per_month(today=today)
    return Section(
        key="users",
        title=_("Active MinID users"),
        description=_(
            "Users who are active today, added up by the month they were created. "
            "Deleted and locked users are not counted."
        ),
        chart=charts.line_chart(
            [(_month_on_axis(row.month), row.total) for row in growth],
            title=_("Active MinID users, added up by the month they were created"),
            x_label=_("Month"),
            y_label=_("Users"),
        ),
        columns=[_("Month"), _("New active users"), _("Active users in total")],
        rows=[(_month(row.month), [_number(row.new), _number(row.total)]) for row in growth],
    )


def _logins_section(today) -> Section:
    logins = statistics.completed_logins_per_month(today=today)
    return Section(
        key="logins",
        title=_("Completed logins per month"),
        description=_("Logins where both the password and the one-time code were accepted."),
        chart=charts.bar_chart(
            [(_month_on_axis(row.month), row.count) for row in logins],
            title=_("Completed logins per month"),
            x_label=_("Month"),
            y_label=_("Logins"),
        ),
        columns=[_("Month"), _("Completed logins")],
        rows=[(_month(row.month), [_number(row.count)]) for row in logins],
    )


def _methods_section(today) -> Section:
    methods = statistics.completed_logins_by_method(today=today)
    return Section(
        key="methods",
        title=_("One-time code by SMS or PIN code"),
        description=_(
            "Share of the completed logins in the last twelve months, by the kind of one-time code."
        ),
        chart=charts.bar_chart(
            [(_method(row.method), row.share * 100) for row in methods],
            title=_("Share of completed logins by kind of one-time code"),
            x_label=_("Kind of one-time code"),
            y_label=_("Share of logins (%)"),
            format_value=_percent_on_axis,
        ),
        columns=[_("Kind of one-time code"), _("Completed logins"), _("Share")],
        rows=[(_method(row.method), [_number(row.count), _percent(row.share)]) for row in methods],
    )


def _hours_section(today) -> Section:
    hours = statistics.completed_logins_by_hour(today=today)
    return Section(
        key="hours",
        title=_("Logins by hour of day"),
        description=_(
            "Completed logins in the last twelve months by the hour they completed, Norwegian time."
        ),
        chart=charts.bar_chart(
            [(f"{row.hour:02d}", row.count) for row in hours],
            title=_("Completed logins by hour of day"),
            x_label=_("Hour of day (Norwegian time)"),
            y_label=_("Logins"),
        ),
        columns=[_("Hour of day"), _("Completed logins")],
        rows=[(f"{row.hour:02d}:00–{row.hour:02d}:59", [_number(row.count)]) for row in hours],
    )


def _ages_section(today) -> Section:
    groups = statistics.population_share_by_age_group(today=today)
    return Section(
        key="ages",
        title=_("Share of the population with MinID, by age"),
        description=_(
            "Living residents in the population register, and how many of them have a MinID user. "
            "Age is the age reached this year."
        ),
        chart=charts.bar_chart(
            [(row.label, row.share * 100) for row in groups],
            title=_("Share of the population with MinID, by age group"),
            x_label=_("Age group (years)"),
            y_label=_("Share with MinID (%)"),
            format_value=_percent_on_axis,
        ),
        columns=[_("Age group"), _("Population"), _("With MinID"), _("Share")],
        rows=[
            (row.label, [_number(row.population), _number(row.users), _percent(row.share)]) for row in groups
        ],
    )


@never_cache
@require_GET
@staff_member_required
def statistics_page(request):
    today = timezone.localdate(timezone=statistics.OSLO)
    sections = [
        build(today)
        for build in (_users_section, _logins_section, _methods_section, _hours_section, _ages_section)
    ]
    return render(
        request,
        "minid/statistics.html",
        {"sections": sections, "first_month": statistics.months(today)[0], "today": today},
    )


urlpatterns = [
    path("statistikk/", statistics_page, name="statistics"),
]
