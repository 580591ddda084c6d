"""manage.py seed_minid_activity --users N --seed S: a year of synthetic MinID users and logins for the demo.

Synthetic users are adults from the register who had no MinID user. They are recognised by
their e-mail domain, have an unusable password and no PIN letter, never log in, and leave
nothing in the audit trail. The same register and seed pick the same people on the same day.
"""

import datetime
import heapq
import itertools
import math
import random
import uuid

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core.progress import progress
from folkeregister.models import Person, Status
from minid.models import CodeChannel, Login, MinidUser
from minid.statistics import OSLO

DEMO_EMAIL_DOMAIN = "minid-demo.invalid"
BATCH_SIZE = 500
DAYS = 365
# Relative login activity by hour of day, Oslo time: a morning peak and a larger evening one.
HOUR_WEIGHTS = (
    1.2,
    0.6,
    0.3,
    0.2,
    0.2,
    0.4,
    1.5,
    4,
    7.5,
    9,
    8.5,
    7,
    6,
    6.5,
    6,
    5.5,
    5.5,
    6.5,
    7.5,
    9,
    9.5,
    8,
    5.5,
    2.5,
)
HOUR_CUMULATIVE = list(itertools.accumulate(HOUR_WEIGHTS))
# Monday first: busy working days, a quieter weekend.
WEEKDAY_WEIGHTS = (1.15, 1.1, 1.05, 1.0, 0.95, 0.6, 0.7)
PIN_CHANNEL_SHARE = 0.2  # users who get every code from their PIN letter
PIN_INSTEAD_SHARE = 0.06  # logins where an SMS user takes a PIN code instead: about 25 % PIN in all
ABANDONED_SHARE = 0.08  # logins never completed
# How likely a person is to have MinID, by age (younger than the limit): fewer of the oldest.
ADOPTION_BY_AGE = ((30, 1.0), (60, 0.9), (70, 0.75), (80, 0.55), (None, 0.35))
# Norwegian mobile series 40, 41 and 45-48 (phonenumbers accepts these as mobile; 42-44 and 49 are not).
MOBILE_PREFIXES = ("40", "41", "45", "46", "47", "48")


def synthetic_users():
    return MinidUser.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")


class Command(BaseCommand):
    help = "Add a year of synthetic MinID users and logins, for the demo and the statistics page."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=2000, help="How many synthetic users.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same people and logins.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when synthetic MinID activity already exists.",
        )

    def handle(self, *args, users, seed, if_empty, verbosity, **options):
        if users < 1:
            raise CommandError("--users must be at least 1.")
        if synthetic_users().exists():
            if if_empty:
                self.stdout.write("Synthetic MinID activity is already seeded; nothing to do.")
                return
            raise CommandError(
                f"Synthetic MinID activity is already seeded (users with e-mail addresses at {DEMO_EMAIL_DOMAIN}). "
                "Use --if-empty to skip seeding when it exists."
            )
        now = timezone.now()
        today = timezone.localdate(now, OSLO)
        candidates = list(
            Person.objects.filter(
                status=Status.BOSATT, birth_date__lte=_years_before(today, 18), minid_user__isnull=True
            )
            .order_by("pk")
            .values_list("pk", "birth_date__year")
        )
        if len(candidates) < users:
            raise CommandError(
                f"Only {len(candidates)} adults living in Norway have no MinID user; ask for at most that "
                "many users, or seed a larger population first."
            )
        rng = random.Random(seed)
        # A weighted sample without replacement (Efraimidis and Spirakis): the largest random**(1/weight).
        chosen = [
            pk
            for _key, pk in heapq.nlargest(
                users, ((rng.random() ** (1 / _adoption(today.year - year)), pk) for pk, year in candidates)
            )
        ]
        logins = 0
        bar = progress(users, description=("Seeding MinID activity"), unit="users", enabled=verbosity > 0)
        with bar, transaction.atomic():
            for start in range(0, users, BATCH_SIZE):
                batch = chosen[start : start + BATCH_SIZE]
                logins += _seed_batch(batch, rng, now)
                bar.update(len(batch))
        self.stdout.write(
            self.style.SUCCESS(f"Seeded {users} synthetic MinID users with {logins} logins (seed {seed}).")
        )


def _seed_batch(person_ids: list[int], rng: random.Random, now: datetime.datetime) -> int:
    users = [_user(person_id, rng, now) for person_id in person_ids]
    created = [user.created for user in users]
    MinidUser.objects.bulk_create(users)
    logins = []
    for user, when in zip(users, created, strict=True):
        # `created` is auto_now_add, which bulk_create overwrites with the time of the insert.
        user.created = when
        own = list(_logins(user, rng, now))
        user.last_login_at = max((login.completed_at for login in own if login.completed_at), default=None)
        logins.extend(own)
    MinidUser.objects.bulk_update(users, ["created", "last_login_at"], batch_size=BATCH_SIZE)
    Login.objects.bulk_create(logins, batch_size=2000)
    return len(logins)


def _user(person_id: int, rng: random.Random, now: datetime.datetime) -> MinidUser:
    created = _created_at(rng, now)
    verified = created + datetime.timedelta(seconds=rng.uniform(60, 600))
    return MinidUser(
        person_id=person_id,
        password=make_password(None),
        mobile=f"+47{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**6):06d}",
        mobile_verified_at=verified,
        email=f"bruker{person_id}@{DEMO_EMAIL_DOMAIN}",
        email_verified_at=verified,
        code_channel=CodeChannel.PIN if rng.random() < PIN_CHANNEL_SHARE else CodeChannel.SMS,
        status=MinidUser.Status.ACTIVE,
        consent_at=verified + datetime.timedelta(seconds=rng.uniform(10, 120)),
        created=created,
        password_changed_at=created,
    )


def _created_at(rng: random.Random, now: datetime.datetime) -> datetime.datetime:
    """Within the last year, with growth: three times as many new users in the last month as in the first."""
    # Inverse of the distribution with density proportional to 1 + 2t over the year (t from 0 to 1).
    t = (math.sqrt(1 + 8 * rng.random()) - 1) / 2
    return now - datetime.timedelta(days=DAYS * (1 - t))


def _logins(user: MinidUser, rng: random.Random, now: datetime.datetime):
    """The user's logins since registering: a few a month for most, many for some."""
    earliest = user.consent_at + datetime.timedelta(minutes=5)
    latest = now - datetime.timedelta(minutes=10)
    if latest <= earliest:
        return
    per_month = rng.lognormvariate(math.log(1.5), 0.8)
    for _n in range(int(per_month * (latest - earliest).days / 30 + rng.random())):
        started = _login_time(rng, earliest, latest)
        if started is None:
            continue
        pin = user.code_channel == CodeChannel.PIN or rng.random() < PIN_INSTEAD_SHARE
        completed = (
            None
            if rng.random() < ABANDONED_SHARE
            else started + datetime.timedelta(seconds=rng.uniform(20, 150))
        )
        yield Login(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            user=user,
            started_at=started,
            expires_at=started + datetime.timedelta(seconds=settings.MINID_LOGIN_TTL_SECONDS),
            method=Login.Method.PIN if pin else Login.Method.SMS,
            pin_number=rng.randint(1, settings.MINID_PIN_CODES_PER_LETTER) if pin else None,
            completed_at=completed,
        )


def _login_time(rng: random.Random, earliest: datetime.datetime, latest: datetime.datetime):
    """A moment between the two, weighted by weekday and hour of day in Oslo; None if none is found."""
    first_day = timezone.localtime(earliest, OSLO).date()
    days = (timezone.localtime(latest, OSLO).date() - first_day).days
    for _attempt in range(100):
        day = first_day + datetime.timedelta(days=rng.randint(0, days))
        if rng.random() * max(WEEKDAY_WEIGHTS) > WEEKDAY_WEIGHTS[day.weekday()]:
            continue
        hour = rng.choices(range(24), cum_weights=HOUR_CUMULATIVE)[0]
        moment = datetime.datetime.combine(
            day, datetime.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=OSLO
        )
        if earliest <= moment <= latest:
            return moment
    return None


def _adoption(age: int) -> float:
    return next(weight for limit, weight in ADOPTION_BY_AGE if limit is None or age < limit)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
