"""loggingogsporing/endringslogg: the change log, read only (chapter 7, LoggingOgSporing), and the same
log of one record under each record (its loggingogsporing/endringslogg/ relation, as every Arkivenhet has).

Entries are read from the audit trail by saksarkiv.noark5.changelog; the archive writes them as it changes
a record, so nothing here creates, changes or deletes one (ny-endringslogg is not offered)."""

from django.db.models import Model

from saksarkiv.models import Saksbehandler
from saksarkiv.noark5 import changelog
from saksarkiv.noark5.odata import Field
from saksarkiv.noark5.rels import ARKIVSTRUKTUR, LOGGING, SAKARKIV
from saksarkiv.noark5.resources import REGISTRY, Child, Links, Resource, extend, moment, present, register

ENDRINGSLOGG = f"{LOGGING}/endringslogg"


@register
class EndringsloggResource(Resource):
    package = LOGGING
    name = "endringslogg"
    read_only = True
    fields = {
        "systemID": Field("system_id", "uuid"),
        "referanseArkivenhet": Field("referanse_arkivenhet", "uuid"),
        "referanseMetadata": Field("referanse_metadata", "text"),
        "endretDato": Field("endret_dato", "datetime"),
        "endretAv": Field("endret_av", "text"),
        "referanseEndretAv": Field("referanse_endret_av", "uuid"),
        "tidligereVerdi": Field("tidligere_verdi", "text"),
        "nyVerdi": Field("ny_verdi", "text"),
    }
    search = ("referanse_metadata", "tidligere_verdi", "ny_verdi")
    order = ("endret_dato", "event_id", "referanse_metadata")

    def rows(self, handler: Saksbehandler) -> changelog.ChangeLog:
        return changelog.ChangeLog(handler)

    def represent(self, entry: changelog.Entry, links: Links) -> dict:
        return present(
            {
                "systemID": str(entry.system_id),
                "referanseArkivenhet": str(entry.referanse_arkivenhet),
                "referanseMetadata": entry.referanse_metadata,
                "endretDato": moment(entry.endret_dato),
                "endretAv": entry.endret_av,
                "referanseEndretAv": str(entry.referanse_endret_av) if entry.referanse_endret_av else None,
                "tidligereVerdi": entry.tidligere_verdi,
                "nyVerdi": entry.ny_verdi,
            }
        )

    def relations(self, entry: changelog.Entry, links: Links) -> dict[str, str]:
        """Back to the changed record, by the record's own relation key (chapter 7: "Relasjonen tilbake
        til aktuell Arkivenhet bruker relasjonsnøkkel for relevant under-entitet")."""
        record = REGISTRY[entry.entity]
        return {record.rel: links.instance(record.key, entry.referanse_arkivenhet)}


def record_log(record: Model) -> list[Child]:
    return [Child("endringslogg", ENDRINGSLOGG, lambda record, handler: changelog.ChangeLog(handler, record))]


def hang_under_every_record() -> None:
    """Every record resource registered so far gets its endringslogg list (aliases share their canonical
    resource's). Called by saksarkiv/noark5/logging.py when the URLs load, after every entity module has
    registered (whatever their import order); a resource that has the list already is skipped."""
    for key, resource in REGISTRY.items():
        if resource.package in (ARKIVSTRUKTUR, SAKARKIV) and not resource.canonical and key not in _HUNG:
            extend(key, children=record_log)
            _HUNG.add(key)


_HUNG: set[str] = set()
