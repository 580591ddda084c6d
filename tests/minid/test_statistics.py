import datetime
import itertools
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from folkeregister.identity import individual_range, make_identity_number
from minid import charts, statistics
from minid.models import Login, MinidUser
from tests.folkeregister.factories import make_person

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
TODAY = datetime.date(2026, 3, 15)  # the window is April 2025 to March 2026
PAGE = reverse("minid:statistics")
_days = itertools.count()


def oslo(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=OSLO)


def born_in(year: int, **overrides):
    """A person born in `year`; individual numbers from the top of the range, so the
    shared factory's numbers (from the bottom) never collide with these."""
    birth_date = datetime.date(year, 1, 1) + datetime.timedelta(days=next(_days) % 360)
    number = next(
        n for i in reversed(individual_range(year)) if (n := make_identity_number(birth_date, i)) is not None
    )
    return make_person(identity_number=number, **overrides)


def minid_user(person=None, *, created=None, status=MinidUser.Status.ACTIVE) -> MinidUser:
    user = MinidUser.objects.create(person=person or make_person(), mobile="+4791234567", status=status)
    if created:
        MinidUser.objects.filter(pk=user.pk).update(created=created)
    return user


def login(user, completed_at, method=Login.Method.SMS, *, completed=True) -> Login:
    started = completed_at - datetime.timedelta(minutes=1)
    return Login.objects.create(
        id=uuid.uuid4(),
        user=user,
        started_at=started,
        expires_at=started + datetime.timedelta(minutes=15),
        method=method,
        completed_at=completed_at if completed else None,
    )


# Selectors


def test_active_users_accumulate_by_the_oslo_month_they_were_created():
    minid_user(created=oslo(2024, 6, 1, 12))  # before the window: counted from the start
    minid_user(created=oslo(2025, 4, 10, 12))
    minid_user(created=oslo(2026, 2, 1, 0, 30))  # still 31 January in UTC
    minid_user(created=oslo(2026, 2, 10, 12), status=MinidUser.Status.REGISTERING)
    minid_user(created=oslo(2026, 2, 11, 12), status=MinidUser.Status.LOCKED)

    growth = statistics.active_users_per_month(today=TODAY)

    assert [row.month for row in growth] == statistics.months(TODAY)
    assert growth[0].month == datetime.date(2025, 4, 1)
    assert (growth[0].new, growth[0].total) == (1, 2)
    by_month = {row.month: row for row in growth}
    assert (by_month[datetime.date(2026, 1, 1)].new, by_month[datetime.date(2026, 1, 1)].total) == (0, 2)
    assert (by_month[datetime.date(2026, 2, 1)].new, by_month[datetime.date(2026, 2, 1)].total) == (1, 3)
    assert growth[-1].month == datetime.date(2026, 3, 1)
    assert growth[-1].total == 3


def test_completed_logins_are_counted_by_oslo_month_within_the_last_twelve_months():
    user = minid_user()
    login(user, oslo(2026, 3, 1, 0, 15))  # 28 February in UTC
    login(user, oslo(2026, 2, 10, 9))
    login(user, oslo(2026, 2, 11, 9), completed=False)
    login(user, oslo(2025, 3, 31, 12))  # before the window

    counts = {row.month: row.count for row in statistics.completed_logins_per_month(today=TODAY)}

    assert counts[datetime.date(2026, 3, 1)] == 1
    assert counts[datetime.date(2026, 2, 1)] == 1
    assert sum(counts.values()) == 2
    assert len(counts) == 12


def test_share_of_completed_logins_by_method():
    user = minid_user()
    for day in (1, 2, 3):
        login(user, oslo(2026, 3, day, 12), Login.Method.SMS)
    login(user, oslo(2026, 3, 4, 12), Login.Method.PIN)
    login(user, oslo(2026, 3, 5, 12), Login.Method.PIN, completed=False)

    shares = statistics.completed_logins_by_method(today=TODAY)

    assert [(row.method, row.count, row.share) for row in shares] == [("sms", 3, 0.75), ("pin", 1, 0.25)]


def test_logins_by_hour_use_oslo_time_in_winter_and_summer():
    user = minid_user()
    login(user, oslo(2026, 1, 10, 8, 10))  # 07:10 UTC
    login(user, oslo(2025, 7, 10, 8, 50))  # 06:50 UTC
    login(user, oslo(2026, 1, 11, 0, 30))  # 23:30 UTC the day before

    hours = statistics.completed_logins_by_hour(today=TODAY)

    assert [row.hour for row in hours] == list(range(24))
    assert {row.hour: row.count for row in hours if row.count} == {0: 1, 8: 2}


def test_population_share_by_age_group_counts_living_residents_and_their_users():
    born_in(2010)  # 16 in 2026
    young = [born_in(2000), born_in(2000), born_in(2001)]  # 26 and 25
    minid_user(young[0])
    minid_user(young[1], status=MinidUser.Status.REGISTERING)  # has not got MinID yet
    old = born_in(1940)  # 86
    minid_user(old, status=MinidUser.Status.LOCKED)  # locked users still have MinID
    minid_user(born_in(2000, status="doed"))  # neither in the population nor among users

    groups = {row.label: row for row in statistics.population_share_by_age_group(today=TODAY)}

    assert list(groups) == ["0–17", "18–29", "30–39", "40–49", "50–59", "60–69", "70–79", "80+"]
    assert (groups["0–17"].population, groups["0–17"].users) == (1, 0)
    assert (groups["18–29"].population, groups["18–29"].users) == (3, 1)
    assert groups["18–29"].share == pytest.approx(1 / 3)
    assert (groups["80+"].population, groups["80+"].users, groups["80+"].share) == (1, 1, 1.0)
    assert groups["40–49"].share == 0.0


# Charts


def test_bar_chart_is_a_labelled_image_with_axis_labels_and_values():
    svg = charts.bar_chart(
        [("SMS", 3), ("PIN <letter>", 1)], title="Logins by method", x_label="Method", y_label="Logins"
    )

    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-label="Logins by method"' in svg
    assert "<title>Logins by method</title>" in svg
    assert ">Method</text>" in svg and ">Logins</text>" in svg
    assert ">3</text>" in svg and ">1</text>" in svg
    assert "PIN &lt;letter&gt;" in svg and "<letter>" not in svg
    assert "style" not in svg
    assert svg.count("<rect") == 2


def test_charts_are_deterministic():
    points = [("Jan\n2026", 10), ("Feb\n2026", 25)]
    first = charts.line_chart(points, title="Users", x_label="Month", y_label="Users")

    assert first == charts.line_chart(points, title="Users", x_label="Month", y_label="Users")
    assert ">Jan</tspan>" in first and ">2026</tspan>" in first
    assert "<polyline" in first and first.count("<circle") == 2


# The page


def test_page_redirects_anyone_but_staff_to_the_admin_login(client, django_user_model):
    citizen = django_user_model.objects.create_user(username="innbygger", password="Riktig-hest-batteri-42")
    client.force_login(citizen)

    response = client.get(PAGE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert "next=/minid/statistikk/" in response.url


def test_staff_see_the_numbers_as_tables_beside_the_charts(client, staff_user):
    yesterday = timezone.localdate(timezone=OSLO) - datetime.timedelta(days=1)
    kari, ola, per = minid_user(), minid_user(), minid_user()
    login(kari, oslo(yesterday.year, yesterday.month, yesterday.day, 8, 10), Login.Method.SMS)
    login(ola, oslo(yesterday.year, yesterday.month, yesterday.day, 8, 40), Login.Method.SMS)
    login(per, oslo(yesterday.year, yesterday.month, yesterday.day, 20, 15), Login.Method.PIN)
    client.force_login(staff_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(PAGE)

    assert response.status_code == 200
    assertContains(response, "<h1 class='ds-heading' data-size='lg'>MinID statistics</h1>", html=True)
    cell = '<td class="felles-statistics__number">{}</td>'
    assertContains(response, f'<tr><th scope="row">08:00–08:59</th>{cell.format(2)}</tr>', html=True)
    assertContains(response, f'<tr><th scope="row">20:00–20:59</th>{cell.format(1)}</tr>', html=True)
    assertContains(
        response, f'<tr><th scope="row">SMS code</th>{cell.format(2)}{cell.format("66.7 %")}</tr>', html=True
    )
    assertContains(
        response,
        f'<tr><th scope="row">PIN code from letter</th>{cell.format(1)}{cell.format("33.3 %")}</tr>',
        html=True,
    )
    content = response.content.decode()
    assert content.count('<svg xmlns="http://www.w3.org/2000/svg"') == 5
    assert content.count("<caption") == 5
    assert 'aria-label="Completed logins by hour of day"' in content
    assert "style=" not in content and "<style" not in content
