import datetime

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEvent
from folkeregister.identity import make_identity_number
from folkeregister.models import AddressProtection, NumberKind, Person
from folkeregister.services import (
    InvalidIdentityNumber,
    PersonNotFound,
    TooManyNumbers,
    lookup_person,
    lookup_persons,
    save_person,
)
from tests.folkeregister.factories import make_person, unique_identity_number

pytestmark = pytest.mark.django_db

PROTECTED_LOOKUP = "folkeregister.protected_person_lookup"


def numbers_nobody_has(count: int) -> list[str]:
    numbers = []
    day = datetime.date(1930, 1, 1)
    while len(numbers) < count:
        numbers += [n for i in range(5) if (n := make_identity_number(day, i))]
        day += datetime.timedelta(days=1)
    return numbers[:count]


def new_person(identity_number: str, **fields) -> Person:
    return Person(identity_number=identity_number, given_name="Ola", family_name="Nordmann", **fields)


def test_lookup_of_unprotected_person_returns_name_and_address(django_user_model):
    person = make_person(given_name="Kari", family_name="Nordmann", residential_street="Storgata")
    asker = django_user_model.objects.create_user(username="nav")

    record = lookup_person(person.identity_number, requested_by=asker)

    assert record.full_name == "Kari Nordmann"
    assert record.is_address_protected is False
    assert record.residential_address.lines == ["Storgata 1", "0150 OSLO"]
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("protection", [AddressProtection.FORTROLIG, AddressProtection.STRENGT_FORTROLIG])
def test_lookup_of_protected_person_returns_no_address(protection):
    person = make_person(
        address_protection=protection, postal_street="Postboks 12", postal_postal_code="5003"
    )

    record = lookup_person(person.identity_number, requested_by="Velferdsetaten")

    assert record.full_name == "Kari Nordmann"
    assert record.is_address_protected is True
    assert record.residential_address is None
    assert record.postal_address is None


@pytest.mark.parametrize("protection", [AddressProtection.FORTROLIG, AddressProtection.STRENGT_FORTROLIG])
def test_lookup_of_protected_person_is_audited_with_who_asked(protection, django_user_model):
    person = make_person(address_protection=protection)
    asker = django_user_model.objects.create_user(username="nav")

    lookup_person(person.identity_number, requested_by=asker)

    event = AuditEvent.objects.get()
    assert event.action == PROTECTED_LOOKUP
    assert event.actor == "nav"
    assert event.actor_user == asker
    assert event.object_id == person.identity_number
    assert event.details == {"address_protection": protection}


def test_lookup_of_unknown_person_raises_person_not_found():
    number = unique_identity_number()

    with pytest.raises(PersonNotFound) as error:
        lookup_person(number, requested_by="nav")

    assert error.value.message == f"Ingen person med fødselsnummer {number} er registrert."


def test_lookup_with_invalid_number_raises_and_audits_nothing():
    person = make_person(address_protection=AddressProtection.STRENGT_FORTROLIG)
    typo = person.identity_number[:10] + str((int(person.identity_number[10]) + 1) % 10)

    with pytest.raises(InvalidIdentityNumber) as error:
        lookup_person(typo, requested_by="nav")

    assert error.value.message.startswith(f"{typo} er ikke et gyldig fødselsnummer")
    assert not AuditEvent.objects.exists()


def test_lookup_persons_accepts_1000_numbers():
    numbers = numbers_nobody_has(1000)

    result = lookup_persons(numbers, requested_by="nav")

    assert result.persons == {}
    assert result.not_found == numbers


def test_lookup_persons_refuses_1001_numbers_and_audits_nothing():
    protected = make_person(address_protection=AddressProtection.FORTROLIG)
    numbers = [protected.identity_number, *numbers_nobody_has(1000)]

    with pytest.raises(TooManyNumbers) as error:
        lookup_persons(numbers, requested_by="nav")

    assert "1001" in error.value.message
    assert not AuditEvent.objects.exists()


def test_lookup_persons_splits_found_and_not_found():
    kari = make_person(given_name="Kari")
    per = make_person(given_name="Per")
    unknown = unique_identity_number()

    result = lookup_persons([kari.identity_number, unknown, per.identity_number], requested_by="nav")

    assert {number: record.given_name for number, record in result.persons.items()} == {
        kari.identity_number: "Kari",
        per.identity_number: "Per",
    }
    assert result.not_found == [unknown]


def test_lookup_persons_collapses_duplicates_and_audits_once():
    person = make_person(address_protection=AddressProtection.FORTROLIG)
    unknown = unique_identity_number()
    spaced = f"{person.identity_number[:6]} {person.identity_number[6:]}"

    result = lookup_persons([person.identity_number, spaced, unknown, unknown], requested_by="nav")

    assert list(result.persons) == [person.identity_number]
    assert result.not_found == [unknown]
    assert AuditEvent.objects.filter(action=PROTECTED_LOOKUP).count() == 1


def test_lookup_persons_with_one_invalid_number_fails_before_any_lookup():
    protected = make_person(address_protection=AddressProtection.STRENGT_FORTROLIG)

    with pytest.raises(InvalidIdentityNumber):
        lookup_persons([protected.identity_number, "12345678901"], requested_by="nav")

    assert not AuditEvent.objects.exists()


def test_save_person_derives_birth_date_sex_and_kind_from_the_number():
    birth_date = datetime.date(1985, 5, 17)
    number = next(n for i in range(10) if (n := make_identity_number(birth_date, i, d_number=True)))

    person = save_person(new_person(number), changed_by="folkeregister")

    person.refresh_from_db()
    assert person.number_kind == NumberKind.D_NUMMER
    assert person.birth_date == birth_date
    assert person.sex == ("M" if int(number[8]) % 2 else "F")


def test_save_person_stores_the_number_without_spaces():
    number = unique_identity_number()

    save_person(new_person(f"{number[:6]} {number[6:]}"), changed_by="folkeregister")

    assert Person.objects.get().identity_number == number


def test_save_person_fills_poststed_from_postnummer():
    person = new_person(unique_identity_number(), residential_postal_code="0150", postal_postal_code="5003")

    save_person(person, changed_by="folkeregister")

    stored = Person.objects.get()
    assert stored.residential_postal_town == "OSLO"
    assert stored.postal_postal_town == "BERGEN"


def test_save_person_refuses_malformed_postnummer_and_stores_nothing():
    person = new_person(unique_identity_number(), residential_postal_code="12a4")

    with pytest.raises(ValidationError) as error:
        save_person(person, changed_by="folkeregister")

    assert error.value.messages == ["Et postnummer har fire siffer."]
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exists()


def test_save_person_refuses_unknown_postnummer_and_stores_nothing():
    person = new_person(unique_identity_number(), residential_postal_code="0000")

    with pytest.raises(ValidationError) as error:
        save_person(person, changed_by="folkeregister")

    assert error.value.messages == ["Postnummer 0000 finnes ikke."]
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exists()


def test_save_person_refuses_invalid_identity_number_and_stores_nothing():
    with pytest.raises(ValidationError):
        save_person(new_person("12345678901"), changed_by="folkeregister")

    assert not Person.objects.exists()


def test_registering_a_person_is_audited(django_user_model):
    clerk = django_user_model.objects.create_user(username="saksbehandler")

    person = save_person(new_person(unique_identity_number()), changed_by=clerk)

    event = AuditEvent.objects.get()
    assert event.action == "folkeregister.person_registered"
    assert event.actor_user == clerk
    assert event.object_id == person.identity_number


def test_changing_a_person_is_audited():
    person = make_person()
    person.family_name = "Hansen"

    save_person(person, changed_by="folkeregister")

    assert Person.objects.get().family_name == "Hansen"
    assert AuditEvent.objects.get().action == "folkeregister.person_changed"
