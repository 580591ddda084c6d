"""Persons for tests: synthetic identity numbers, unique within a test run."""

import datetime
import itertools

from folkeregister.identity import individual_range, make_identity_number, parse_identity_number
from folkeregister.models import Person

_serial = itertools.count()


def unique_identity_number(*, synthetic: bool = True, d_number: bool = False) -> str:
    """A valid number that no earlier call has returned (born 1960 onwards, one per day)."""
    while True:
        birth_date = datetime.date(1960, 1, 1) + datetime.timedelta(days=next(_serial))
        individuals = individual_range(birth_date.year)
        for individual in individuals[:5]:
            number = make_identity_number(birth_date, individual, synthetic=synthetic, d_number=d_number)
            if number:
                return number


def make_person(**overrides) -> Person:
    """A registered person living in Oslo; the derived fields follow the identity number."""
    number = overrides.pop("identity_number", None) or unique_identity_number()
    parsed = parse_identity_number(number)
    fields = {
        "identity_number": parsed.number,
        "number_kind": parsed.kind,
        "birth_date": parsed.birth_date,
        "sex": parsed.sex,
        "given_name": "Kari",
        "family_name": "Nordmann",
        "residential_street": "Storgata",
        "residential_house_number": 1,
        "residential_postal_code": "0150",
        "residential_postal_town": "OSLO",
        "residential_municipality": "Oslo",
        **overrides,
    }
    return Person.objects.create(**fields)
