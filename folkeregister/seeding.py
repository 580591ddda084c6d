"""A deterministic synthetic population for development, demos and benchmarks.

Every identity number is synthetic (birth month + 80, as Tenor issues them), so no
seeded person can ever be a real one. The same count and seed give the same
people. Rows go in through COPY on PostgreSQL and bulk inserts elsewhere.
"""

import datetime
import random
from collections.abc import Callable, Iterator

from django.db import connection, transaction
from django.utils import timezone

from folkeregister.identity import individual_range, make_identity_number
from folkeregister.models import AddressProtection, NumberKind, Person, Status
from folkeregister.names import (
    FAMILY_NAMES,
    FEMALE_GIVEN_NAMES,
    MALE_GIVEN_NAMES,
    STREET_STEMS,
    STREET_SUFFIXES,
)
from folkeregister.postal import postal_codes

# Ages are counted from a fixed day so that a seed gives the same people every year.
REFERENCE_DATE = datetime.date(2026, 1, 1)
OLDEST_DAYS = 100 * 365 + 24
BATCH_SIZE = 10_000

COLUMNS = (
    "identity_number", "number_kind", "given_name", "middle_name", "family_name", "birth_date",
    "sex", "status", "status_date", "address_protection",
    "residential_street", "residential_house_number", "residential_house_letter",
    "residential_postal_code", "residential_postal_town", "residential_municipality",
    "postal_street", "postal_house_number", "postal_house_letter",
    "postal_postal_code", "postal_postal_town", "postal_municipality", "updated",
)  # fmt: skip


class SeedError(Exception):
    pass


def _people(count: int, seed: int) -> Iterator[tuple]:
    rng = random.Random(seed)
    codes = sorted(postal_codes().items())
    used: set[str] = set()
    now = timezone.now()
    produced = 0
    while produced < count:
        birth_date = REFERENCE_DATE - datetime.timedelta(days=rng.randint(1, OLDEST_DAYS))
        age = (REFERENCE_DATE - birth_date).days // 365
        d_number = 18 <= age <= 70 and rng.random() < 0.03
        number = make_identity_number(
            birth_date, rng.choice(individual_range(birth_date.year)), d_number=d_number
        )
        if number is None or number in used:
            continue
        used.add(number)
        produced += 1
        male = int(number[8]) % 2 == 1
        given = rng.choice(MALE_GIVEN_NAMES if male else FEMALE_GIVEN_NAMES)
        middle = rng.choice(FAMILY_NAMES) if rng.random() < 0.15 else ""
        family = rng.choice(FAMILY_NAMES)

        roll = rng.random()
        status, status_date = Status.BOSATT, None
        if d_number:
            status = Status.MIDLERTIDIG
        elif roll < 0.01 and age > 0:
            status = Status.DOED
            status_date = birth_date + datetime.timedelta(
                days=rng.randint(0, (REFERENCE_DATE - birth_date).days)
            )
        elif roll < 0.025 and age >= 18:
            status = Status.UTFLYTTET
            status_date = REFERENCE_DATE - datetime.timedelta(days=rng.randint(1, 3650))

        roll = rng.random()
        protection = AddressProtection.UGRADERT
        if roll < 0.002:
            protection = AddressProtection.STRENGT_FORTROLIG
        elif roll < 0.007:
            protection = AddressProtection.FORTROLIG

        postal_code, town = rng.choice(codes)
        street = rng.choice(STREET_STEMS) + rng.choice(STREET_SUFFIXES)
        house_number = rng.randint(1, 150)
        letter = rng.choice("ABCD") if rng.random() < 0.1 else ""
        postbox = rng.random() < 0.03 and age >= 18
        yield (
            number, NumberKind.D_NUMMER if d_number else NumberKind.FODSELSNUMMER,
            given, middle, family, birth_date, "M" if male else "F", status, status_date, protection,
            street, house_number, letter, postal_code, town, "",
            f"Postboks {rng.randint(1, 9999)}" if postbox else "", None, "",
            postal_code if postbox else "", town if postbox else "", "", now,
        )  # fmt: skip


def _chunks(rows: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(chunk: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        sql = f"COPY {Person._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in chunk:
                copy.write_row(row)
    else:
        Person.objects.bulk_create(
            [Person(**dict(zip(COLUMNS, row, strict=True))) for row in chunk], batch_size=2000
        )


def seed_population(count: int, *, seed: int, on_progress: Callable[[int], None] | None = None) -> int:
    """Add `count` synthetic persons to an empty register; returns how many were added."""
    if count < 1:
        raise SeedError("The count must be at least 1.")
    if Person.objects.exists():
        raise SeedError(
            "The register already has persons; a synthetic population is seeded into an empty register."
        )
    with transaction.atomic():
        for chunk in _chunks(_people(count, seed), BATCH_SIZE):
            _insert(chunk)
            if on_progress:
                on_progress(len(chunk))
    return count
