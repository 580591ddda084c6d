"""Correspondence parties (Noark 5 korrespondansepart) on a journal post: a person by identity number (name
and address from the population register; a protected address is never stored or shown, only that it is
protected), an organisation by organisasjonsnummer (its name from Felles' register, or typed in when it is not
there), a person or organisation typed in by name and postal address, and the internal parties (IA, IM, IK,
IS): a case handler or an administrative unit of the same organisation. Which parties a journal post must have
before it is finalised depends on its type (require_parties)."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from stdnum.no import orgnr

from core.phone import normalise_phone_number
from folkeregister import services as folkeregister
from saksarkiv.models import AdministrativEnhet, Journalpost, Korrespondansepart, Saksbehandler
from saksarkiv.services.archive import record_change, require_editable
from saksarkiv.services.changes import change_details
from saksarkiv.services.errors import InvalidInput, NotFound
from virksomheter import services as virksomheter

Type = Korrespondansepart.Type
# ISO 3166-1 alpha-2, the officially assigned codes: Noark 5's land (M406) is one of them.
COUNTRY_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRIES = frozenset(COUNTRY_CODES.split())
NORWAY = "NO"
MAX_ADDRESS_LINES = 4
MAX_ADDRESS_LINE = 100
# What a journal post of each type must have before it is finalised, and the refusal that names it: an
# incoming letter its sender, an outgoing one its recipient, a memo someone inside the organisation it is from
# or to (Noark 5 M087 korrespondanseparttype).
MEMO_PARTIES = (
    (Type.INTERN_MOTTAKER, Type.INTERN_AVSENDER),
    gettext_lazy("An internal memo needs an internal recipient or sender (IM or IA) before it is finalised."),
)
REQUIRED_PARTIES = {
    Journalpost.Type.INNGAAENDE: (
        (Type.AVSENDER,),
        gettext_lazy("An incoming journal post needs a sender (EA) before it is finalised."),
    ),
    Journalpost.Type.UTGAAENDE: (
        (Type.MOTTAKER, Type.GRUPPEMOTTAKER),
        gettext_lazy("An outgoing journal post needs a recipient (EM or GM) before it is finalised."),
    ),
    Journalpost.Type.NOTAT: MEMO_PARTIES,
    Journalpost.Type.NOTAT_UTEN_OPPFOELGING: MEMO_PARTIES,
}


@dataclass(frozen=True)
class Address:
    """A postal address and contact details as typed in (Noark 5 postadresse, postnummer, poststed, land,
    epostadresse, telefonnummer, kontaktperson)."""

    postadresse: tuple[str, ...] = ()
    postnummer: str = ""
    poststed: str = ""
    land: str = ""
    epostadresse: str = ""
    telefonnummer: str = ""
    kontaktperson: str = ""

    @property
    def has_postal_address(self) -> bool:
        return bool(self.postadresse or self.postnummer or self.poststed or self.land)


def _text(value: str, limit: int, label: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput(
            _("%(field)s can be at most %(limit)d characters.") % {"field": label, "limit": limit}
        )
    return value


def clean_address(
    *,
    postadresse=(),
    postnummer: str = "",
    poststed: str = "",
    land: str = "",
    epostadresse: str = "",
    telefonnummer: str = "",
    kontaktperson: str = "",
) -> Address:
    """The typed-in address, checked: a Norwegian one has a four-digit postnummer and a poststed, one abroad
    a country code (ISO 3166) and at least one address line."""
    lines = tuple(
        _text(line, MAX_ADDRESS_LINE, "postadresse") for line in postadresse if (line or "").strip()
    )
    if len(lines) > MAX_ADDRESS_LINES:
        raise InvalidInput(_("A postal address has at most %(max)d lines.") % {"max": MAX_ADDRESS_LINES})
    address = Address(
        postadresse=lines,
        postnummer=_text(postnummer, 10, "postnummer"),
        poststed=_text(poststed, 100, "poststed"),
        land=_text(land, 2, "land").upper(),
        epostadresse=_text(epostadresse, 254, "epostadresse"),
        telefonnummer=_text(telefonnummer, 30, "telefonnummer"),
        kontaktperson=_text(kontaktperson, 200, "kontaktperson"),
    )
    if address.land and address.land not in COUNTRIES:
        raise InvalidInput(
            _("%(land)s is not a country code (ISO 3166, two letters, as NO or SE).") % {"land": land}
        )
    if address.has_postal_address:
        if address.land in ("", NORWAY):
            if not re.fullmatch(r"[0-9]{4}", address.postnummer) or not address.poststed:
                raise InvalidInput(
                    _("A Norwegian postal address needs a postnummer of four digits and a poststed.")
                )
        elif not address.postadresse:
            raise InvalidInput(_("A postal address abroad needs at least one address line."))
    if address.epostadresse:
        try:
            validate_email(address.epostadresse)
        except ValidationError:
            raise InvalidInput(
                _("%(value)s is not an e-mail address.") % {"value": address.epostadresse}
            ) from None
    if address.telefonnummer:
        try:
            number = normalise_phone_number(address.telefonnummer)
        except ValidationError:
            raise InvalidInput(
                _("%(value)s is not a telephone number.") % {"value": address.telefonnummer}
            ) from None
        address = Address(**{**address.__dict__, "telefonnummer": number})
    return address


def _person(identity_number: str, handler: Saksbehandler, request) -> Korrespondansepart:
    try:
        person = folkeregister.lookup_person(
            identity_number, requested_by=handler.organisation.organisasjonsnummer, request=request
        )
    except folkeregister.FolkeregisterError as error:
        raise InvalidInput(error.message) from None
    address = person.mailing_address
    return Korrespondansepart(
        foedselsnummer=person.identity_number,
        navn=person.full_name,
        adresse_beskyttet=person.is_address_protected,
        postadresse=[] if person.is_address_protected or address is None else address.lines,
    )


def _organisation(organisasjonsnummer: str, navn: str) -> Korrespondansepart:
    """An organisation: its name from Felles' register; one not there keeps the name typed in."""
    number = organisasjonsnummer.replace(" ", "")
    if not orgnr.is_valid(number):
        raise InvalidInput(
            _("%(number)s is not a valid organisation number.") % {"number": organisasjonsnummer}
        )
    try:
        registered = virksomheter.get_organisation(number).name_nb
    except virksomheter.VirksomheterError:
        registered = ""
    if not registered and not navn:
        raise InvalidInput(
            _("Organisation %(number)s is not in Felles' register: give its name.") % {"number": number}
        )
    if registered and navn and navn != registered:
        raise InvalidInput(
            _("Organisation %(number)s is registered as %(name)s; leave the name out or give that one.")
            % {"number": number, "name": registered}
        )
    return Korrespondansepart(organisasjonsnummer=number, navn=registered or navn)


def _internal(
    handler: Saksbehandler, saksbehandler: Saksbehandler | None, enhet: AdministrativEnhet | None
) -> Korrespondansepart:
    if saksbehandler is None and enhet is None:
        raise InvalidInput(_("An internal party is a case handler or an administrative unit: choose one."))
    if saksbehandler is not None and saksbehandler.organisation_id != handler.organisation_id:
        raise NotFound(_("No such case handler in your organisation."))
    if enhet is not None and (enhet.organisation_id != handler.organisation_id or not enhet.aktiv):
        raise NotFound(_("No such administrative unit in your organisation."))
    if saksbehandler is not None:
        navn = saksbehandler.user.get_full_name() or saksbehandler.user.get_username()
        enhet = enhet or saksbehandler.administrativ_enhet
    else:
        navn = enhet.navn
    return Korrespondansepart(navn=navn, saksbehandler=saksbehandler, administrativ_enhet=enhet)


def describe(party: Korrespondansepart) -> str:
    """The party as the audit trail names it: its type code and name."""
    return f"{party.korrespondanseparttype} {party.navn}"


@transaction.atomic
def add_party(
    journalpost: Journalpost,
    handler: Saksbehandler,
    *,
    korrespondanseparttype: str = Type.MOTTAKER,
    identity_number: str = "",
    organisasjonsnummer: str = "",
    navn: str = "",
    saksbehandler: Saksbehandler | None = None,
    administrativ_enhet: AdministrativEnhet | None = None,
    request=None,
    **address,
) -> Korrespondansepart:
    """Add one party. External (EA, EM, EK, GM): an identity number, an organisation number, or a name
    typed in, with a postal address and contact details (`address`: see clean_address). Internal (IA, IM,
    IK, IS): a case handler or a unit of the organisation."""
    require_editable(journalpost)
    if korrespondanseparttype not in Type.values:
        raise InvalidInput(
            _("%(type)s is not a correspondence party type; choose from %(types)s.")
            % {"type": korrespondanseparttype, "types": ", ".join(Type.values)}
        )
    identity_number, organisasjonsnummer = identity_number.strip(), organisasjonsnummer.strip()
    navn = _text(navn, 200, "korrespondansepartNavn")
    typed = clean_address(**address)
    if korrespondanseparttype in Korrespondansepart.INTERNAL:
        if identity_number or organisasjonsnummer or navn or typed != Address():
            raise InvalidInput(
                _(
                    "An internal party is a case handler or a unit of your organisation: give no name, number or address."
                )
            )
        party = _internal(handler, saksbehandler, administrativ_enhet)
    else:
        if saksbehandler is not None or administrativ_enhet is not None:
            raise InvalidInput(
                _("A case handler or a unit can only be an internal party (IA, IM, IK or IS).")
            )
        if identity_number and organisasjonsnummer:
            raise InvalidInput(_("Give either an identity number or an organisation number."))
        if identity_number:
            if navn or typed.has_postal_address:
                raise InvalidInput(
                    _("A person's name and postal address come from the population register: leave them out.")
                )
            party = _person(identity_number, handler, request)
        elif organisasjonsnummer:
            party = _organisation(organisasjonsnummer, navn)
        elif navn:
            party = Korrespondansepart(navn=navn)
        else:
            raise InvalidInput(
                _("Give an identity number, an organisation number, or a name with a postal address.")
            )
        if not party.adresse_beskyttet and typed.has_postal_address:
            party.postadresse = list(typed.postadresse)
            party.postnummer, party.poststed, party.land = typed.postnummer, typed.poststed, typed.land
        party.epostadresse, party.telefonnummer = typed.epostadresse, typed.telefonnummer
        party.kontaktperson = typed.kontaktperson
    party.journalpost = journalpost
    party.korrespondanseparttype = korrespondanseparttype
    party.save()
    record_change(
        "party_added", handler, journalpost, request=request, party=party.navn,
        **change_details(journalpost, {"korrespondansepart": [None, describe(party)]}),
    )  # fmt: skip
    return party


@transaction.atomic
def remove_party(party: Korrespondansepart, handler: Saksbehandler, *, request=None) -> None:
    require_editable(party.journalpost)
    record_change(
        "party_removed", handler, party.journalpost, request=request, party=party.navn,
        **change_details(party.journalpost, {"korrespondansepart": [describe(party), None]}),
    )  # fmt: skip
    party.delete()


def require_parties(journalpost: Journalpost) -> None:
    """Refuse a journal post that lacks the parties its type needs (REQUIRED_PARTIES)."""
    if journalpost.journalposttype not in REQUIRED_PARTIES:
        return
    needed, refusal = REQUIRED_PARTIES[journalpost.journalposttype]
    if not journalpost.korrespondanseparter.filter(korrespondanseparttype__in=needed).exists():
        raise InvalidInput(str(refusal))


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
