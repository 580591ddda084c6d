"""Correspondence parties: a person by identity number (name and address from the population
register; a protected address is never stored or shown, only that it is protected) or an
organisation by organisasjonsnummer."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from stdnum.no import orgnr

from folkeregister import services as folkeregister
from saksarkiv.models import Journalpost, Korrespondansepart, Saksbehandler
from saksarkiv.services.archive import record_change, require_editable
from saksarkiv.services.errors import InvalidInput
from virksomheter import services as virksomheter


@transaction.atomic
def add_party(
    journalpost: Journalpost,
    handler: Saksbehandler,
    *,
    identity_number: str = "",
    organisasjonsnummer: str = "",
    korrespondanseparttype: str = Korrespondansepart.Type.MOTTAKER,
    request=None,
) -> Korrespondansepart:
    require_editable(journalpost)
    if bool(identity_number.strip()) == bool(organisasjonsnummer.strip()):
        raise InvalidInput(_("Give either an identity number or an organisation number."))
    if identity_number.strip():
        try:
            person = folkeregister.lookup_person(
                identity_number.strip(),
                requested_by=handler.organisation.organisasjonsnummer,
                request=request,
            )
        except folkeregister.FolkeregisterError as error:
            raise InvalidInput(error.message) from None
        address = person.mailing_address
        party = Korrespondansepart(
            foedselsnummer=person.identity_number,
            navn=person.full_name,
            adresse_beskyttet=person.is_address_protected,
            postadresse=[] if person.is_address_protected or address is None else address.lines,
        )
    else:
        number = organisasjonsnummer.replace(" ", "")
        if not orgnr.is_valid(number):
            raise InvalidInput(
                _("%(number)s is not a valid organisation number.") % {"number": organisasjonsnummer}
            )
        try:
            organisation = virksomheter.get_organisation(number)
        except virksomheter.VirksomheterError as error:
            raise InvalidInput(error.message) from None
        party = Korrespondansepart(organisasjonsnummer=number, navn=organisation.name_nb)
    if korrespondanseparttype not in Korrespondansepart.Type.values:
        raise InvalidInput(_("Choose sender, recipient or copy recipient."))
    party.journalpost = journalpost
    party.korrespondanseparttype = korrespondanseparttype
    party.save()
    record_change("party_added", handler, journalpost, request=request, party=party.navn)
    return party


@transaction.atomic
def remove_party(party: Korrespondansepart, handler: Saksbehandler, *, request=None) -> None:
    require_editable(party.journalpost)
    record_change("party_removed", handler, party.journalpost, request=request, party=party.navn)
    party.delete()


LOOKUP_CHUNK = 1000
# A pasted list longer than this is refused as a whole: a register lookup per chunk is cheap, but
# naming every bad line of a list this long would not help anyone.
MAX_PASTED_LINES = 100_000


@dataclass(frozen=True)
class RejectedLine:
    """One pasted line that cannot be a recipient: its line number (from 1), what it said, and why."""

    line: int
    value: str
    reason: str


class RecipientsRejected(InvalidInput):
    """Some pasted lines cannot be recipients; none were added. `rejected` names every one."""

    def __init__(self, message: str, rejected: list[RejectedLine]):
        super().__init__(message)
        self.rejected = rejected


def _valid_lines(lines: list[str]) -> tuple[dict[str, int], list[RejectedLine]]:
    """Each valid number with the first line it is on, and every line that is not a valid number."""
    numbers, rejected = {}, []
    for line_number, line in enumerate(lines, start=1):
        # A line may hold several numbers separated by commas or semicolons, as copied from a sheet.
        for value in (part.strip() for part in line.replace(";", ",").split(",")):
            if not value:
                continue
            try:
                number = folkeregister.parse_identity_number(value).number
            except ValidationError as error:
                rejected.append(RejectedLine(line_number, value[:40], " ".join(error.messages)))
                continue
            numbers.setdefault(number, line_number)
    return numbers, rejected


@transaction.atomic
def add_recipients(
    journalpost: Journalpost, handler: Saksbehandler, identity_numbers: list[str], *, request=None
) -> int:
    """Many recipients at once (masseutsendelse), one or more per line as pasted: all are added, or none
    while a line is not a valid number or not in the population register. Every such line is named
    with its reason, so that the handler can correct the list in one go. Numbers already on the
    journal post are skipped."""
    require_editable(journalpost)
    if len(identity_numbers) > MAX_PASTED_LINES:
        raise InvalidInput(_("At most %(max)d lines can be added at once.") % {"max": MAX_PASTED_LINES})
    numbers, rejected = _valid_lines(identity_numbers)
    if not numbers and not rejected:
        raise InvalidInput(_("Give at least one identity number."))
    persons = {}
    valid = list(numbers)
    for start in range(0, len(valid), LOOKUP_CHUNK):
        found = folkeregister.lookup_persons(
            valid[start : start + LOOKUP_CHUNK],
            requested_by=handler.organisation.organisasjonsnummer,
            request=request,
        )
        persons.update(found.persons)
        rejected += [
            RejectedLine(numbers[number], number, _("not in the population register"))
            for number in found.not_found
        ]
    if rejected:
        rejected.sort(key=lambda line: line.line)
        raise RecipientsRejected(
            ngettext(
                "%(count)d line cannot be a recipient, so no recipients were added. Correct it and add the list again.",
                "%(count)d lines cannot be recipients, so no recipients were added. Correct them and add the list again.",
                len(rejected),
            )
            % {"count": len(rejected)},
            rejected,
        )
    present = set(journalpost.korrespondanseparter.values_list("foedselsnummer", flat=True))
    parties = []
    for person in persons.values():
        if person.identity_number in present:
            continue
        address = person.mailing_address
        parties.append(
            Korrespondansepart(
                journalpost=journalpost,
                korrespondanseparttype=Korrespondansepart.Type.MOTTAKER,
                foedselsnummer=person.identity_number,
                navn=person.full_name,
                adresse_beskyttet=person.is_address_protected,
                postadresse=[] if person.is_address_protected or address is None else address.lines,
            )
        )
    Korrespondansepart.objects.bulk_create(parties, batch_size=1000)
    record_change("recipients_added", handler, journalpost, request=request, count=len(parties))
    return len(parties)
