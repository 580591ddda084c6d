"""Correspondence parties: a person by identity number (name and address from the population
register; a protected address is never stored or shown, only that it is protected) or an
organisation by organisasjonsnummer."""

from django.db import transaction
from django.utils.translation import gettext as _
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


@transaction.atomic
def add_recipients(
    journalpost: Journalpost, handler: Saksbehandler, identity_numbers: list[str], *, request=None
) -> int:
    """Many recipients at once (masseutsendelse): all are added, or none when a number is invalid
    or not in the population register. Numbers already on the journal post are skipped."""
    require_editable(journalpost)
    numbers = [number.strip() for number in identity_numbers if number.strip()]
    if not numbers:
        raise InvalidInput(_("Give at least one identity number."))
    persons, missing = {}, []
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        try:
            found = folkeregister.lookup_persons(
                numbers[start : start + LOOKUP_CHUNK],
                requested_by=handler.organisation.organisasjonsnummer,
                request=request,
            )
        except folkeregister.FolkeregisterError as error:
            raise InvalidInput(error.message) from None
        persons.update(found.persons)
        missing += found.not_found
    if missing:
        raise InvalidInput(
            _("Not in the population register: %(numbers)s") % {"numbers": ", ".join(missing[:10])}
            + (" …" if len(missing) > 10 else "")
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
