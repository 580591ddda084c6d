"""endringslogg.xml: the changes to the deposited records' metadata, from the audit trail. Every service that
changes a stored value records `details["changes"] = {field: [old, new]}`; each such pair becomes one
`endring`, pointing at the record's systemID (which must be in this package, Noark 5 kapittel 6.4: «Innholdet
i endringsloggen skal bare referere til metadata og arkivdokumenter i den pakken hvor loggen inngår»)."""

from dataclasses import dataclass
from pathlib import Path

from core.models import AuditEvent
from saksarkiv.models import Skjerming
from saksarkiv.services.deposit.codes import FIELDS, known_name
from saksarkiv.services.deposit.xml import Writer, document

NAMESPACE = "http://www.arkivverket.no/standarder/noark5/endringslogg"
# Both tidligereVerdi and nyVerdi are required and non-empty: a value set where there was none, or
# removed, is written as this.
NO_VALUE = "(ingen verdi)"
ACTION_PREFIX = "saksarkiv."
EVENTS_CHUNK = 2000
# The Noark element a Felles field is, where its name is not the field's in camelCase.
ELEMENTS = {
    "dokumentdato": "dokumentetsDato",
    "arkivdel": "referanseArkivdel",
    "skjerming_metadata": "skjermingMetadata",
    "arkivperiode_start": "arkivperiodeStartDato",
    "arkivperiode_slutt": "arkivperiodeSluttDato",
    "sekundaerklasser": "referanseSekundaerKlassifikasjon",
    "referanse_forloeper": "referanseForloeper",
}


@dataclass(frozen=True)
class Entity:
    """A deposited record as the audit trail names it (object type and primary key) and as the package
    does (systemID)."""

    object_type: str
    pk: int
    system_id: str


def element(field: str) -> str:
    if field in ELEMENTS:
        return ELEMENTS[field]
    first, *rest = field.split("_")
    return first + "".join(part.capitalize() for part in rest)


def value(field: str, stored) -> str:
    if stored is None or stored == "" or stored == []:
        return NO_VALUE
    if field in FIELDS and isinstance(stored, str):
        return known_name(FIELDS[field], stored)
    if field == "skjerming_metadata" and isinstance(stored, list):
        return ", ".join(known_name(Skjerming.Metadata, code) for code in stored)
    if isinstance(stored, bool):
        return "true" if stored else "false"
    if isinstance(stored, list):
        return ", ".join(str(item) for item in stored)
    return str(stored)


def _events(entities: list[Entity]):
    """(systemID, event) for every audit event with changes to a deposited record: the record is the one
    the details name (details["system_id"], as saksarkiv.services.changes writes them), or else the event's
    own object. One pass over the case archive's change events (every one is recorded as "saksarkiv.<action>"),
    matched here against the deposited records: a query per few hundred records scanned the audit table each
    time."""
    deposited = {entity.system_id for entity in entities}
    by_type: dict[str, dict[str, str]] = {}
    for entity in entities:
        by_type.setdefault(entity.object_type, {})[str(entity.pk)] = entity.system_id
    events = AuditEvent.objects.filter(action__startswith=ACTION_PREFIX, details__has_key="changes")
    for event in events.iterator(chunk_size=EVENTS_CHUNK):
        system_id = event.details.get("system_id") or by_type.get(event.object_type, {}).get(event.object_id)
        if system_id in deposited:
            yield system_id, event


def write(path: Path, entities: list[Entity]) -> int:
    """Write endringslogg.xml; returns how many changes it holds (0: nothing written, since the schema
    wants at least one)."""
    changes = []
    for system_id, event in _events(entities):
        fields = event.details.get("changes") or {}
        for field, pair in fields.items():
            if not isinstance(pair, list) or len(pair) != 2:
                continue
            old, new = pair
            changes.append(
                (event.time, event.pk, system_id, field, event.actor, value(field, old), value(field, new))
            )
    if not changes:
        return 0
    changes.sort(key=lambda change: change[:2])
    with document(path, NAMESPACE, "endringslogg", "endringslogg.xsd") as w:
        for time, _event, system_id, field, actor, old, new in changes:
            _endring(w, system_id, field, time, actor, old, new)
    return len(changes)


def _endring(w: Writer, system_id: str, field: str, time, actor: str, old: str, new: str) -> None:
    with w.element("endring"):
        w.leaf("referanseArkivenhet", system_id)
        w.leaf("referanseMetadata", element(field))
        w.leaf("endretDato", time)
        w.leaf("endretAv", actor)
        w.leaf("tidligereVerdi", old)
        w.leaf("nyVerdi", new)
