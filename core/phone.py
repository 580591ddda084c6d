"""Phone numbers: parsed and validated with `phonenumbers`, stored in E.164 (+4791234567)."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def normalise_phone_number(raw: str, *, region: str | None = None) -> str:
    """Return the number in E.164, or raise ValidationError with a message for the user.
    Numbers without a country code are read as Norwegian."""
    region = region or settings.PHONE_DEFAULT_REGION
    try:
        parsed = phonenumbers.parse(str(raw).strip(), region)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    number_type = phonenumbers.number_type(phonenumbers.parse(e164))
    return number_type in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def validate_phone_number(value: str) -> None:
    normalise_phone_number(value)
