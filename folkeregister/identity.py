"""Norwegian identity numbers (fødselsnummer and D-nummer), on top of python-stdnum.

python-stdnum checks the classic rules. Two kinds of number it does not know are
accepted here as well:

- synthetic test numbers as issued by Tenor and TestID: birth month + 80
  (they can never belong to a real person);
- numbers issued from 1 January 2032, whose first check digit may be the classic
  value + 0, 1, 2 or 3 (mod 11) and which no longer encode sex.
"""

import datetime
from dataclasses import dataclass
from operator import mul

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.no import fodselsnummer

SYNTHETIC_MONTH_OFFSET = 80
H_NUMBER_MONTH_OFFSET = 40
D_NUMBER_DAY_OFFSET = 40
K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
# From 2032 the first check digit may be the classic value plus one of these.
K1_OFFSETS_FROM_2032 = (0, 1, 2, 3)


class Kind:
    FODSELSNUMMER = "fnr"
    D_NUMMER = "dnr"
    H_NUMMER = "hnr"


@dataclass(frozen=True)
class IdentityNumber:
    number: str
    kind: str
    synthetic: bool
    birth_date: datetime.date
    # "M" or "F" where the number still encodes it, otherwise "".
    sex: str

    def __str__(self):
        return self.number

    @property
    def masked(self) -> str:
        return self.number[:6] + "*****"


def _invalid(message=None) -> ValidationError:
    return ValidationError(
        message or _("Enter a valid Norwegian identity number (11 digits)."),
        code="invalid_identity_number",
    )


def _digits(number: str) -> tuple[int, ...]:
    return tuple(map(int, number))


def _classic_k1(digits: tuple[int, ...]) -> int:
    """The classic first check digit over the first nine digits, 0..10 (10 means: no classic
    number has these digits)."""
    return (11 - sum(map(mul, K1_WEIGHTS, digits))) % 11


def _k2(digits: tuple[int, ...]) -> int:
    """The second check digit over the first ten digits, 0..10 (10: no valid number)."""
    return (11 - sum(map(mul, K2_WEIGHTS, digits))) % 11


def _birth_date(day: int, month: int, year: int, individual: int) -> datetime.date:
    """The birth date from the date digits without the synthetic, H- and D-number offsets.

    The rules of python-stdnum's get_birth_date, kept here without its Unicode clean-up of the
    number, which cost more than the rest of a parse (the KRR lookup parses 1000 per call).
    Like stdnum, it takes a D-number offset off a day still above 40 (a day of 81-99)."""
    if day > D_NUMBER_DAY_OFFSET:
        day -= D_NUMBER_DAY_OFFSET
    # The century follows from the individual number's series (see individual_range).
    if individual < 500:
        year += 1900
    elif individual < 750 and year >= 54:
        year += 1800
    elif year < 40:
        year += 2000
    elif individual >= 900:
        year += 1900
    else:
        raise ValueError("No century has this individual number for this year.")
    return datetime.date(year, month, day)


def parse_identity_number(value: str) -> IdentityNumber:
    """Validate and describe an identity number, or raise ValidationError.

    Spaces and a dash between date and personnummer are allowed."""
    raw = str(value)
    # Most numbers arrive as 11 plain digits; stdnum's Unicode clean-up is only needed otherwise.
    number = raw if len(raw) == 11 and raw.isascii() and raw.isdigit() else fodselsnummer.compact(raw)
    # str.isdigit() also accepts digits such as '²' or '１' that are no part of a number.
    if len(number) != 11 or not (number.isascii() and number.isdigit()):
        raise _invalid()

    day, month = int(number[0:2]), int(number[2:4])
    synthetic = month > SYNTHETIC_MONTH_OFFSET
    if synthetic:
        month -= SYNTHETIC_MONTH_OFFSET
    kind = Kind.FODSELSNUMMER
    if month > H_NUMBER_MONTH_OFFSET:
        kind, month = Kind.H_NUMMER, month - H_NUMBER_MONTH_OFFSET
    if day > D_NUMBER_DAY_OFFSET:
        kind, day = Kind.D_NUMMER, day - D_NUMBER_DAY_OFFSET

    # Check digits are computed over the digits as written (offsets included).
    digits = _digits(number)
    k1, k2 = digits[9], digits[10]
    if k2 != _k2(digits):
        raise _invalid(_("The identity number's check digits do not match."))
    classic_k1 = _classic_k1(digits)
    if (k1 - classic_k1) % 11 not in K1_OFFSETS_FROM_2032:
        raise _invalid(_("The identity number's check digits do not match."))

    try:
        birth_date = _birth_date(day, month, int(number[4:6]), int(number[6:9]))
    except ValueError:
        raise _invalid(_("The identity number does not contain a valid birth date.")) from None
    if birth_date > datetime.date.today():
        raise _invalid(_("The identity number's birth date is in the future."))

    # Only numbers with the classic first check digit still encode sex.
    sex = ("M" if digits[8] % 2 else "F") if k1 == classic_k1 else ""
    return IdentityNumber(number=number, kind=kind, synthetic=synthetic, birth_date=birth_date, sex=sex)


def validate_identity_number(value: str) -> None:
    """Model and form field validator."""
    parse_identity_number(value)


def make_identity_number(
    birth_date: datetime.date,
    individual: int,
    *,
    synthetic: bool = True,
    d_number: bool = False,
) -> str | None:
    """Build a classic-rule number from a birth date and a 3-digit individual number.
    Returns None when no valid check digits exist for these digits (about 1 in 5)."""
    day = birth_date.day + (D_NUMBER_DAY_OFFSET if d_number else 0)
    month = birth_date.month + (SYNTHETIC_MONTH_OFFSET if synthetic else 0)
    digits = f"{day:02d}{month:02d}{birth_date.year % 100:02d}{individual:03d}"
    k1 = _classic_k1(_digits(digits))
    if k1 == 10:
        return None
    k2 = _k2((*_digits(digits), k1))
    if k2 == 10:
        return None
    return f"{digits}{k1}{k2}"


def individual_range(year: int) -> range:
    """The individual numbers that encode a birth year's century."""
    if 1855 <= year <= 1899:
        return range(500, 750)
    if 1900 <= year <= 1999:
        return range(0, 500)
    if 2000 <= year <= 2039:
        return range(500, 1000)
    raise ValueError(f"No individual number series for {year}.")
