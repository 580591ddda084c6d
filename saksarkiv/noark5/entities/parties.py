"""arkivstruktur: korrespondansepart on a journal post, as korrespondansepartperson (a person by identity
number: name and address from the population register, a protected address never stored),
korrespondansepartenhet (an organisation, or a party typed in by name and address) and
korrespondansepartintern (a case handler or a unit of the organisation).

The archive's services decide (saksarkiv.services.add_party, remove_party): a party is added and deleted
while its journal post is not finalised. Identity numbers are shown to the organisation whose record it is,
and never written to a log."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from saksarkiv import services
from saksarkiv.models import AdministrativEnhet, Journalpost, Korrespondansepart, Saksbehandler
from saksarkiv.noark5 import fields as read
from saksarkiv.noark5.changelog import user_system_id
from saksarkiv.noark5.odata import Field
from saksarkiv.noark5.rels import ARKIVSTRUKTUR, SAKARKIV, rel
from saksarkiv.noark5.resources import (
    Child,
    Creation,
    Links,
    Resource,
    Template,
    code,
    extend,
    present,
    register,
)
from saksarkiv.services.archive import require_editable

KORRESPONDANSEPART = f"{ARKIVSTRUKTUR}/korrespondansepart"
PERSON = f"{ARKIVSTRUKTUR}/korrespondansepartperson"
ENHET = f"{ARKIVSTRUKTUR}/korrespondansepartenhet"
INTERN = f"{ARKIVSTRUKTUR}/korrespondansepartintern"
Type = Korrespondansepart.Type
EXTERNAL = tuple(value for value in Type.values if value not in Korrespondansepart.INTERNAL)
INTERNAL = tuple(Korrespondansepart.INTERNAL)
ADDRESS_FIELDS = {"adresselinje1", "adresselinje2", "adresselinje3", "postnr", "poststed", "landkode"}
CONTACT_FIELDS = {"epostadresse", "mobiltelefon", "telefon"}
# The fields the archive sets itself, sent back as read in a template or a PUT: not a value to store.
SET_BY_ARCHIVE = {"systemID"}


def kind_of(party: Korrespondansepart) -> str:
    """Which of the three a party is, so which resource answers for it."""
    if party.korrespondanseparttype in INTERNAL:
        return INTERN
    return PERSON if party.foedselsnummer else ENHET


def postadresse(party: Korrespondansepart) -> dict | None:
    """The address as the standard's EnkelAdresse: three lines (a fourth joins the third), postnr,
    poststed, landkode. A protected address is not stored, so it is not here."""
    lines = list(party.postadresse or [])
    if len(lines) > 3:
        lines = [*lines[:2], ", ".join(lines[2:])]
    address = present(
        {
            **{f"adresselinje{number}": line for number, line in enumerate(lines, start=1)},
            "postnr": party.postnummer,
            "poststed": party.poststed,
            "landkode": party.land,
        }
    )
    return address or None


def kontaktinformasjon(party: Korrespondansepart) -> dict | None:
    return present({"epostadresse": party.epostadresse, "telefon": party.telefonnummer}) or None


def identifikator(number: str) -> dict:
    """A person's identity number under its kind: a D-number's first digit is 4 to 7."""
    return {"dNummer": number} if number[:1] in "4567" else {"foedselsnummer": number}


def dispatch_receipt(party: Korrespondansepart) -> dict | None:
    """Felles' own metadata (the standard's place for it): how the dispatch to the party went, as digital
    post reports it (sendt, levert, aapnet, printet, feilet) and why it failed."""
    if not party.ekspedering:
        return None
    return present({"ekspedering": party.ekspedering, "ekspederingAarsak": party.ekspedering_aarsak})


def represent(party: Korrespondansepart) -> dict:
    kind = kind_of(party)
    values = {
        "systemID": str(party.system_id),
        "korrespondanseparttype": code("korrespondanseparttype", party.korrespondanseparttype),
    }
    if kind == INTERN:
        values |= {
            "administrativEnhet": party.administrativ_enhet.navn if party.administrativ_enhet else None,
            "referanseAdministrativEnhet": str(party.administrativ_enhet.system_id)
            if party.administrativ_enhet
            else None,
            "saksbehandler": party.navn if party.saksbehandler_id else None,
            "referanseSaksbehandler": str(user_system_id(party.saksbehandler.user_id))
            if party.saksbehandler_id
            else None,
        }
        return present(values)
    values |= {
        "navn": party.navn,
        "postadresse": postadresse(party),
        "kontaktinformasjon": kontaktinformasjon(party),
        "virksomhetsspesifikkeMetadata": dispatch_receipt(party),
    }
    if kind == PERSON:
        values["personidentifikator"] = [identifikator(party.foedselsnummer)]
    else:
        values["enhetsidentifikator"] = (
            {"organisasjonsnummer": party.organisasjonsnummer} if party.organisasjonsnummer else None
        )
        values["kontaktperson"] = party.kontaktperson
    return present(values)


class PartyResource(Resource):
    """The parties of the journal posts the system may see (the access rules of the archive decide)."""

    package = ARKIVSTRUKTUR
    fields = {
        "systemID": Field("system_id", "uuid"),
        "navn": Field("navn", "text"),
        "korrespondanseparttype": Field("korrespondanseparttype", "text"),
        "korrespondanseparttype/kode": Field("korrespondanseparttype", "text"),
        "enhetsidentifikator/organisasjonsnummer": Field("organisasjonsnummer", "text"),
        "postadresse/postnr": Field("postnummer", "text"),
        "postadresse/poststed": Field("poststed", "text"),
        "registrering/systemID": Field("journalpost__system_id", "uuid"),
    }
    search = ("navn",)
    order = ("pk",)

    def rows(self, handler: Saksbehandler) -> QuerySet:
        return Korrespondansepart.objects.filter(
            journalpost__in=services.journalposts_for(handler)
        ).select_related("journalpost", "administrativ_enhet", "saksbehandler__user")

    def represent(self, party: Korrespondansepart, links: Links) -> dict:
        return represent(party)

    def relations(self, party: Korrespondansepart, links: Links) -> dict[str, str]:
        post = party.journalpost.system_id
        kind = kind_of(party)
        return {
            rel(ARKIVSTRUKTUR, "registrering"): links.instance("arkivstruktur/registrering", post),
            rel(SAKARKIV, "journalpost"): links.instance(f"{SAKARKIV}/journalpost", post),
            rel(*kind.split("/")): links.instance(kind, party.system_id),
        }

    def delete(self, party: Korrespondansepart, handler: Saksbehandler, request) -> None:
        services.remove_party(party, handler, request=request)


@register
class KorrespondansepartResource(PartyResource):
    name = "korrespondansepart"


@register
class KorrespondansepartPersonResource(PartyResource):
    name = "korrespondansepartperson"

    def rows(self, handler: Saksbehandler) -> QuerySet:
        return super().rows(handler).exclude(korrespondanseparttype__in=INTERNAL).exclude(foedselsnummer="")


@register
class KorrespondansepartEnhetResource(PartyResource):
    name = "korrespondansepartenhet"

    def rows(self, handler: Saksbehandler) -> QuerySet:
        return super().rows(handler).exclude(korrespondanseparttype__in=INTERNAL).filter(foedselsnummer="")


@register
class KorrespondansepartInternResource(PartyResource):
    name = "korrespondansepartintern"

    def rows(self, handler: Saksbehandler) -> QuerySet:
        return super().rows(handler).filter(korrespondanseparttype__in=INTERNAL)


# ---- reading a new party ----------------------------------------------------------------------------


def _object(values: dict, name: str, allowed: set[str]) -> dict:
    given = values.get(name)
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise services.InvalidInput(_("%(field)s must be an object.") % {"field": name})
    read.refuse_other(given, allowed)
    return given


def address_from(values: dict) -> dict:
    """postadresse and kontaktinformasjon as the parties service takes them."""
    address = _object(values, "postadresse", ADDRESS_FIELDS)
    contact = _object(values, "kontaktinformasjon", CONTACT_FIELDS)
    lines = [read.text(address, f"adresselinje{number}", max_length=100) for number in (1, 2, 3)]
    landkode = address.get("landkode")
    if isinstance(landkode, dict):  # a code list value, {"kode": "NO"}
        address = {**address, "landkode": landkode.get("kode")}
    telefon = read.text(contact, "mobiltelefon", max_length=30) or read.text(
        contact, "telefon", max_length=30
    )
    return {
        "postadresse": [line for line in lines if line],
        "postnummer": read.text(address, "postnr", max_length=10),
        "poststed": read.text(address, "poststed", max_length=100),
        "land": read.text(address, "landkode", max_length=2),
        "epostadresse": read.text(contact, "epostadresse", max_length=254),
        "telefonnummer": telefon,
    }


def identity_number_from(values: dict) -> str:
    """personidentifikator: [{"foedselsnummer": "..."}] or [{"dNummer": "..."}], one of them."""
    given = values.get("personidentifikator")
    if isinstance(given, dict):
        given = [given]
    if not isinstance(given, list) or len(given) != 1 or not isinstance(given[0], dict):
        raise services.InvalidInput(
            _('personidentifikator is required: [{"foedselsnummer": "..."}] or [{"dNummer": "..."}].')
        )
    read.refuse_other(given[0], {"foedselsnummer", "dNummer"})
    number = read.text(given[0], "foedselsnummer", max_length=11) or read.text(
        given[0], "dNummer", max_length=11
    )
    if not number:
        raise services.InvalidInput(_("personidentifikator needs a foedselsnummer or a dNummer."))
    return number


def unit_from(values: dict, handler: Saksbehandler) -> AdministrativEnhet | None:
    """An internal party's unit: referanseAdministrativEnhet (its systemID) or administrativEnhet (its
    kortnavn or its name), among the organisation's units."""
    units = AdministrativEnhet.objects.filter(organisation=handler.organisation)
    system_id = read.system_id(values, "referanseAdministrativEnhet")
    if system_id is not None:
        found = units.filter(system_id=system_id).first()
    else:
        named = read.text(values, "administrativEnhet", max_length=100)
        if not named:
            return None
        found = units.filter(kortnavn=named).first() or units.filter(navn=named).first()
    if found is None:
        raise services.NotFound(_("No such administrative unit in your organisation."))
    return found


def handler_from(values: dict, handler: Saksbehandler) -> Saksbehandler | None:
    """An internal party's case handler among the organisation's: referanseSaksbehandler (the systemID
    admin/bruker gives the user) or saksbehandler (the user name)."""
    handlers = Saksbehandler.objects.select_related("user", "administrativ_enhet").filter(
        organisation=handler.organisation
    )
    system_id = read.system_id(values, "referanseSaksbehandler")
    username = read.text(values, "saksbehandler", max_length=150)
    if system_id is not None:
        # A user's systemID is derived from the user, not stored, so it is matched on the few handlers.
        user_ids = handlers.values_list("user_id", flat=True)
        user_id = next((each for each in user_ids if user_system_id(each) == system_id), None)
        found = handlers.filter(user_id=user_id).first() if user_id is not None else None
    elif username:
        found = handlers.filter(user__username=username).first()
    else:
        return None
    if found is None:
        raise services.NotFound(_("No such case handler in your organisation."))
    return found


def _type(values: dict, choices: tuple[str, ...]) -> str:
    found = read.kode(values, "korrespondanseparttype", choices)
    if found is None:
        raise services.InvalidInput(_("%(field)s is required.") % {"field": "korrespondanseparttype"})
    return found


def create_person(journalpost: Journalpost, handler: Saksbehandler, values: dict, request):
    read.refuse_other(
        values,
        {"korrespondanseparttype", "personidentifikator", "navn", "postadresse", "kontaktinformasjon"}
        | SET_BY_ARCHIVE,
    )
    address = address_from(values)
    if any(address[key] for key in ("postadresse", "postnummer", "poststed", "land")):
        raise services.InvalidInput(
            _("A person's name and postal address come from the population register: leave them out.")
        )
    return services.add_party(
        journalpost,
        handler,
        korrespondanseparttype=_type(values, EXTERNAL),
        identity_number=identity_number_from(values),
        request=request,
        epostadresse=address["epostadresse"],
        telefonnummer=address["telefonnummer"],
    )


def create_enhet(journalpost: Journalpost, handler: Saksbehandler, values: dict, request):
    read.refuse_other(
        values,
        {"korrespondanseparttype", "enhetsidentifikator", "navn", "postadresse", "kontaktinformasjon"}
        | {"kontaktperson"}
        | SET_BY_ARCHIVE,
    )
    identifier = _object(values, "enhetsidentifikator", {"organisasjonsnummer"})
    return services.add_party(
        journalpost,
        handler,
        korrespondanseparttype=_type(values, EXTERNAL),
        organisasjonsnummer=read.text(identifier, "organisasjonsnummer", max_length=20),
        navn=read.text(values, "navn", max_length=200),
        kontaktperson=read.text(values, "kontaktperson", max_length=200),
        request=request,
        **address_from(values),
    )


def create_intern(journalpost: Journalpost, handler: Saksbehandler, values: dict, request):
    read.refuse_other(
        values,
        {"korrespondanseparttype", "administrativEnhet", "referanseAdministrativEnhet", "saksbehandler"}
        | {"referanseSaksbehandler"}
        | SET_BY_ARCHIVE,
    )
    return services.add_party(
        journalpost,
        handler,
        korrespondanseparttype=_type(values, INTERNAL),
        saksbehandler=handler_from(values, handler),
        administrativ_enhet=unit_from(values, handler),
        request=request,
    )


def _proposed(journalpost: Journalpost, internal: bool) -> str:
    """The type a new party most likely has: the sender of an incoming post, the recipient of an
    outgoing one, the internal recipient of a memo."""
    if internal:
        return Type.INTERN_MOTTAKER
    return Type.AVSENDER if journalpost.journalposttype == Journalpost.Type.INNGAAENDE else Type.MOTTAKER


def _template(internal: bool):
    def template(journalpost: Journalpost, handler: Saksbehandler) -> Template:
        return Template(
            {"korrespondanseparttype": code("korrespondanseparttype", _proposed(journalpost, internal))},
            code_lists=("korrespondanseparttype",),
        )

    return template


def open_for_parties(journalpost: Journalpost, handler: Saksbehandler) -> bool:
    try:
        require_editable(journalpost)
    except services.RecordFinalised:
        return False
    return True


def party_creations(journalpost: Journalpost) -> list[Creation]:
    return [
        Creation("ny-korrespondansepartperson", PERSON, _template(False), create_person, open_for_parties),
        Creation("ny-korrespondansepartenhet", ENHET, _template(False), create_enhet, open_for_parties),
        Creation("ny-korrespondansepartintern", INTERN, _template(True), create_intern, open_for_parties),
    ]


def party_children(journalpost: Journalpost) -> list[Child]:
    return [
        Child(
            "korrespondansepart",
            KORRESPONDANSEPART,
            lambda journalpost, handler: (
                KorrespondansepartResource().rows(handler).filter(journalpost=journalpost)
            ),
        )
    ]


extend(f"{SAKARKIV}/journalpost", children=party_children, creations=party_creations)
