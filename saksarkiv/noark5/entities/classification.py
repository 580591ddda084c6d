"""arkivstruktur: klassifikasjonssystem and klasse, the classification a case is filed under.

A system lists its top classes (arkivstruktur/klasse/) and the archive parts that use it; a class its
subclasses (arkivstruktur/underklasse/, chapter 6's recursive hierarchies: present while it has some),
its parent (overklasse) and the cases and journal posts classed by it. A class holds subclasses or
cases, not both (chapter 7, Klasse), so ny-klasse is offered only on a class without cases."""

from django.db.models import Model, Q, QuerySet

from saksarkiv import services
from saksarkiv.models import Arkivdel, Klasse, Klassifikasjonssystem
from saksarkiv.noark5 import fields as read
from saksarkiv.noark5.entities.cases import skjerming
from saksarkiv.noark5.entities.structure import (
    ARKIVDEL,
    DESCRIBED,
    KLASSIFIKASJONSSYSTEM,
    PART_RELATED,
    changed,
    kassasjon,
    recorded,
    recorded_fields,
    texts,
)
from saksarkiv.noark5.odata import Field
from saksarkiv.noark5.rels import ARKIVSTRUKTUR, rel
from saksarkiv.noark5.resources import Child, Creation, Links, Resource, Template, code, present, register
from saksarkiv.services import structure_api

KLASSE = f"{ARKIVSTRUKTUR}/klasse"
KLASSE_FIELDS = frozenset({"klasseID", *DESCRIBED})


@register
class KlassifikasjonssystemResource(Resource):
    package = ARKIVSTRUKTUR
    name = "klassifikasjonssystem"
    fields = {
        **recorded_fields(),
        "tittel": Field("tittel", "text"),
        "beskrivelse": Field("beskrivelse", "text"),
        "klassifikasjonstype": Field("klassifikasjonstype", "text"),
        "klassifikasjonstype/kode": Field("klassifikasjonstype", "text"),
    }
    search = ("tittel", "beskrivelse")

    def rows(self, handler) -> QuerySet:
        return Klassifikasjonssystem.objects.filter(arkiv__organisation=handler.organisation)

    def represent(self, system: Klassifikasjonssystem, links: Links) -> dict:
        return present(
            {
                "klassifikasjonstype": code("klassifikasjonstype", system.klassifikasjonstype),
                "tittel": system.tittel,
                "beskrivelse": system.beskrivelse,
                **recorded(system),
            }
        )

    def children(self, system: Klassifikasjonssystem) -> list[Child]:
        return [
            Child(
                "klasse",
                KLASSE,
                lambda system, handler: classes().filter(klassifikasjonssystem=system, forelder=None),
            ),
            Child("arkivdel", ARKIVDEL, parts_using),
        ]

    def creations(self, system: Klassifikasjonssystem) -> list[Creation]:
        return [NY_KLASSE]

    def update(self, system: Klassifikasjonssystem, handler, values: dict, request) -> Model:
        values = changed(values, self.represent(system, None), DESCRIBED)
        return structure_api.update_system(system, handler, request=request, **texts(values, DESCRIBED))

    def delete(self, system: Klassifikasjonssystem, handler, request) -> None:
        structure_api.delete_system(system, handler, request=request)


def parts_using(system: Klassifikasjonssystem, handler) -> QuerySet:
    return (
        Arkivdel.objects.filter(
            Q(klassifikasjonssystem=system) | Q(sekundaere_klassifikasjonssystemer=system)
        )
        .select_related(*PART_RELATED)
        .distinct()
    )


def classes() -> QuerySet:
    return Klasse.objects.select_related("klassifikasjonssystem", "forelder", "kassasjon", "skjerming")


@register
class KlasseResource(Resource):
    package = ARKIVSTRUKTUR
    name = "klasse"
    fields = {
        **recorded_fields(),
        "klasseID": Field("klasse_id", "text"),
        "tittel": Field("tittel", "text"),
        "beskrivelse": Field("beskrivelse", "text"),
        "klassifikasjonssystem/systemID": Field("klassifikasjonssystem__system_id", "uuid"),
        # The standard's own example of an underklasse href filters on it: "$filter=overklasse eq <systemID>".
        "overklasse": Field("forelder__system_id", "uuid"),
    }
    search = ("klasse_id", "tittel", "beskrivelse")
    order = ("klassifikasjonssystem_id", "klasse_id")

    def rows(self, handler) -> QuerySet:
        return classes().filter(klassifikasjonssystem__arkiv__organisation=handler.organisation)

    def represent(self, klasse: Klasse, links: Links) -> dict:
        return present(
            {
                "klasseID": klasse.klasse_id,
                "tittel": klasse.tittel,
                "beskrivelse": klasse.beskrivelse,
                "skjerming": skjerming(klasse.skjerming),
                "kassasjon": kassasjon(klasse.kassasjon),
                **recorded(klasse),
            }
        )

    def relations(self, klasse: Klasse, links: Links) -> dict[str, str]:
        found = {
            rel(ARKIVSTRUKTUR, "klassifikasjonssystem"): links.instance(
                KLASSIFIKASJONSSYSTEM, klasse.klassifikasjonssystem.system_id
            )
        }
        if klasse.forelder is not None:
            found[rel(ARKIVSTRUKTUR, "overklasse")] = links.instance(KLASSE, klasse.forelder.system_id)
        return found

    def children(self, klasse: Klasse) -> list[Child]:
        found = [
            Child(
                "mappe",
                "arkivstruktur/mappe",
                lambda klasse, handler: services.cases_for(handler).filter(klasse=klasse),
            ),
            Child(
                "registrering",
                "arkivstruktur/registrering",
                lambda klasse, handler: services.journalposts_for(handler).filter(saksmappe__klasse=klasse),
            ),
        ]
        if klasse.underklasser.exists():
            found.append(
                Child(
                    "underklasse",
                    KLASSE,
                    lambda klasse, handler: classes().filter(forelder=klasse),
                    rel=rel(ARKIVSTRUKTUR, "underklasse"),
                )
            )
        return found

    def creations(self, klasse: Klasse) -> list[Creation]:
        return [NY_UNDERKLASSE]

    def update(self, klasse: Klasse, handler, values: dict, request) -> Model:
        # The klasseID never changes (M002): refused by name like every field not in DESCRIBED.
        values = changed(values, self.represent(klasse, None), DESCRIBED)
        return structure_api.update_klasse(klasse, handler, request=request, **texts(values, DESCRIBED))

    def delete(self, klasse: Klasse, handler, request) -> None:
        structure_api.delete_klasse(klasse, handler, request=request)


def klasse_template(parent, handler) -> Template:
    return Template({})


def new_klasse(
    system: Klassifikasjonssystem, forelder: Klasse | None, handler, values: dict, request
) -> Klasse:
    read.refuse_other(values, KLASSE_FIELDS)
    return structure_api.add_klasse(
        system,
        handler,
        **texts(values, KLASSE_FIELDS, creating=True),
        forelder=forelder,
        request=request,
    )


NY_KLASSE = Creation(
    "ny-klasse",
    KLASSE,
    template=klasse_template,
    create=lambda system, handler, values, request: new_klasse(system, None, handler, values, request),
)
NY_UNDERKLASSE = Creation(
    "ny-klasse",
    KLASSE,
    template=klasse_template,
    create=lambda klasse, handler, values, request: new_klasse(
        klasse.klassifikasjonssystem, klasse, handler, values, request
    ),
    allowed=lambda klasse, handler: not structure_api.has_cases(klasse),
)
