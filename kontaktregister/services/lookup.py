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


FIELDS = (
    "person__identity_number", "status", "reserved", "language", "mobile", "mobile_updated_at",
    "mobile_verified_at", "email", "email_updated_at", "email_verified_at", "mailbox_provider",
    "mailbox_address", "mailbox_certificate",
)  # fmt: skip


def _contact(row: dict) -> Contact:
    active = row["status"] == ContactRecord.Status.ACTIVE

    def shown(name):
        return (row[name] or None) if active else None

    return Contact(
        identity_number=row["person__identity_number"],
        status=STATUS_NAMES[row["status"]],
        reserved=row["reserved"],
        language=row["language"],
        mobile=shown("mobile"),
        mobile_updated_at=shown("mobile_updated_at"),
        mobile_verified_at=shown("mobile_verified_at"),
        email=shown("email"),
        email_updated_at=shown("email_updated_at"),
        email_verified_at=shown("email_verified_at"),
        mailbox_provider=shown("mailbox_provider"),
        mailbox_address=shown("mailbox_address"),
        mailbox_certificate=shown("mailbox_certificate"),
    )


def lookup(identity_numbers: list[str]) -> list[Contact]:
    """One answer per distinct number, in the order asked, in one query whatever the batch size."""
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
    # Plain rows, not model instances: building a thousand instances costs more than the query.
    records = {
        row["person__identity_number"]: row
        for row in ContactRecord.objects.filter(person__identity_number__in=numbers).values(*FIELDS)
    }
    return [_contact(records[n]) if n in records else _not_registered(n) for n in numbers]
