"""Old and new values of a record's archived fields, for the audit trail: Noark 5's endringslogg
(vedlegg 3, «logg over endringer») names the field, its previous value and its new one. Every service that
changes a stored value records `details["changes"] = {field: [old, new]}` with the model's field names."""

from datetime import date, datetime

from django.db import models

from saksarkiv.models import Skjerming


def value(stored) -> str | list[str] | None:
    """A stored value as the audit trail keeps it: None for no value, dates in ISO 8601, rows by name."""
    if stored is None or stored == "" or stored == []:
        return None
    if isinstance(stored, bool):
        return "true" if stored else "false"
    if isinstance(stored, (date, datetime)):
        return stored.isoformat()
    if isinstance(stored, Skjerming):
        codes = ", ".join(stored.skjerming_metadata)
        return f"{stored.tilgangsrestriksjon} {stored.skjermingshjemmel} ({codes})"
    if isinstance(stored, (list, tuple)):
        return [str(value(item)) for item in stored]
    return str(stored)


def _field_value(record: models.Model, field: str):
    model_field = record._meta.get_field(field)
    if model_field.many_to_many:
        if record.pk is None:
            return None
        return value(sorted(str(row) for row in getattr(record, field).all()))
    return value(getattr(record, field))


def snapshot(record: models.Model, fields) -> dict:
    """The fields' values now, to compare with after a change."""
    return {field: _field_value(record, field) for field in fields}


def changes_between(before: dict, record: models.Model, fields=None) -> dict[str, list]:
    """{field: [old, new]} for every field whose value differs from the snapshot `before`."""
    after = snapshot(record, fields or before)
    return {field: [before.get(field), new] for field, new in after.items() if before.get(field) != new}


def change_details(record: models.Model, changes: dict[str, list]) -> dict:
    """The audit details that name the record and what changed in it (spread into record_change)."""
    return {
        "changes": changes,
        "system_id": str(record.system_id),
        "entity": record._meta.model_name,
    }
