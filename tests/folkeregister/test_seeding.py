from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from folkeregister.identity import parse_identity_number
from folkeregister.models import AddressProtection, Person, Status
from tests.folkeregister.factories import make_person

pytestmark = pytest.mark.django_db


def seed(count: int = 300, *, seed: int = 7, **options) -> str:
    out = StringIO()
    call_command("seed_population", count=count, seed=seed, verbosity=0, stdout=out, **options)
    return out.getvalue()


def seeded_numbers() -> list[str]:
    return sorted(Person.objects.values_list("identity_number", flat=True))


def test_seeding_adds_the_requested_number_of_persons():
    output = seed(300)

    assert Person.objects.count() == 300
    assert "300" in output


def test_same_seed_gives_the_same_persons():
    seed(300, seed=7)
    first = seeded_numbers()
    Person.objects.all().delete()

    seed(300, seed=7)

    assert seeded_numbers() == first


def test_another_seed_gives_other_persons():
    seed(300, seed=7)
    first = seeded_numbers()
    Person.objects.all().delete()

    seed(300, seed=8)

    assert seeded_numbers() != first


def test_every_seeded_number_is_valid_and_synthetic():
    seed(300)

    parsed = [parse_identity_number(number) for number in seeded_numbers()]

    assert all(number.synthetic for number in parsed)


def test_seeded_birth_date_sex_and_kind_agree_with_the_number():
    seed(300)

    for person in Person.objects.all():
        parsed = parse_identity_number(person.identity_number)
        assert (person.birth_date, person.sex, person.number_kind) == (
            parsed.birth_date,
            parsed.sex,
            parsed.kind,
        ), person.identity_number


def test_seeding_refuses_a_register_that_has_persons():
    make_person()

    with pytest.raises(CommandError):
        seed(300)

    assert Person.objects.count() == 1


def test_if_empty_does_nothing_when_the_register_has_persons():
    make_person()

    output = seed(300, if_empty=True)

    assert Person.objects.count() == 1
    assert "nothing to do" in output


def test_if_empty_seeds_an_empty_register():
    seed(300, if_empty=True)

    assert Person.objects.count() == 300


def test_count_below_one_is_refused():
    with pytest.raises(CommandError):
        seed(0)

    assert not Person.objects.exists()


def test_larger_population_has_other_statuses_and_protected_addresses():
    seed(3000, seed=1)

    statuses = set(Person.objects.values_list("status", flat=True))
    protections = set(Person.objects.values_list("address_protection", flat=True))
    assert statuses > {Status.BOSATT}
    assert {AddressProtection.FORTROLIG, AddressProtection.STRENGT_FORTROLIG} <= protections
