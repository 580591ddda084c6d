"""The KRR lookup (oppslagstjenesten): up to 1000 persons per call, in a constant
number of queries. Unknown numbers answer "not registered", never an error for the batch."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.errors import DomainError
from folkeregister.identity import parse_identity_number
from kontaktregister.models import ContactRecord

MAX_PERSONS_PER_LOOKUP = 1000
SCOPE_CONTACT = "krr:kontaktinformasjon"
SCOPE_DIGITAL_POST = "krr:digitalpost"


class KontaktregisterError(DomainError):
    code = "kontaktregister_error"


class InvalidLookup(KontaktregisterError):
    code = "invalid_lookup"


@dataclass(frozen=True)
class Contact:
    identity_number: str
    status: str  # AKTIV, SLETTET or IKKE_REGISTRERT, as KRR names them
    reserved: bool | None
    language: str | None
    mobile: str | None
    mobile_updated_at: datetime | None
    mobile_verified_at: datetime | None
    email: str | None
    email_updated_at: datetime | None
    email_verified_at: datetime | None
    mailbox_provider: str | None
    mailbox_address: str | None
    mailbox_certificate: str | None


STATUS_NAMES = {ContactRecord.Status.ACTIVE: "AKTIV", ContactRecord.Status.DELETED: "SLETTET"}


def _not_registered(number: str) -> Contact:
    return Contact(
        number, "IKKE_REGISTRERT", None, None, None, None, None, None, None, None, None, None, None
    )


def _contact(record: ContactRecord) -> Contact:
    active = record.status == ContactRecord.Status.ACTIVE
    return Contact(
        identity_number=record.person.identity_number,
        status=STATUS_NAMES[record.status],
        reserved=record.reserved,
        language=record.language,
        mobile=(record.mobile or None) if active else None,
        mobile_updated_at=record.mobile_updated_at if active else None,
        mobile_verified_at=record.mobile_verified_at if active else None,
        email=(record.email or None) if active else None,
        email_updated_at=record.email_updated_at if active else None,
        email_verified_at=record.email_verified_at if active else None,
        mailbox_provider=(record.mailbox_provider or None) if active else None,
        mailbox_address=(record.mailbox_address or None) if active else None,
        mailbox_certificate=(record.mailbox_certificate or None) if active else None,
    )


def lookup(identity_numbers: list[str]) -> list[Contact]:
    """One answer per distinct number, in the order asked. Two queries whatever the batch size."""
    if not identity_numbers:
        raise InvalidLookup(_("Give at least one identity number."))
    if len(identity_numbers) > MAX_PERSONS_PER_LOOKUP:
        raise InvalidLookup(
            _("At most %(max)d identity numbers can be looked up in one call; %(count)d were given.")
            % {"max": MAX_PERSONS_PER_LOOKUP, "count": len(identity_numbers)}
        )
    numbers = []
    for value in identity_numbers:
        try:
            numbers.append(parse_identity_number(str(value)).number)
        except ValidationError:
            raise InvalidLookup(
                _("%(value)s is not a valid identity number.") % {"value": str(value)[:20]}
            ) from None
    numbers = list(dict.fromkeys(numbers))
    records = {
        record.person.identity_number: record
        for record in ContactRecord.objects.filter(person__identity_number__in=numbers).select_related(
            "person"
        )
    }
    return [_contact(records[n]) if n in records else _not_registered(n) for n in numbers]
