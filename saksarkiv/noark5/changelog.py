"""The change log (Noark 5 endringslogg) as the service interface lists it, read from the audit trail.

Every service that changes a stored value records one audit event with `details["changes"] = {field:
[old, new]}` (saksarkiv.services.changes), naming the record by `details["system_id"]` or else by the
event's own object. The standard's Endringslogg is one changed field (referanseMetadata, tidligereVerdi,
nyVerdi), so each event is expanded into one entry per field: a client filtering on referanseMetadata
or counting the log gets the standard's entries, not Felles' events. The expansion is done in Python
(saksarkiv.noark5.rows) because the audit trail keeps the fields inside a JSON object, which SQLite and
PostgreSQL unnest differently; the database narrows the events first, to the organisation, to one record
for a record's own log, and by what a $filter asks of the date and the record (ChangeLog).

An entry is listed only when the record it names is one the calling system may see through the
interface: its resource's rows (which apply the archive's access codes) are asked for the named
systemIDs, so a change to a case coded against the system is neither listed, counted nor found."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from typing import NamedTuple

from django.db import connection
from django.db.models import CharField, Model, Q, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Replace

from core.models import AuditEvent
from saksarkiv.models import Saksbehandler
from saksarkiv.noark5.rels import ADMIN, LOGGING, rel
from saksarkiv.noark5.resources import REGISTRY, Resource
from saksarkiv.noark5.rows import Rows
from saksarkiv.services.deposit.endringslogg import ACTION_PREFIX, element
from saksarkiv.services.deposit.endringslogg import value as named_value

# systemIDs the archive derives rather than stores: stable for the same event and field, or user.
ENTRY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, rel(LOGGING, "endringslogg"))
USER_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, rel(ADMIN, "bruker"))


@lru_cache(maxsize=4096)
def user_system_id(user_pk: int) -> uuid.UUID:
    """A user's systemID (Bruker, and an entry's referanseEndretAv): Felles' users have none stored."""
    return uuid.uuid5(USER_NAMESPACE, str(user_pk))


class Event(NamedTuple):
    """The columns of an audit event the log reads, and the three keys of its details it uses (not the
    whole object: decoding every event's details was a tenth of the log's time)."""

    id: int
    time: datetime
    actor: str
    actor_user_id: int | None
    object_type: str
    object_id: str
    system_id: object
    entity: object
    changes: object


EVENT_COLUMNS = (
    "id",
    "time",
    "actor",
    "actor_user_id",
    "object_type",
    "object_id",
    "details__system_id",
    "details__entity",
    "details__changes",
)


@dataclass(frozen=True)
class Entry:
    """One changed field of one record: the standard's Endringslogg. Its systemID is derived when first
    read (a filter on it, or the page shown), not for every entry of a log that is only counted."""

    field: str  # the changed field as the audit trail names it
    referanse_arkivenhet: uuid.UUID
    entity: str  # the key of the record's resource, for the link back to it
    referanse_metadata: str
    endret_dato: datetime
    endret_av: str
    referanse_endret_av: uuid.UUID | None
    tidligere_verdi: str | None
    ny_verdi: str | None
    event_id: int

    @cached_property
    def system_id(self) -> uuid.UUID:
        return uuid.uuid5(ENTRY_NAMESPACE, f"{self.event_id}/{self.field}")


class ChangeLog(Rows):
    """The log as the list views use it, read when first counted or listed. The conditions of a $filter
    that every entry must meet on its date or its record (those joined by `and` at the top) narrow the
    audit events the database reads too: "what changed since" does not expand the whole log. All of the
    filter is then applied to the entries."""

    def __init__(
        self, handler: Saksbehandler, about: Model | None = None, *, narrowing=(), conditions=(), keys=()
    ):
        self.handler, self.about = handler, about
        self.narrowing, self.conditions, self.keys = tuple(narrowing), tuple(conditions), tuple(keys)

    def filter(self, *conditions: Q, **lookups) -> "ChangeLog":
        condition = Q(*conditions, **lookups)
        return ChangeLog(
            self.handler,
            self.about,
            narrowing=self.narrowing + tuple(_narrowing(condition)),
            conditions=self.conditions + (condition,),
            keys=self.keys,
        )

    def order_by(self, *keys: str) -> "ChangeLog":
        return ChangeLog(
            self.handler, self.about, narrowing=self.narrowing, conditions=self.conditions, keys=keys
        )

    @cached_property
    def items(self) -> list["Entry"]:
        found = Rows(_entries(self.handler, self.about, self.narrowing))
        return found.filter(*self.conditions).order_by(*self.keys).items


def _narrowing(condition: Q) -> list[Q]:
    """Database conditions on the audit events that every entry meeting `condition` meets: its top-level
    `and`ed comparisons of endretDato (the event's time) and referanseArkivenhet (the record the event names
    in its details, or an event that names its record by its object only)."""
    if condition.negated or condition.connector != Q.AND:
        return []
    found = []
    for child in condition.children:
        if isinstance(child, Q):
            found.extend(_narrowing(child))
            continue
        lookup, value = child
        name, _sep, kind = lookup.partition("__")
        kind = kind or "exact"
        if (
            name == "endret_dato"
            and kind in ("exact", "gt", "gte", "lt", "lte")
            and isinstance(value, datetime)
        ):
            found.append(Q(**{f"time__{kind}": value}))
        elif name == "referanse_arkivenhet" and kind == "exact" and isinstance(value, uuid.UUID):
            found.append(Q(details__system_id=str(value)) | Q(details__system_id__isnull=True))
    return found


def _entries(handler: Saksbehandler, about: Model | None, narrowing: tuple[Q, ...]) -> list[Entry]:
    """The organisation's change log, or one record's (`about`), as far as the system may see it."""
    events = AuditEvent.objects.filter(
        *narrowing,
        action__startswith=ACTION_PREFIX,
        details__has_key="changes",
        details__organisation=handler.organisation.organisasjonsnummer,
    )
    if about is not None:
        events = events.filter(
            Q(details__system_id=str(about.system_id))
            | Q(object_type=about._meta.label_lower, object_id=str(about.pk))
        )
    # Plain rows, not model instances: the whole log of an organisation may be many thousand events.
    rows = [Event(*row) for row in events.values_list(*EVENT_COLUMNS)]
    named = _visible_records(handler, rows, events)
    found = []
    for event in rows:
        # A name that is no string (a list in hostile details) is no systemID: it is looked up by its object.
        by_id = named.get(("id", event.system_id)) if isinstance(event.system_id, str) else None
        record = by_id or named.get(("pk", event.object_type, event.object_id))
        if record is None or (about is not None and record[0] != about.system_id):
            continue
        found.extend(_expand(event, *record))
    return found


def _expand(event: "Event", system_id: uuid.UUID, entity: str) -> list[Entry]:
    changes = event.changes
    if not isinstance(changes, dict):
        return []
    return [
        Entry(
            field=field,
            referanse_arkivenhet=system_id,
            entity=entity,
            referanse_metadata=_element(field),
            endret_dato=event.time,
            endret_av=event.actor,
            referanse_endret_av=user_system_id(event.actor_user_id) if event.actor_user_id else None,
            tidligere_verdi=_shown(field, pair[0]),
            ny_verdi=_shown(field, pair[1]),
            event_id=event.id,
        )
        for field, pair in changes.items()
        if isinstance(pair, list) and len(pair) == 2
    ]


# A field's element name, once per field rather than once per entry of a long log.
_element = lru_cache(maxsize=1024)(element)


def _shown(field: str, stored) -> str | None:
    """A value as the deposit's endringslogg.xml writes it (codes by their names); none left out."""
    if stored is None or stored == "" or stored == []:
        return None
    return named_value(field, stored)


def record_resources(handler: Saksbehandler) -> dict[str, tuple[Resource, QuerySet]]:
    """The resources of stored records with the rows the system may see, by their model's label
    ("saksarkiv.saksmappe"): each instance's own resource, not the aliases that answer for another
    (arkivstruktur/mappe), and not the change log itself."""
    found = {}
    for _key, resource in sorted(REGISTRY.items()):
        if resource.canonical or resource.package == LOGGING:
            continue
        rows = resource.rows(handler)
        if isinstance(rows, QuerySet) and any(field.name == "system_id" for field in rows.model._meta.fields):
            found.setdefault(rows.model._meta.label_lower, (resource, rows))
    return found


def _visible_records(
    handler: Saksbehandler, events: list["Event"], selected: QuerySet
) -> dict[tuple, tuple[uuid.UUID, str]]:
    """(systemID, resource key) of every record the events name that the system may see, keyed as the
    events name them: ("id", systemID) or ("pk", object type, primary key).

    One query per resource the events name: its visible rows whose systemID (or primary key) is among
    those the selected audit events name, the events being a subquery rather than a list of values
    (chunks of 500 systemIDs made 40 queries and two seconds of a 20,000-event log). The database may
    match a record some other event names; only those named for the resource are kept, as before."""
    resources = record_resources(handler)
    by_id: dict[str, set[str]] = {}
    by_pk: dict[str, set[str]] = {}
    for event in events:
        if isinstance(event.system_id, str):
            by_id.setdefault(_label(event.entity, event.object_type), set()).add(event.system_id)
        else:
            by_pk.setdefault(event.object_type, set()).add(event.object_id)
    named = {}
    if by_id:
        named_ids = _named_ids(selected)
        for label, wanted in by_id.items():
            if label not in resources:
                continue
            resource, rows = resources[label]
            matched = (
                rows.annotate(_named_id=_id_text("system_id")).filter(_named_id__in=named_ids).order_by()
            )
            for system_id in matched.values_list("system_id", flat=True):
                if str(system_id) in wanted:
                    named[("id", str(system_id))] = (system_id, resource.key)
    for label, wanted in by_pk.items():
        if label not in resources:
            continue
        resource, rows = resources[label]
        named_pks = selected.filter(object_type=label).values("object_id")
        matched = rows.annotate(_named_pk=Cast("pk", CharField())).filter(_named_pk__in=named_pks).order_by()
        for pk, system_id in matched.values_list("pk", "system_id"):
            if str(pk) in wanted:
                named[("pk", label, str(pk))] = (system_id, resource.key)
    return named


def _named_ids(selected: QuerySet) -> QuerySet:
    """The systemIDs the selected events name, as text compared with _id_text: PostgreSQL writes a
    UUID as text with its dashes, SQLite stores it as 32 hex digits, so there the dashes are dropped
    from the names. An event's name that is no UUID matches nothing."""
    name = KeyTextTransform("system_id", "details")
    if connection.vendor != "postgresql":
        name = Replace(name, Value("-"), Value(""))
    return (
        selected.filter(details__system_id__isnull=False)
        .annotate(_named_id=Cast(name, CharField()))
        .values("_named_id")
    )


def _id_text(column: str):
    return Cast(column, CharField())


def _label(entity, object_type: str) -> str:
    """The model label of the record an event's details name (details["entity"] is its model name)."""
    if isinstance(entity, str) and entity:
        return f"{object_type.split('.')[0] or 'saksarkiv'}.{entity}"
    return object_type
