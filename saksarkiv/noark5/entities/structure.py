"""arkivstruktur: arkivskaper, arkiv and arkivdel, the top of chapter 7's structure.

Felles keeps one archive per organisation: arkivstruktur/ny-arkiv (at the package and on an archive
creator) is offered only while the organisation has none, and there are no underarkiv. A client builds
the rest itself: ny-arkivdel on the archive, ny-klassifikasjonssystem on the part (entities.classification),
ny-saksmappe on the part or a class (entities.cases). Every row is the calling organisation's own."""

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from saksarkiv import services
from saksarkiv.models import Arkiv, Arkivdel, Arkivskaper, Dokumentmedium, Kassasjon, Klassifikasjonssystem
from saksarkiv.noark5 import fields as read
from saksarkiv.noark5.odata import Field
from saksarkiv.noark5.rels import ARKIVSTRUKTUR, rel
from saksarkiv.noark5.resources import (
    Child,
    Creation,
    Links,
    Resource,
    Template,
    code,
    moment,
    present,
    register,
    register_top_level,
)
from saksarkiv.services import structure_api

ARKIVSKAPER = f"{ARKIVSTRUKTUR}/arkivskaper"
ARKIV = f"{ARKIVSTRUKTUR}/arkiv"
ARKIVDEL = f"{ARKIVSTRUKTUR}/arkivdel"
KLASSIFIKASJONSSYSTEM = f"{ARKIVSTRUKTUR}/klassifikasjonssystem"
# What each entity takes when it is changed through the interface; the rest changes by what the archive
# does (closing a period, say) or not at all.
ARKIVSKAPER_FIELDS = frozenset({"arkivskaperID", "arkivskaperNavn", "beskrivelse"})
DESCRIBED = frozenset({"tittel", "beskrivelse"})


def recorded(record: Model) -> dict:
    """The fields every arkivenhet has: its systemID, when and by whom it was made and closed."""
    return {
        "systemID": str(record.system_id),
        "opprettetDato": moment(record.opprettet_dato),
        "opprettetAv": record.opprettet_av,
        "avsluttetDato": moment(record.avsluttet_dato),
        "avsluttetAv": record.avsluttet_av,
    }


def recorded_fields() -> dict[str, Field]:
    return {
        "systemID": Field("system_id", "uuid"),
        "opprettetDato": Field("opprettet_dato", "datetime"),
        "opprettetAv": Field("opprettet_av", "text"),
        "avsluttetDato": Field("avsluttet_dato", "datetime"),
        "avsluttetAv": Field("avsluttet_av", "text"),
    }


def kassasjon(disposal: Kassasjon | None) -> dict | None:
    if disposal is None:
        return None
    return present(
        {
            "kassasjonsvedtak": code("kassasjonsvedtak", disposal.kassasjonsvedtak),
            "kassasjonshjemmel": disposal.kassasjonshjemmel,
            "bevaringstid": disposal.bevaringstid,
            "kassasjonsdato": moment(disposal.kassasjonsdato),
        }
    )


def changed(values: dict, current: dict, changeable) -> dict:
    """The values that change something, each one the entity lets change: a field sent as it reads (a code
    as {"kode": ...} or the bare code) is no change; any other field is refused, by name (400)."""

    def same(name: str, given) -> bool:
        now = current.get(name)
        if isinstance(now, dict) and "kode" in now:
            return (given.get("kode") if isinstance(given, dict) else given) == now["kode"]
        return given == now

    changes = {name: given for name, given in values.items() if not same(name, given)}
    read.refuse_other(changes, changeable)
    return changes


# The text fields a client sets: Noark name → (the services' keyword, the longest value, required).
TEXTS = {
    "tittel": ("tittel", 200, True),
    "beskrivelse": ("beskrivelse", 5000, False),
    "arkivskaperID": ("arkivskaper_id", 50, True),
    "arkivskaperNavn": ("arkivskaper_navn", 200, True),
    "klasseID": ("klasse_id", 50, True),
}


def texts(values: dict, names, *, creating: bool = False) -> dict:
    """The text fields among `names` as the services' keywords: on a change only those sent, on creating
    all of them (a required one missing is refused by name)."""
    found = {}
    for name in sorted(names):
        if creating or name in values:
            keyword, longest, required = TEXTS[name]
            found[keyword] = read.text(values, name, required=required, max_length=longest)
    return found


def dokumentmedium(values: dict, default: str = "") -> str:
    return read.kode(values, "dokumentmedium", Dokumentmedium.values, default=default) or default


# ---- arkivskaper ------------------------------------------------------------------------------------


@register
class ArkivskaperResource(Resource):
    package = ARKIVSTRUKTUR
    name = "arkivskaper"
    fields = {
        "systemID": Field("system_id", "uuid"),
        "arkivskaperID": Field("arkivskaper_id", "text"),
        "arkivskaperNavn": Field("arkivskaper_navn", "text"),
        "beskrivelse": Field("beskrivelse", "text"),
        "arkiv/systemID": Field("arkiv__system_id", "uuid"),
    }
    search = ("arkivskaper_id", "arkivskaper_navn", "beskrivelse")
    order = ("arkivskaper_id", "pk")

    def rows(self, handler) -> QuerySet:
        return Arkivskaper.objects.filter(organisation=handler.organisation).select_related("arkiv")

    def represent(self, arkivskaper: Arkivskaper, links: Links) -> dict:
        return present(
            {
                "systemID": str(arkivskaper.system_id),
                "arkivskaperID": arkivskaper.arkivskaper_id,
                "arkivskaperNavn": arkivskaper.arkivskaper_navn,
                "beskrivelse": arkivskaper.beskrivelse,
            }
        )

    def relations(self, arkivskaper: Arkivskaper, links: Links) -> dict[str, str]:
        if arkivskaper.arkiv is None:
            return {}
        return {rel(ARKIVSTRUKTUR, "arkiv"): links.instance(ARKIV, arkivskaper.arkiv.system_id)}

    def creations(self, arkivskaper: Arkivskaper) -> list[Creation]:
        return [NY_ARKIV]

    def update(self, arkivskaper: Arkivskaper, handler, values: dict, request) -> Model:
        values = changed(values, self.represent(arkivskaper, None), ARKIVSKAPER_FIELDS)
        return structure_api.update_arkivskaper(
            arkivskaper, handler, request=request, **texts(values, ARKIVSKAPER_FIELDS)
        )

    def delete(self, arkivskaper: Arkivskaper, handler, request) -> None:
        structure_api.delete_arkivskaper(arkivskaper, handler, request=request)


def arkivskaper_template(parent, handler) -> Template:
    """The organisation itself as the creator, unless it is registered already."""
    organisation = handler.organisation
    if Arkivskaper.objects.filter(
        organisation=organisation, arkivskaper_id=organisation.organisasjonsnummer
    ).exists():
        return Template({})
    return Template(
        {"arkivskaperID": organisation.organisasjonsnummer, "arkivskaperNavn": organisation.name_nb}
    )


def create_arkivskaper(parent, handler, values: dict, request) -> Arkivskaper:
    read.refuse_other(values, ARKIVSKAPER_FIELDS)
    return structure_api.create_arkivskaper(
        handler, request=request, **texts(values, ARKIVSKAPER_FIELDS, creating=True)
    )


NY_ARKIVSKAPER = Creation(
    "ny-arkivskaper", ARKIVSKAPER, template=arkivskaper_template, create=create_arkivskaper
)


# ---- arkiv ------------------------------------------------------------------------------------------


@register
class ArkivResource(Resource):
    package = ARKIVSTRUKTUR
    name = "arkiv"
    fields = {
        **recorded_fields(),
        "tittel": Field("tittel", "text"),
        "beskrivelse": Field("beskrivelse", "text"),
        "arkivstatus": Field("arkivstatus", "text"),
        "arkivstatus/kode": Field("arkivstatus", "text"),
        "dokumentmedium": Field("dokumentmedium", "text"),
        "dokumentmedium/kode": Field("dokumentmedium", "text"),
    }
    search = ("tittel", "beskrivelse")

    def rows(self, handler) -> QuerySet:
        return Arkiv.objects.filter(organisation=handler.organisation)

    def represent(self, arkiv: Arkiv, links: Links) -> dict:
        return present(
            {
                "tittel": arkiv.tittel,
                "beskrivelse": arkiv.beskrivelse,
                "arkivstatus": code("arkivstatus", arkiv.arkivstatus),
                "dokumentmedium": code("dokumentmedium", arkiv.dokumentmedium),
                **recorded(arkiv),
            }
        )

    def children(self, arkiv: Arkiv) -> list[Child]:
        return [
            Child(
                "arkivdel", ARKIVDEL, lambda arkiv, handler: arkiv.arkivdeler.select_related(*PART_RELATED)
            ),
            Child(
                "arkivskaper", ARKIVSKAPER, lambda arkiv, handler: arkiv.arkivskapere.select_related("arkiv")
            ),
        ]

    def creations(self, arkiv: Arkiv) -> list[Creation]:
        return [NY_ARKIVDEL, NY_ARKIVSKAPER]

    def update(self, arkiv: Arkiv, handler, values: dict, request) -> Model:
        # Closing the archive (arkivstatus A) has no service in Felles: the field is refused by name.
        values = changed(values, self.represent(arkiv, None), DESCRIBED)
        return structure_api.update_arkiv(arkiv, handler, request=request, **texts(values, DESCRIBED))

    def delete(self, arkiv: Arkiv, handler, request) -> None:
        structure_api.delete_arkiv(arkiv, handler, request=request)


def no_archive_yet(parent, handler) -> bool:
    return not Arkiv.objects.filter(organisation=handler.organisation).exists()


def arkiv_template(parent, handler) -> Template:
    return Template(
        {
            "arkivstatus": code("arkivstatus", Arkiv.Status.OPPRETTET),
            "dokumentmedium": code("dokumentmedium", Dokumentmedium.ELEKTRONISK),
        },
        code_lists=("arkivstatus", "dokumentmedium"),
    )


def create_arkiv(parent, handler, values: dict, request) -> Arkiv:
    read.refuse_other(values, DESCRIBED | {"arkivstatus", "dokumentmedium"})
    read.kode(values, "arkivstatus", [Arkiv.Status.OPPRETTET])
    return structure_api.create_arkiv(
        handler,
        **texts(values, DESCRIBED, creating=True),
        dokumentmedium=dokumentmedium(values, Dokumentmedium.ELEKTRONISK),
        request=request,
    )


NY_ARKIV = Creation("ny-arkiv", ARKIV, template=arkiv_template, create=create_arkiv, allowed=no_archive_yet)

register_top_level(ARKIVSTRUKTUR, NY_ARKIVSKAPER)
register_top_level(ARKIVSTRUKTUR, NY_ARKIV)


# ---- arkivdel ---------------------------------------------------------------------------------------

PART_RELATED = ("arkiv", "kassasjon", "referanse_forloeper", "referanse_arvtaker")


@register
class ArkivdelResource(Resource):
    package = ARKIVSTRUKTUR
    name = "arkivdel"
    fields = {
        **recorded_fields(),
        "tittel": Field("tittel", "text"),
        "beskrivelse": Field("beskrivelse", "text"),
        "arkivdelstatus": Field("arkivdelstatus", "text"),
        "arkivdelstatus/kode": Field("arkivdelstatus", "text"),
        "dokumentmedium": Field("dokumentmedium", "text"),
        "dokumentmedium/kode": Field("dokumentmedium", "text"),
        "arkivperiodeStartDato": Field("arkivperiode_start", "date"),
        "arkivperiodeSluttDato": Field("arkivperiode_slutt", "date"),
        "referanseForloeper": Field("referanse_forloeper__system_id", "uuid"),
        "referanseArvtaker": Field("referanse_arvtaker__system_id", "uuid"),
        "arkiv/systemID": Field("arkiv__system_id", "uuid"),
        "klassifikasjonssystem/systemID": Field("klassifikasjonssystem__system_id", "uuid"),
    }
    search = ("tittel", "beskrivelse")
    order = ("-arkivperiode_start", "pk")

    def rows(self, handler) -> QuerySet:
        return Arkivdel.objects.filter(arkiv__organisation=handler.organisation).select_related(*PART_RELATED)

    def represent(self, arkivdel: Arkivdel, links: Links) -> dict:
        forloeper, arvtaker = neighbours(arkivdel)
        return present(
            {
                "tittel": arkivdel.tittel,
                "beskrivelse": arkivdel.beskrivelse,
                "arkivdelstatus": code("arkivdelstatus", arkivdel.arkivdelstatus),
                "dokumentmedium": code("dokumentmedium", arkivdel.dokumentmedium),
                "arkivperiodeStartDato": moment(arkivdel.arkivperiode_start),
                "arkivperiodeSluttDato": moment(arkivdel.arkivperiode_slutt),
                "referanseForloeper": str(forloeper.system_id) if forloeper else None,
                "referanseArvtaker": str(arvtaker.system_id) if arvtaker else None,
                "kassasjon": kassasjon(arkivdel.kassasjon),
                **recorded(arkivdel),
            }
        )

    def relations(self, arkivdel: Arkivdel, links: Links) -> dict[str, str]:
        forloeper, arvtaker = neighbours(arkivdel)
        found = {rel(ARKIVSTRUKTUR, "arkiv"): links.instance(ARKIV, arkivdel.arkiv.system_id)}
        if forloeper is not None:
            found[rel(ARKIVSTRUKTUR, "forrigearkivdel")] = links.instance(ARKIVDEL, forloeper.system_id)
        if arvtaker is not None:
            found[rel(ARKIVSTRUKTUR, "nestearkivdel")] = links.instance(ARKIVDEL, arvtaker.system_id)
        return found

    def children(self, arkivdel: Arkivdel) -> list[Child]:
        return [
            Child(
                "mappe",
                "arkivstruktur/mappe",
                lambda part, handler: services.cases_for(handler).filter(arkivdel=part),
            ),
            Child(
                "registrering",
                "arkivstruktur/registrering",
                lambda part, handler: services.journalposts_for(handler).filter(saksmappe__arkivdel=part),
            ),
            Child("klassifikasjonssystem", KLASSIFIKASJONSSYSTEM, systems_of),
        ]

    def creations(self, arkivdel: Arkivdel) -> list[Creation]:
        return [NY_KLASSIFIKASJONSSYSTEM]

    def update(self, arkivdel: Arkivdel, handler, values: dict, request) -> Model:
        # The status changes by closing the period (saksarkiv.services.periods), which needs the next
        # period's title and start: not a field to set, so arkivdelstatus is refused by name.
        values = changed(values, self.represent(arkivdel, None), DESCRIBED)
        return structure_api.update_arkivdel(arkivdel, handler, request=request, **texts(values, DESCRIBED))

    def delete(self, arkivdel: Arkivdel, handler, request) -> None:
        structure_api.delete_arkivdel(arkivdel, handler, request=request)


def neighbours(arkivdel: Arkivdel) -> tuple[Arkivdel | None, Arkivdel | None]:
    """The period before and after the part (referanseForloeper, referanseArvtaker)."""
    try:
        arvtaker = arkivdel.referanse_arvtaker
    except Arkivdel.DoesNotExist:
        arvtaker = None
    return arkivdel.referanse_forloeper, arvtaker


def systems_of(arkivdel: Arkivdel, handler) -> QuerySet:
    """The part's primary classification system and its secondary ones."""
    return Klassifikasjonssystem.objects.filter(
        Q(pk=arkivdel.klassifikasjonssystem_id) | Q(sekundaer_for=arkivdel)
    ).distinct()


def arkivdel_template(arkiv: Arkiv, handler) -> Template:
    return Template(
        {
            "arkivdelstatus": code("arkivdelstatus", Arkivdel.Status.AKTIV),
            "dokumentmedium": code("dokumentmedium", arkiv.dokumentmedium),
            "arkivperiodeStartDato": moment(timezone.localdate()),
        },
        code_lists=("arkivdelstatus", "dokumentmedium"),
    )


def create_arkivdel(arkiv: Arkiv, handler, values: dict, request) -> Arkivdel:
    read.refuse_other(values, DESCRIBED | {"arkivdelstatus", "dokumentmedium", "arkivperiodeStartDato"})
    read.kode(values, "arkivdelstatus", [Arkivdel.Status.AKTIV])
    return structure_api.create_arkivdel(
        arkiv,
        handler,
        **texts(values, DESCRIBED, creating=True),
        dokumentmedium=dokumentmedium(values),
        arkivperiode_start=read.day(values, "arkivperiodeStartDato"),
        request=request,
    )


NY_ARKIVDEL = Creation(
    "ny-arkivdel",
    ARKIVDEL,
    template=arkivdel_template,
    create=create_arkivdel,
    allowed=lambda arkiv, handler: arkiv.arkivstatus == Arkiv.Status.OPPRETTET,
)


def klassifikasjonssystem_template(arkivdel: Arkivdel, handler) -> Template:
    return Template(
        {"klassifikasjonstype": code("klassifikasjonstype", Klassifikasjonssystem.Type.EMNE)},
        code_lists=("klassifikasjonstype",),
    )


def create_klassifikasjonssystem(arkivdel: Arkivdel, handler, values: dict, request) -> Klassifikasjonssystem:
    read.refuse_other(values, DESCRIBED | {"klassifikasjonstype"})
    return structure_api.create_system(
        arkivdel,
        handler,
        **texts(values, DESCRIBED, creating=True),
        klassifikasjonstype=read.kode(
            values,
            "klassifikasjonstype",
            Klassifikasjonssystem.Type.values,
            default=Klassifikasjonssystem.Type.EMNE,
        ),
        request=request,
    )


NY_KLASSIFIKASJONSSYSTEM = Creation(
    "ny-klassifikasjonssystem",
    KLASSIFIKASJONSSYSTEM,
    template=klassifikasjonssystem_template,
    create=create_klassifikasjonssystem,
    allowed=lambda arkivdel, handler: arkivdel.arkivdelstatus in structure_api.OPEN_PARTS,
)
