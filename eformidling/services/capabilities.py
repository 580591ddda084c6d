"""What Felles can deliver to a person, as Digdir's service registry decides it (efm-service-registry
DpiMessageRouter): the contact register (KRR) and the population register decide, the same way
postkasse's routing does.

    vedtak (obligated): reserved -> print; not notifiable -> print; else mailbox check
    info:               mailbox check
    mailbox check:      an active mailbox -> digital; otherwise DPV (print record + digital_dpv)

Felles has no Altinn DPV: where Digdir offers digital_dpv, Felles offers print only."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from folkeregister import services as folkeregister
from folkeregister.identity import parse_identity_number
from folkeregister.models import AddressProtection, Status
from kontaktregister import services as kontaktregister
from virksomheter.models import Organisation

INFO_PROCESS = "urn:no:difi:profile:digitalpost:info:ver1.0"
VEDTAK_PROCESS = "urn:no:difi:profile:digitalpost:vedtak:ver1.0"
PROCESSES = (INFO_PROCESS, VEDTAK_PROCESS)
DIGITAL_STANDARD = "urn:no:difi:digitalpost:xsd:digital::digital"
PRINT_STANDARD = "urn:no:difi:digitalpost:xsd:fysisk::print"
STANDARDS = {"digital": DIGITAL_STANDARD, "print": PRINT_STANDARD}
COUNTRY = "Norway"


class NotAPerson(Exception):
    """The identifier is not a valid fødselsnummer or D-nummer."""


class PersonUnknown(Exception):
    """Neither register knows the person."""


@dataclass(frozen=True)
class Capability:
    process: str
    document_type: str  # digital or print
    post_address: dict | None = None
    return_address: dict | None = None

    @property
    def standard(self) -> str:
        return STANDARDS[self.document_type]

    def as_json(self) -> dict:
        answer = {"process": self.process, "serviceIdentifier": "DPI"}
        if self.post_address is not None:
            answer["postAddress"] = self.post_address
        if self.return_address is not None:
            answer["returnAddress"] = self.return_address
        answer["documentTypes"] = [{"type": self.document_type, "standard": self.standard}]
        return answer


def person_number(identifier: str) -> str:
    """The person's number as stored, or NotAPerson."""
    try:
        return parse_identity_number(identifier).number
    except ValidationError:
        raise NotAPerson(identifier) from None


def _post_address(person) -> dict | None:
    """FREG's mailing address; none for a protected address or a deceased person (no print record)."""
    address = person.mailing_address
    if (
        address is None
        or person.address_protection != AddressProtection.UGRADERT
        or person.status == Status.DOED
    ):
        return None
    street = address.lines[0] if len(address.lines) > 1 else ""
    return {
        "name": person.full_name,
        "street": street,
        "postalCode": address.postal_code,
        "postalArea": address.postal_town,
        "country": COUNTRY,
    }


def capabilities(identifier: str, sender: Organisation, *, process: str | None = None) -> list[Capability]:
    """The person's capabilities per process (one process if given); none for an organisation.
    NotAPerson for an invalid number, PersonUnknown for a person the population register does not know."""
    if re.fullmatch(r"0192:\d{9}(:\d{9})?", identifier):
        return []  # an organisation: Felles delivers digital post to persons only (no DPO, DPV, DPF)
    number = person_number(identifier)
    found = folkeregister.lookup_persons([number], requested_by="eformidling").persons
    person = found.get(number)
    if person is None:
        raise PersonUnknown(number)
    [contact] = kontaktregister.lookup([number])
    has_mailbox = (
        person.status != Status.DOED
        and contact.status == "AKTIV"
        and not contact.reserved
        and bool(contact.mailbox_address)
    )
    post_address = _post_address(person)
    return_address = {"name": sender.display_name("nb")}
    answer = []
    for name in PROCESSES:
        if process is not None and name != process:
            continue
        if name == VEDTAK_PROCESS and (contact.reserved or not contact.notifiable):
            target = "print"
        else:
            target = "digital" if has_mailbox else "print"
        if target == "digital":
            answer.append(Capability(name, "digital"))
        elif post_address is not None:
            answer.append(Capability(name, "print", post_address, return_address))
    return answer
