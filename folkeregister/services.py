"""Lookups in the population register, for other apps and (later) authorised agencies.

One number or up to 1000 in one call, as the register's batch lookup allows. A
person with a protected address (fortrolig or strengt fortrolig) comes back with
name and a protection flag only; the address never leaves the register, and the
audit trail records who asked.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from core import audit
from core.errors import DomainError
from folkeregister.identity import parse_identity_number
from folkeregister.models import AddressProtection, Person, Status, join_name
from folkeregister.postal import poststed_for

MAX_NUMBERS_PER_LOOKUP = 1000


class FolkeregisterError(DomainError):
    code = "folkeregister_error"


class InvalidIdentityNumber(FolkeregisterError):
    code = "invalid_identity_number"


class PersonNotFound(FolkeregisterError):
    code = "person_not_found"


class TooManyNumbers(FolkeregisterError):
    code = "too_many_numbers"


@dataclass(frozen=True)
class Address:
    street: str
    house_number: int | None
    house_letter: str
    postal_code: str
    postal_town: str
    municipality: str

    @property
    def lines(self) -> list[str]:
        first = " ".join(
            str(part) for part in (self.street, f"{self.house_number or ''}{self.house_letter}") if part
        )
        return [line for line in (first, f"{self.postal_code} {self.postal_town}".strip()) if line]


@dataclass(frozen=True)
class PersonRecord:
    """What the register tells others about a person."""

    identity_number: str
    given_name: str
    middle_name: str
    family_name: str
    birth_date: datetime.date
    sex: str
    status: str
    address_protection: str
    residential_address: Address | None
    postal_address: Address | None

    @property
    def full_name(self) -> str:
        return join_name(self.given_name, self.middle_name, self.family_name)

    @property
    def is_address_protected(self) -> bool:
        return self.address_protection != AddressProtection.UGRADERT

    @property
    def mailing_address(self) -> Address | None:
        return self.postal_address or self.residential_address


@dataclass(frozen=True)
class LookupResult:
    persons: dict[str, PersonRecord]
    not_found: list[str]


def _address(person: Person, prefix: str) -> Address | None:
    values = {name: getattr(person, f"{prefix}_{name}") for name in Address.__dataclass_fields__}
    if not (values["street"] or values["postal_code"]):
        return None
    return Address(**values)


def _record(person: Person) -> PersonRecord:
    protected = person.is_address_protected
    return PersonRecord(
        identity_number=person.identity_number,
        given_name=person.given_name,
        middle_name=person.middle_name,
        family_name=person.family_name,
        birth_date=person.birth_date,
        sex=person.sex,
        status=person.status,
        address_protection=person.address_protection,
        residential_address=None if protected else _address(person, "residential"),
        postal_address=None if protected else _address(person, "postal"),
    )


def _valid_number(value: str) -> str:
    try:
        return parse_identity_number(value).number
    except ValidationError as error:
        raise InvalidIdentityNumber(
            _("%(value)s is not a valid identity number: %(reason)s")
            % {"value": value, "reason": " ".join(error.messages)}
        ) from None


def _audit_protected(persons: list[Person], *, requested_by: Any, request) -> None:
    for person in persons:
        if person.is_address_protected:
            audit.record(
                "folkeregister.protected_person_lookup",
                actor=requested_by,
                request=request,
                obj=person,
                object_id=person.identity_number,
                details={"address_protection": person.address_protection},
            )


def lookup_person(identity_number: str, *, requested_by: Any, request=None) -> PersonRecord:
    """One person by identity number. Raises InvalidIdentityNumber or PersonNotFound."""
    number = _valid_number(identity_number)
    try:
        person = Person.objects.get(identity_number=number)
    except Person.DoesNotExist:
        raise PersonNotFound(
            _("No person with identity number %(number)s is registered.") % {"number": number}
        ) from None
    _audit_protected([person], requested_by=requested_by, request=request)
    return _record(person)


def lookup_persons(identity_numbers: list[str], *, requested_by: Any, request=None) -> LookupResult:
    """Up to 1000 persons in one call. Unknown numbers are listed in `not_found`;
    an invalid number fails the whole call before anything is looked up."""
    if len(identity_numbers) > MAX_NUMBERS_PER_LOOKUP:
        raise TooManyNumbers(
            _("At most %(max)d identity numbers can be looked up in one call; %(count)d were given.")
            % {"max": MAX_NUMBERS_PER_LOOKUP, "count": len(identity_numbers)}
        )
    numbers = list(dict.fromkeys(_valid_number(value) for value in identity_numbers))
    found = list(Person.objects.filter(identity_number__in=numbers))
    _audit_protected(found, requested_by=requested_by, request=request)
    by_number = {person.identity_number: _record(person) for person in found}
    return LookupResult(
        persons={number: by_number[number] for number in numbers if number in by_number},
        not_found=[number for number in numbers if number not in by_number],
    )


def register_size() -> int:
    return Person.objects.count()


def save_person(person: Person, *, changed_by: Any, request=None) -> Person:
    """Register a new person or store changes to one (the admin's form goes through here).

    Kind of number, birth date and sex follow from the identity number; a poststed
    left empty is filled from the postnummer."""
    parsed = parse_identity_number(person.identity_number)
    person.identity_number = parsed.number
    person.number_kind = parsed.kind
    person.birth_date = parsed.birth_date
    person.sex = parsed.sex
    for prefix in ("residential", "postal"):
        code = getattr(person, f"{prefix}_postal_code")
        if code and not getattr(person, f"{prefix}_postal_town"):
            setattr(person, f"{prefix}_postal_town", poststed_for(code))
    person.full_clean()
    created = person.pk is None
    with transaction.atomic():
        person.save()
        audit.record(
            "folkeregister.person_registered" if created else "folkeregister.person_changed",
            actor=changed_by,
            request=request,
            obj=person,
            object_id=person.identity_number,
        )
    return person


def get_person(identity_number: str) -> Person:
    """The register's row, for apps that keep a foreign key to a person. Read it, never write it.
    Raises InvalidIdentityNumber or PersonNotFound."""
    number = _valid_number(identity_number)
    try:
        return Person.objects.get(identity_number=number)
    except Person.DoesNotExist:
        raise PersonNotFound(
            _("No person with identity number %(number)s is registered.") % {"number": number}
        ) from None


# Who counts as living in Norway: registered as resident, or missing but not declared dead.
RESIDENT_STATUSES = (Status.BOSATT, Status.FORSVUNNET)


def living_residents_by_birth_year() -> dict[int, int]:
    """How many living residents were born each year (for statistics by age)."""
    rows = (
        Person.objects.filter(status__in=RESIDENT_STATUSES)
        .values_list("birth_date__year")
        .annotate(count=Count("id"))
    )
    return dict(rows)
