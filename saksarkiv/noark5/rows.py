"""Rows that are not one database row each, served by the generic list views as if they were a queryset:
the change log's entries (one per changed field of an audit event) and the users (systemIDs derived from
the user, see entities/admin.py).

`Rows` takes the Q objects saksarkiv.noark5.odata builds and evaluates them in Python with SQL's
three-valued logic (a comparison with a missing value is unknown, and `not unknown` is still unknown), so a
$filter means here what it means on a database list: `ne` matches a missing value only because odata.py
asks for it with `isnull`."""

import operator
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q

# The lookups odata.py (filter_q, search_q) produces.
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "contains": lambda found, given: given in found,
    "startswith": lambda found, given: found.startswith(given),
    "endswith": lambda found, given: found.endswith(given),
    "icontains": lambda found, given: given.casefold() in found.casefold(),
}


class Rows:
    """An ordered list of objects with the queryset methods the list views use: filter, order_by, count,
    first and slicing. The objects' attributes are the lookups of the resource's OData fields."""

    def __init__(self, items: Iterable):
        self.items = list(items)

    def filter(self, *conditions: Q, **lookups) -> "Rows":
        condition = Q(*conditions, **lookups)
        return Rows(item for item in self.items if holds(item, condition) is True)

    def order_by(self, *keys: str) -> "Rows":
        ordered = list(self.items)
        for key in reversed(keys):
            descending = key.startswith("-")
            name = key.removeprefix("-")
            # None last going up and first going down, as PostgreSQL sorts NULL.
            ordered.sort(key=lambda item: _sort_key(getattr(item, name, None)), reverse=descending)
        return Rows(ordered)

    def count(self) -> int:
        return len(self.items)

    def first(self):
        return self.items[0] if self.items else None

    def __getitem__(self, index):
        return self.items[index]

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _sort_key(value) -> tuple:
    return (value is None, value if value is not None else 0)


def holds(item, condition: Q) -> bool | None:
    """True, False, or None (unknown) for an item and a Q, as SQL's WHERE would decide it."""
    results = [
        holds(item, child) if isinstance(child, Q) else _compare(item, *child) for child in condition.children
    ]
    if condition.connector == Q.OR:
        result = True if True in results else (None if None in results else False)
    else:
        result = False if False in results else (None if None in results else True)
    if condition.negated and result is not None:
        return not result
    return result


def _compare(item, lookup: str, given) -> bool | None:
    name, _sep, kind = lookup.partition("__")
    kind = kind or "exact"
    found = getattr(item, name)
    if kind == "isnull":
        return (found is None) == bool(given)
    if found is None or given is None:
        return None
    if isinstance(found, uuid.UUID) and isinstance(given, str):
        try:
            given = uuid.UUID(given)
        except ValueError:
            return False
    try:
        return OPERATORS[kind](found, given)
    except TypeError:  # a value of another type than the field's: no match, as no row would match it
        return False
