"""Outbound SMS, shaped like Django's e-mail backends.

`send_sms(to, text)` normalises the number and hands the message to the backend
named by settings.SMS_BACKEND: the database outbox (development and demo) or an
HTTP gateway.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.phone import is_mobile, normalise_phone_number


class SmsError(Exception):
    """The message could not be handed over to the SMS gateway."""


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str
    sender: str


def get_backend(path: str | None = None):
    return import_string(path or settings.SMS_BACKEND)()


def send_sms(to: str, text: str, *, sender: str | None = None, backend=None) -> SmsMessage:
    """Send one SMS to a mobile number. Raises ValidationError for a number that
    cannot receive SMS and SmsError when the gateway refuses the message."""
    number = normalise_phone_number(to)
    if not is_mobile(number):
        raise ValidationError(
            _("%(number)s is not a mobile number."), code="not_mobile", params={"number": number}
        )
    if not text.strip():
        raise ValueError("An SMS needs a text.")
    message = SmsMessage(to=number, text=text, sender=sender or settings.SMS_SENDER)
    (backend or get_backend()).send(message)
    return message
