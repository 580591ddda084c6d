import datetime

import pytest
from django.core.exceptions import ValidationError
from stdnum.no import fodselsnummer

from folkeregister.identity import Kind, individual_range, make_identity_number, parse_identity_number

BIRTH_DATE = datetime.date(1985, 5, 17)


def with_check_digits(first_nine: str, *, k1_offset: int = 0) -> str | None:
    """Append check digits: the classic first one plus `k1_offset` (mod 11), and the second
    one computed over the first ten digits. None when a check digit would be 10."""
    k1 = (int(fodselsnummer.calc_check_digit1(first_nine)) + k1_offset) % 11
    if k1 == 10:
        return None
    k2 = fodselsnummer.calc_check_digit2(f"{first_nine}{k1}")
    if k2 == "10":
        return None
    return f"{first_nine}{k1}{k2}"


def first_number(date_digits: str, individuals: range = range(500), *, k1_offset: int = 0) -> str:
    """The first valid number for six date digits (offsets included) among `individuals`."""
    for individual in individuals:
        number = with_check_digits(f"{date_digits}{individual:03d}", k1_offset=k1_offset)
        if number:
            return number
    raise AssertionError(f"No number with check digits for {date_digits}")


def classic_number(birth_date: datetime.date = BIRTH_DATE, **options) -> str:
    for individual in individual_range(birth_date.year):
        number = make_identity_number(birth_date, individual, synthetic=False, **options)
        if number:
            return number
    raise AssertionError(f"No number for {birth_date}")


def error_codes(error: ValidationError) -> set[str]:
    return {e.code for e in error.error_list}


def test_make_identity_number_builds_a_number_stdnum_accepts():
    assert fodselsnummer.is_valid(classic_number())


def test_classic_fodselsnummer_is_accepted_with_birth_date_and_sex():
    number = classic_number()

    parsed = parse_identity_number(number)

    assert parsed.number == number
    assert parsed.kind == Kind.FODSELSNUMMER
    assert parsed.synthetic is False
    assert parsed.birth_date == BIRTH_DATE
    assert parsed.sex == ("M" if int(number[8]) % 2 else "F")


def test_d_nummer_has_day_plus_40_and_the_real_birth_date():
    number = classic_number(d_number=True)

    parsed = parse_identity_number(number)

    assert number[:2] == "57"
    assert parsed.kind == Kind.D_NUMMER
    assert parsed.birth_date == BIRTH_DATE


def test_synthetic_tenor_number_has_month_plus_80_and_the_real_birth_date():
    number = next(
        n
        for i in individual_range(BIRTH_DATE.year)
        if (n := make_identity_number(BIRTH_DATE, i, synthetic=True))
    )

    parsed = parse_identity_number(number)

    assert number[2:4] == "85"
    assert parsed.synthetic is True
    assert parsed.kind == Kind.FODSELSNUMMER
    assert parsed.birth_date == BIRTH_DATE


def test_h_nummer_has_month_plus_40_and_the_real_birth_date():
    number = first_number("174585")

    parsed = parse_identity_number(number)

    assert parsed.kind == Kind.H_NUMMER
    assert parsed.synthetic is False
    assert parsed.birth_date == BIRTH_DATE


@pytest.mark.parametrize("k1_offset", [1, 2, 3])
def test_number_valid_only_under_the_2032_rule_is_accepted_without_sex(k1_offset):
    number = first_number("170585", k1_offset=k1_offset)
    assert not fodselsnummer.is_valid(number)

    parsed = parse_identity_number(number)

    assert parsed.birth_date == BIRTH_DATE
    assert parsed.sex == ""


def test_first_check_digit_classic_plus_4_is_refused():
    number = first_number("170585", k1_offset=4)

    with pytest.raises(ValidationError) as error:
        parse_identity_number(number)

    assert error.value.messages == ["Kontrollsifrene i fødselsnummeret stemmer ikke."]


def test_wrong_first_check_digit_with_matching_second_is_refused():
    number = first_number("170585", k1_offset=7)

    with pytest.raises(ValidationError) as error:
        parse_identity_number(number)

    assert error.value.messages == ["Kontrollsifrene i fødselsnummeret stemmer ikke."]


def test_wrong_second_check_digit_is_refused():
    number = classic_number()
    wrong = f"{number[:10]}{(int(number[10]) + 1) % 10}"

    with pytest.raises(ValidationError) as error:
        parse_identity_number(wrong)

    assert error.value.messages == ["Kontrollsifrene i fødselsnummeret stemmer ikke."]


def test_ten_digits_are_refused():
    with pytest.raises(ValidationError) as error:
        parse_identity_number(classic_number()[:10])

    assert error_codes(error.value) == {"invalid_identity_number"}
    assert error.value.messages == ["Skriv inn et gyldig fødselsnummer eller D-nummer (11 siffer)."]


def test_letters_are_refused():
    number = classic_number()

    with pytest.raises(ValidationError) as error:
        parse_identity_number(f"{number[:6]}A{number[7:]}")

    assert error.value.messages == ["Skriv inn et gyldig fødselsnummer eller D-nummer (11 siffer)."]


def test_non_ascii_digits_are_refused():
    number = classic_number()

    with pytest.raises(ValidationError) as error:
        parse_identity_number(f"{number[:10]}²")

    assert error.value.messages == ["Skriv inn et gyldig fødselsnummer eller D-nummer (11 siffer)."]


def test_impossible_date_31_february_is_refused():
    number = first_number("310285")

    with pytest.raises(ValidationError) as error:
        parse_identity_number(number)

    assert error.value.messages == ["Fødselsnummeret inneholder ikke en gyldig fødselsdato."]


def test_birth_date_in_the_future_is_refused():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    number = first_number(f"{tomorrow:%d%m%y}", individual_range(tomorrow.year))

    with pytest.raises(ValidationError) as error:
        parse_identity_number(number)

    assert error.value.messages == ["Fødselsdatoen i fødselsnummeret er fram i tid."]


def test_space_between_date_and_personnummer_is_accepted():
    number = classic_number()

    assert parse_identity_number(f"{number[:6]} {number[6:]}").number == number


def test_dash_between_date_and_personnummer_is_accepted():
    number = classic_number()

    assert parse_identity_number(f"{number[:6]}-{number[6:]}").number == number
