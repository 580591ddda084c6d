"""What Felles can deliver to a person, as Digdir's service registry decides it (efm-service-registry
DpiMessageRouter): the contact register (KRR) and the population register decide, through
postkasse's own routing rule (postkasse.services.reach), so a capability never promises what
routing would not do.

    vedtak (obligated): reserved -> print; not notifiable -> print; else mailbox check
    info:               mailbox check
    mailbox check:      an active mailbox -> digital; otherwise DPV (print record + digital_dpv)

Felles has no Altinn DPV: where Digdir offers digital_dpv, Felles offers print only.

An organisation registered in Felles, whose archive Felles keeps, takes arkivmelding (DPO, the
administrasjon process: services/dpo.py); any other organisation nothing.

Addresses as the service registry gives them for DPI records (digital and print alike, RD "Get
capabilities" Example 4): postAddress from the population register (name, the address lines joined
with spaces, postal code and area, country), returnAddress the sender's. Felles differs in one
place: Digdir takes the sender's return address from Enhetsregisteret; Felles' organisation register
(virksomheter) keeps no postal address, so returnAddress has the sender's name only. A person with a
protected address or no address has neither, and no print record.

Every lookup names the organisation and its credential in the population register's audit trail,
and an organisation may look up at most EFORMIDLING_CAPABILITY_LOOKUPS_PER_MINUTE persons a minute."""

import re
from dataclasses import dataclass

from django.conf import settings

from core import throttle
from eformidling.services import dpo, errors
from postkasse import services as postkasse
from virksomheter.models import Organisation

INFO_PROCESS = "urn:no:difi:profile:digitalpost:info:ver1.0"
VEDTAK_PROCESS = "urn:no:difi:profile:digitalpost:vedtak:ver1.0"
PROCESSES = (INFO_PROCESS, VEDTAK_PROCESS)
DIGITAL_STANDARD = "urn:no:difi:digitalpost:xsd:digital::digital"
PRINT_STANDARD = "urn:no:difi:digitalpost:xsd:fysisk::print"
STANDARDS = {"digital": DIGITAL_STANDARD, "print": PRINT_STANDARD, dpo.MESSAGE_TYPE: dpo.STANDARD}
COUNTRY = "Norway"
LOOKUP_SCOPE = "eformidling.capabilities"


class NotAPerson(Exception):
    """The identifier is not a valid fødselsnummer or D-nummer."""


class PersonUnknown(Exception):
    """Neither register knows the person."""


@dataclass(frozen=True)
class Capability:
    process: str
    document_type: str  # digital, print or arkivmelding
    post_address: dict | None = None
    return_address: dict | None = None
    service: str = "DPI"

    @property
    def standard(self) -> str:
        return STANDARDS[self.document_type]

    def as_json(self) -> dict:
        answer = {"process": self.process, "serviceIdentifier": self.service}
        if self.post_address is not None:
            answer["postAddress"] = self.post_address
        if self.return_address is not None:
            answer["returnAddress"] = self.return_address
        answer["documentTypes"] = [{"type": self.document_type, "standard": self.standard}]
        return answer


def _post_address(print_address: dict | None) -> dict | None:
    if print_address is None:
        return None
    return {
        "name": print_address["name"],
        "street": " ".join(print_address["lines"]),
        "postalCode": print_address["postal_code"],
        "postalArea": print_address["postal_area"],
        "country": COUNTRY,
    }


def _organisation_capabilities(identifier: str, process: str | None) -> list[Capability]:
    """An organisation registered in Felles keeps its archive here and takes arkivmelding (DPO,
    the administrasjon process); any other organisation nothing (no DPO elsewhere, no DPV, no DPF)."""
    if dpo.receiver_organisation(identifier) is None or process not in (None, dpo.PROCESS):
        return []
    return [Capability(dpo.PROCESS, dpo.MESSAGE_TYPE, service=dpo.SERVICE)]


def check_lookup_rate(organisation: Organisation) -> None:
    """One capability lookup for the organisation, within its limit per minute (for every process)."""
    rate = throttle.Rate.per_minute(settings.EFORMIDLING_CAPABILITY_LOOKUPS_PER_MINUTE)
    if not throttle.hit(LOOKUP_SCOPE, organisation.organisasjonsnummer, rate):
        raise errors.TooManyRequests(
            f"Too many capability lookups: at most {rate.limit} a minute for organisation "
            f"{organisation.organisasjonsnummer}"
        )


def capabilities(
    identifier: str, sender: Organisation, *, process: str | None = None, requested_by: str | None = None
) -> list[Capability]:
    """The person's capabilities per process (one process if given); an organisation's (arkivmelding
    to its archive in Felles). NotAPerson for an invalid number, PersonUnknown for a person the
    population register does not know. `requested_by` names the organisation and its credential for
    the audit trail (the organisation number if not given)."""
    if re.fullmatch(r"(0192:)?\d{9}(:\d{9})?", identifier):
        return _organisation_capabilities(identifier, process)
    try:
        reach = postkasse.reach(
            identifier, requested_by=f"eformidling:{requested_by or sender.organisasjonsnummer}"
        )
    except postkasse.NotAPerson:
        raise NotAPerson(identifier) from None
    if reach is None:
        raise PersonUnknown(identifier)
    post_address = _post_address(reach.print_address)
    return_address = {"name": sender.display_name("nb")} if post_address is not None else None
    answer = []
    for name in PROCESSES:
        if process is not None and name != process:
            continue
        if name == VEDTAK_PROCESS and (reach.reserved or not reach.notifiable):
            target = "print"
        else:
            target = "digital" if reach.digital else "print"
        if target == "digital":
            answer.append(Capability(name, "digital", post_address, return_address))
        elif post_address is not None:
            answer.append(Capability(name, "print", post_address, return_address))
    return answer
