import datetime
import io

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.models import AuditEvent
from core.phone import is_mobile, normalise_phone_number
from folkeregister.identity import individual_range, make_identity_number
from minid.models import Login, MinidUser
from tests.folkeregister.factories import make_person

pytestmark = pytest.mark.django_db

DEMO_DOMAIN = "@minid-demo.invalid"


@pytest.fixture
def register():
    """Twelve adults, a child and a deceased adult; one adult already has MinID."""
    adults = [make_person() for _ in range(12)]
    child = make_person(identity_number=born_on(datetime.date(2015, 6, 1)))
    dead = make_person(status="doed")
    existing = MinidUser.objects.create(
        person=adults[0], mobile="+4791234567", status=MinidUser.Status.ACTIVE
    )
    return {"adults": adults, "child": child, "dead": dead, "existing": existing}


def born_on(day: datetime.date) -> str:
    return next(n for i in reversed(individual_range(day.year)) if (n := make_identity_number(day, i)))


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_minid_activity", stdout=out, verbosity=0, **options)
    return out.getvalue()


def synthetic():
    return MinidUser.objects.filter(email__endswith=DEMO_DOMAIN)


def test_seeds_active_users_from_adults_without_minid(register):
    output = seed(users=8, seed=3)

    users = list(synthetic().select_related("person"))
    assert len(users) == 8
    assert "Seeded 8 synthetic MinID users" in output
    picked = {user.person_id for user in users}
    assert picked <= {person.pk for person in register["adults"][1:]}
    year_ago = timezone.now() - datetime.timedelta(days=366)
    for user in users:
        assert user.status == MinidUser.Status.ACTIVE
        assert not is_password_usable(user.password)
        assert normalise_phone_number(user.mobile) == user.mobile and is_mobile(user.mobile)
        assert user.mobile_verified_at and user.email_verified_at and user.consent_at
        assert year_ago < user.created < user.mobile_verified_at <= timezone.now()


def test_seeded_logins_fall_after_registration_and_are_not_audited(register):
    seed(users=8, seed=3)

    logins = list(Login.objects.filter(user__in=synthetic()).select_related("user"))
    assert logins
    assert {login.method for login in logins} <= {"sms", "pin"}
    for login in logins:
        assert login.user.created < login.started_at < timezone.now()
        assert login.completed_at is None or login.completed_at > login.started_at
        assert (login.pin_number is not None) == (login.method == "pin")
    for user in synthetic():
        completed = [lg.completed_at for lg in logins if lg.user_id == user.pk and lg.completed_at]
        assert user.last_login_at == (max(completed) if completed else None)
    assert not AuditEvent.objects.exists()


def test_same_seed_picks_the_same_people(register):
    seed(users=5, seed=7)
    first = set(synthetic().values_list("person_id", flat=True))
    synthetic().delete()

    seed(users=5, seed=7)

    assert set(synthetic().values_list("person_id", flat=True)) == first


def test_refuses_to_seed_twice(register):
    seed(users=5, seed=1)

    with pytest.raises(CommandError, match="already seeded"):
        seed(users=5, seed=2)
    assert synthetic().count() == 5


def test_if_empty_does_nothing_when_already_seeded(register):
    seed(users=5, seed=1)
    logins = Login.objects.count()

    output = seed(users=5, seed=2, if_empty=True)

    assert "nothing to do" in output
    assert synthetic().count() == 5 and Login.objects.count() == logins


def test_asking_for_more_users_than_eligible_adults_fails_and_creates_nothing(register):
    with pytest.raises(CommandError, match="Only 11 adults"):
        seed(users=12, seed=1)
    assert not synthetic().exists()
    assert not Login.objects.exists()
