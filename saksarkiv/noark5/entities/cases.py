"""sakarkiv: saksmappe and journalpost (and, in arkivstruktur, the same instances as mappe and
registrering: a saksmappe is a mappe, a journalpost a registrering, chapter 7's generalisation).

The access rules of the archive decide every row: the lists, filters, searches and counts come from
saksarkiv.services.access (cases_for, journalposts_for), so a case coded against the organisation's
system is not counted, found nor named."""

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from saksarkiv import services
from saksarkiv.models import Arkivdel, Journalpost, Klasse, Saksbehandler, Saksmappe, Skjerming
from saksarkiv.noark5 import fields as read
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
    moment,
    present,
    register,
)
from saksarkiv.services.structure import person, unit_name

SAKSMAPPE = f"{SAKARKIV}/saksmappe"
JOURNALPOST = f"{SAKARKIV}/journalpost"
# What a client may give a new case or journal post (and later change, where the archive lets it); a
# case's beskrivelse is not among them: create_saksmappe takes none, and one dropped would seem stored.
SCREENING = ("skjerming",)
SAKSMAPPE_FIELDS = frozenset({"tittel", "offentligTittel", *SCREENING})
JOURNALPOST_FIELDS = frozenset(
    {"tittel", "offentligTittel", "journalposttype", "dokumentetsDato", "forfallsdato", *SCREENING}
)
CHANGEABLE = frozenset({"tittel", "offentligTittel", *SCREENING})


def skjerming(screening: Skjerming | None) -> dict | None:
    if screening is None:
        return None
    return present(
        {
            "tilgangsrestriksjon": code("tilgangsrestriksjon", screening.tilgangsrestriksjon),
            "skjermingshjemmel": screening.skjermingshjemmel,
            "skjermingMetadata": [code("skjermingmetadata", value) for value in screening.skjerming_metadata],
            "skjermingDokument": code("skjermingdokument", screening.skjerming_dokument),
            "skjermingsvarighet": screening.skjermingsvarighet,
            "skjermingOpphoererDato": moment(screening.skjerming_opphoerer_dato),
        }
    )


def screening_from(values: dict) -> dict:
    """The request's skjerming ({"tilgangsrestriksjon", "skjermingshjemmel", "skjermingMetadata"}) as the
    services take it: a Skjerming row, or None (null) to remove it."""
    if "skjerming" not in values:
        return {}
    given = values["skjerming"]
    if given is None:
        return {"skjerming": None}
    if not isinstance(given, dict):
        raise services.InvalidInput(_("skjerming must be an object."))
    read.refuse_other(given, {"tilgangsrestriksjon", "skjermingshjemmel", "skjermingMetadata", "_links"})
    restriction = given.get("tilgangsrestriksjon")
    if isinstance(restriction, dict):
        restriction = restriction.get("kode")
    metadata = given.get("skjermingMetadata") or []
    if not isinstance(metadata, list):
        raise services.InvalidInput(_("skjermingMetadata must be a list of codes."))
    codes = [entry.get("kode") if isinstance(entry, dict) else entry for entry in metadata]
    if not all(isinstance(entry, str) for entry in codes) or not isinstance(restriction, str):
        raise services.InvalidInput(_("A screening needs an access restriction code and a legal basis."))
    return {
        "skjerming": services.screening(
            # The code's column is 10 long (PostgreSQL refuses a longer one with an error, not a 400).
            tilgangsrestriksjon=read.text(
                {"tilgangsrestriksjon": restriction}, "tilgangsrestriksjon", required=True, max_length=10
            ),
            skjermingshjemmel=read.text(given, "skjermingshjemmel", required=True, max_length=200),
            skjerming_metadata=codes,
        )
    }


def changes_from(values: dict) -> dict:
    """The titles and screening a client changes, as the editing services take them (the rest of a case
    or a journal post changes by what is done with it: closing, finalising, dispatching)."""
    read.refuse_other(values, CHANGEABLE)
    changes = screening_from(values)
    if "tittel" in values:
        changes["tittel"] = read.text(values, "tittel", required=True)
    if "offentligTittel" in values:
        changes["offentlig_tittel"] = read.text(values, "offentligTittel", required=True)
    return changes


# ---- saksmappe -------------------------------------------------------------------------------------


@register
class SaksmappeResource(Resource):
    package = SAKARKIV
    name = "saksmappe"
    fields = {
        "systemID": Field("system_id", "uuid"),
        "tittel": Field("tittel", "text"),
        "offentligTittel": Field("offentlig_tittel", "text"),
        "beskrivelse": Field("beskrivelse", "text"),
        "saksaar": Field("saksaar", "integer"),
        "sakssekvensnummer": Field("sakssekvensnummer", "integer"),
        "saksdato": Field("saksdato", "date"),
        "saksstatus": Field("saksstatus", "text"),
        "saksstatus/kode": Field("saksstatus", "text"),
        "journalenhet": Field("journalenhet", "text"),
        "administrativEnhet": Field("administrativ_enhet__navn", "text"),
        "opprettetDato": Field("opprettet_dato", "datetime"),
        "opprettetAv": Field("opprettet_av", "text"),
        "avsluttetDato": Field("avsluttet_dato", "datetime"),
        "avsluttetAv": Field("avsluttet_av", "text"),
        "klasse/klasseID": Field("klasse__klasse_id", "text"),
        "klasse/systemID": Field("klasse__system_id", "uuid"),
        "arkivdel/systemID": Field("arkivdel__system_id", "uuid"),
    }
    search = ("tittel", "offentlig_tittel", "beskrivelse")
    order = ("-saksaar", "-sakssekvensnummer")

    def rows(self, handler: Saksbehandler) -> QuerySet:
        return services.cases_for(handler).select_related(
            "saksansvarlig__user", "administrativ_enhet", "klasse", "arkivdel", "skjerming"
        )

    def represent(self, saksmappe: Saksmappe, links: Links) -> dict:
        return present(
            {
                "systemID": str(saksmappe.system_id),
                "mappeID": saksmappe.saksnummer,
                "tittel": saksmappe.tittel,
                "offentligTittel": saksmappe.offentlig_tittel,
                "beskrivelse": saksmappe.beskrivelse,
                "dokumentmedium": code("dokumentmedium", "E"),
                "saksaar": saksmappe.saksaar,
                "sakssekvensnummer": saksmappe.sakssekvensnummer,
                "saksdato": moment(saksmappe.saksdato),
                "administrativEnhet": unit_name(saksmappe.administrativ_enhet),
                "referanseAdministrativEnhet": str(saksmappe.administrativ_enhet.system_id)
                if saksmappe.administrativ_enhet
                else None,
                "saksansvarlig": person(saksmappe.saksansvarlig),
                "journalenhet": saksmappe.journalenhet,
                "saksstatus": code("saksstatus", saksmappe.saksstatus),
                "skjerming": skjerming(saksmappe.skjerming),
                "opprettetDato": moment(saksmappe.opprettet_dato),
                "opprettetAv": saksmappe.opprettet_av,
                "avsluttetDato": moment(saksmappe.avsluttet_dato),
                "avsluttetAv": saksmappe.avsluttet_av,
            }
        )

    def relations(self, saksmappe: Saksmappe, links: Links) -> dict[str, str]:
        found = {
            rel(ARKIVSTRUKTUR, "arkivdel"): links.instance(
                "arkivstruktur/arkivdel", saksmappe.arkivdel.system_id
            )
        }
        if saksmappe.klasse_id:
            found[rel(ARKIVSTRUKTUR, "klasse")] = links.instance(
                "arkivstruktur/klasse", saksmappe.klasse.system_id
            )
        return found

    def children(self, saksmappe: Saksmappe) -> list[Child]:
        return [
            Child(
                "journalpost",
                JOURNALPOST,
                lambda saksmappe, handler: services.journalposts_for(handler).filter(saksmappe=saksmappe),
            ),
            Child(
                "registrering",
                JOURNALPOST,
                lambda saksmappe, handler: services.journalposts_for(handler).filter(saksmappe=saksmappe),
                rel=rel(ARKIVSTRUKTUR, "registrering"),
            ),
        ]

    def creations(self, saksmappe: Saksmappe) -> list[Creation]:
        return [
            Creation(
                "ny-journalpost",
                JOURNALPOST,
                template=journalpost_template,
                create=create_journalpost,
                allowed=lambda saksmappe, handler: saksmappe.saksstatus == Saksmappe.Status.UNDER_BEHANDLING,
            )
        ]

    def update(self, saksmappe: Saksmappe, handler: Saksbehandler, values: dict, request) -> Model:
        """Titles and screening change as fields; the status by what the archive does for it: saksstatus A
        closes the case (every journal post must be finalised first)."""
        values = dict(values)
        status = read.kode(values, "saksstatus", [saksmappe.saksstatus, Saksmappe.Status.AVSLUTTET])
        values.pop("saksstatus", None)
        changes = changes_from(values)
        if changes:
            saksmappe = services.update_saksmappe(saksmappe, handler, request=request, **changes)
        if status and status != saksmappe.saksstatus:
            saksmappe = services.close_case(saksmappe, handler, request=request)
        return saksmappe


def saksmappe_template(parent: Model | None, handler: Saksbehandler) -> Template:
    return Template(
        {
            "saksdato": moment(timezone.localdate()),
            "saksstatus": code("saksstatus", Saksmappe.Status.UNDER_BEHANDLING),
            "dokumentmedium": code("dokumentmedium", "E"),
            "saksansvarlig": person(handler),
            "administrativEnhet": unit_name(handler.administrativ_enhet),
        },
        code_lists=("saksstatus", "dokumentmedium"),
    )


def saksmappe_creation(placement) -> Creation:
    """sakarkiv/ny-saksmappe on an arkivdel or a klasse: `placement(parent)` gives (arkivdel, klasse)."""

    def create(parent, handler: Saksbehandler, values: dict, request) -> Saksmappe:
        read.refuse_other(
            values,
            SAKSMAPPE_FIELDS
            | {"saksstatus", "saksdato", "dokumentmedium", "saksansvarlig", "administrativEnhet"},
        )
        read.kode(values, "saksstatus", [Saksmappe.Status.UNDER_BEHANDLING])
        read.kode(values, "dokumentmedium", ["E"])
        arkivdel, klasse = placement(parent)
        tittel = read.text(values, "tittel", required=True)
        return services.create_saksmappe(
            handler,
            tittel=tittel,
            offentlig_tittel=read.text(values, "offentligTittel", default=tittel),
            klasse=klasse,
            arkivdel=arkivdel,
            request=request,
            **screening_from(values),
        )

    return Creation(
        "ny-saksmappe",
        SAKSMAPPE,
        template=saksmappe_template,
        create=create,
        allowed=lambda parent, handler: placement_open(*placement(parent)),
        package=SAKARKIV,
    )


def placement_open(arkivdel: Arkivdel | None, klasse: Klasse | None) -> bool:
    """Whether a case may be made there: an open arkivdel, and a klasse at the bottom of its hierarchy
    (chapter 7: a class holds subclasses or cases, not both)."""
    if klasse is not None and klasse.underklasser.exists():
        return False
    return arkivdel is not None and arkivdel.arkivdelstatus in (
        Arkivdel.Status.AKTIV,
        Arkivdel.Status.OVERLAPPING,
    )


def in_arkivdel(arkivdel: Arkivdel) -> tuple[Arkivdel, None]:
    return arkivdel, None


def in_klasse(klasse: Klasse) -> tuple[Arkivdel | None, Klasse]:
    """A case classed under a klasse goes to the open arkivdel whose classification system it is in."""
    arkivdel = (
        Arkivdel.objects.filter(
            klassifikasjonssystem=klasse.klassifikasjonssystem_id,
            arkivdelstatus__in=(Arkivdel.Status.AKTIV, Arkivdel.Status.OVERLAPPING),
        )
        .order_by("arkivdelstatus", "-arkivperiode_start")
        .first()
    )
    return arkivdel, klasse


# ---- journalpost ----------------------------------------------------------------------------------


@register
class JournalpostResource(Resource):
    package = SAKARKIV
    name = "journalpost"
    fields = {
        "systemID": Field("system_id", "uuid"),
        "tittel": Field("tittel", "text"),
        "offentligTittel": Field("offentlig_tittel", "text"),
        "journalaar": Field("journalaar", "integer"),
        "journalsekvensnummer": Field("journalsekvensnummer", "integer"),
        "journalpostnummer": Field("journalpostnummer", "integer"),
        "journalposttype": Field("journalposttype", "text"),
        "journalposttype/kode": Field("journalposttype", "text"),
        "journalstatus": Field("journalstatus", "text"),
        "journalstatus/kode": Field("journalstatus", "text"),
        "journaldato": Field("journaldato", "date"),
        "dokumentetsDato": Field("dokumentdato", "date"),
        "mottattDato": Field("mottatt_dato", "datetime"),
        "sendtDato": Field("sendt_dato", "datetime"),
        "forfallsdato": Field("forfallsdato", "date"),
        "journalenhet": Field("journalenhet", "text"),
        "opprettetDato": Field("opprettet_dato", "datetime"),
        "opprettetAv": Field("opprettet_av", "text"),
        "arkivertDato": Field("arkivert_dato", "datetime"),
        "saksmappe/systemID": Field("saksmappe__system_id", "uuid"),
        "saksmappe/saksaar": Field("saksmappe__saksaar", "integer"),
        "saksmappe/sakssekvensnummer": Field("saksmappe__sakssekvensnummer", "integer"),
    }
    search = ("tittel", "offentlig_tittel")
    order = ("-journaldato", "-journalsekvensnummer")

    def rows(self, handler: Saksbehandler) -> QuerySet:
        return services.journalposts_for(handler).select_related(
            "saksmappe__arkivdel", "saksbehandler__user", "administrativ_enhet", "skjerming"
        )

    def represent(self, journalpost: Journalpost, links: Links) -> dict:
        saksmappe = journalpost.saksmappe
        return present(
            {
                "systemID": str(journalpost.system_id),
                "registreringsID": f"{saksmappe.saksnummer}-{journalpost.journalpostnummer}",
                "tittel": journalpost.tittel,
                "offentligTittel": journalpost.offentlig_tittel,
                "dokumentmedium": code("dokumentmedium", "E"),
                "journalaar": journalpost.journalaar,
                "journalsekvensnummer": journalpost.journalsekvensnummer,
                "journalpostnummer": journalpost.journalpostnummer,
                "journalposttype": code("journalposttype", journalpost.journalposttype),
                "journalstatus": code("journalstatus", journalpost.journalstatus),
                "journaldato": moment(journalpost.journaldato),
                "dokumentetsDato": moment(journalpost.dokumentdato),
                "mottattDato": moment(journalpost.mottatt_dato),
                "sendtDato": moment(journalpost.sendt_dato),
                "forfallsdato": moment(journalpost.forfallsdato),
                "journalenhet": journalpost.journalenhet,
                "administrativEnhet": unit_name(journalpost.administrativ_enhet),
                "saksbehandler": person(journalpost.saksbehandler),
                "skjerming": skjerming(journalpost.skjerming),
                "referanseArkivdel": str(saksmappe.arkivdel.system_id),
                "arkivertDato": moment(journalpost.arkivert_dato),
                "arkivertAv": journalpost.arkivert_av,
                "opprettetDato": moment(journalpost.opprettet_dato),
                "opprettetAv": journalpost.opprettet_av,
            }
        )

    def relations(self, journalpost: Journalpost, links: Links) -> dict[str, str]:
        return {
            rel(SAKARKIV, "saksmappe"): links.instance(SAKSMAPPE, journalpost.saksmappe.system_id),
            rel(ARKIVSTRUKTUR, "mappe"): links.instance(SAKSMAPPE, journalpost.saksmappe.system_id),
        }

    def update(self, journalpost: Journalpost, handler: Saksbehandler, values: dict, request) -> Model:
        """Titles and screening change as fields; the status by what the archive does for it: F finalises,
        E dispatches an outgoing post through Sikker digital post (or to an organisation's archive), U
        voids it."""
        values = dict(values)
        status = read.kode(values, "journalstatus", [journalpost.journalstatus, *STATUS_ACTIONS])
        values.pop("journalstatus", None)
        changes = changes_from(values)
        if changes:
            journalpost = services.update_journalpost(journalpost, handler, request=request, **changes)
        if status and status != journalpost.journalstatus:
            STATUS_ACTIONS[status](journalpost, handler, request=request)
        return journalpost


STATUS_ACTIONS = {
    Journalpost.Status.FERDIGSTILT: services.finalise,
    Journalpost.Status.EKSPEDERT: services.dispatch,
    Journalpost.Status.UTGAAR: services.void,
}


def journalpost_template(saksmappe: Saksmappe, handler: Saksbehandler) -> Template:
    return Template(
        {
            "journalposttype": code("journalposttype", Journalpost.Type.INNGAAENDE),
            "journalstatus": code("journalstatus", Journalpost.Status.REGISTRERT),
            "dokumentetsDato": moment(timezone.localdate()),
            "dokumentmedium": code("dokumentmedium", "E"),
        },
        code_lists=("journalposttype", "journalstatus", "dokumentmedium"),
    )


def create_journalpost(saksmappe: Saksmappe, handler: Saksbehandler, values: dict, request) -> Journalpost:
    read.refuse_other(values, JOURNALPOST_FIELDS | {"journalstatus", "dokumentmedium"})
    # A new journal post is S, registered by the case handler (the archive's own rule; R is never made here).
    read.kode(values, "journalstatus", [Journalpost.Status.REGISTRERT])
    read.kode(values, "dokumentmedium", ["E"])
    tittel = read.text(values, "tittel", required=True)
    return services.add_journalpost(
        saksmappe,
        handler,
        journalposttype=read.kode(values, "journalposttype", Journalpost.Type.values, default="")
        or _missing("journalposttype"),
        tittel=tittel,
        offentlig_tittel=read.text(values, "offentligTittel", default=tittel),
        dokumentdato=read.day(values, "dokumentetsDato"),
        forfallsdato=read.day(values, "forfallsdato"),
        request=request,
        **screening_from(values),
    )


def _missing(field: str):
    raise services.InvalidInput(_("%(field)s is required.") % {"field": field})


# ---- the same instances in arkivstruktur ------------------------------------------------------------


@register
class MappeResource(SaksmappeResource):
    """arkivstruktur/mappe: Felles' mapper are saksmapper; each is answered as the saksmappe it is."""

    package = ARKIVSTRUKTUR
    name = "mappe"
    canonical = SAKSMAPPE


@register
class RegistreringResource(JournalpostResource):
    """arkivstruktur/registrering: Felles' registreringer are journalposter."""

    package = ARKIVSTRUKTUR
    name = "registrering"
    canonical = JOURNALPOST


extend("arkivstruktur/arkivdel", creations=lambda arkivdel: [saksmappe_creation(in_arkivdel)])
extend("arkivstruktur/klasse", creations=lambda klasse: [saksmappe_creation(in_klasse)])
