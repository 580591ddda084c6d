"""How postkasse reaches a person: the one rule routing decides a letter's channel by (the contact
register and the population register), for routing itself and for those that ask beforehand what
a letter to the person would get (eFormidling's capabilities), so the two cannot drift apart."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from folkeregister import services as folkeregister
from folkeregister.identity import parse_identity_number
from folkeregister.models import AddressProtection, Status
from kontaktregister import services as kontaktregister


class NotAPerson(ValueError):
    """Not a valid fødselsnummer or D-nummer."""


def has_mailbox(person, contact) -> bool:
    """Routing's rule for digital delivery: alive, active in the contact register, not reserved, and a
    chosen mailbox. Otherwise the letter goes to print (if allowed) or fails."""
    return (
        person.status != Status.DOED
        and contact.status == "AKTIV"
        and not contact.reserved
        and bool(contact.mailbox_address)
    )


def can_print_to(person) -> bool:
    """Whether routing prints to the register's address: not for a deceased person or a protected
    address (routing holds those letters)."""
    return person.status != Status.DOED and person.address_protection == AddressProtection.UGRADERT


@dataclass(frozen=True)
class Reach:
    """What a letter to the person would get now."""

    identity_number: str
    digital: bool  # routing would deliver to the person's mailbox
    reserved: bool  # reserved against digital post in the contact register
    notifiable: bool  # the contact register can notify the person
    # The register's address routing would print to: name, address lines (without the postal code and
    # place), postal code, place; None where routing would not print to it.
    print_address: dict | None


def _print_address(person) -> dict | None:
    address = person.mailing_address
    if not can_print_to(person) or address is None:
        return None
    place = f"{address.postal_code} {address.postal_town}".strip()
    return {
        "name": person.full_name,
        "lines": [line for line in address.lines if line != place],
        "postal_code": address.postal_code,
        "postal_area": address.postal_town,
    }


def reach(identifier: str, *, requested_by: Any, request=None) -> Reach | None:
    """The person's reach, or None when the population register does not know the person; NotAPerson
    for an invalid number. `requested_by` names who asks, for the population register's audit."""
    try:
        number = parse_identity_number(str(identifier)).number
    except ValidationError:
        raise NotAPerson(identifier) from None
    person = folkeregister.lookup_persons([number], requested_by=requested_by, request=request).persons.get(
        number
    )
    if person is None:
        return None
    [contact] = kontaktregister.lookup([number])
    return Reach(
        identity_number=number,
        digital=has_mailbox(person, contact),
        reserved=contact.reserved,
        notifiable=contact.notifiable,
        print_address=_print_address(person),
    )
