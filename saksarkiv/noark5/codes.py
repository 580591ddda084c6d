"""The code lists of the Noark 5 tjenestegrensesnitt (chapter 7, "Kodelister"), each with the organisation's
own additions.

The standard's values are vendored in kodelister.json with their source (the standard's repository, path and
commit), read once into memory: entities call `kodenavn()` for every code they show. Felles adds a few values
for every organisation where its own archive uses codes the standard's list lacks (the "felles" part of a
list in the file, with the reason). An organisation adds its own values through metadata/ny-<kodeliste>/
(saksarkiv.models.Kodeverdi); those, and only those, it may change and delete. The standard says values in a
list are unique "ved sin kode og ved sitt kodenavn", so an addition may repeat neither, and that a value
whose «inaktiv» is true is not to be used on new instances or changes (chapter 6, "Opprette objekter").
"""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Q, TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saksarkiv.models import Kodeverdi, Saksbehandler
from saksarkiv.noark5 import fields
from saksarkiv.noark5.http import Conflict
from saksarkiv.services import InvalidInput, NotFound
from saksarkiv.services.archive import record_change
from saksarkiv.services.structure import NotAllowed
from virksomheter.models import Organisation

DATA = Path(__file__).with_name("kodelister.json")
MAX_KODE = 60  # Kodeverdi.kode
MAX_KODENAVN = 200  # Kodeverdi.kodenavn
MAX_BESKRIVELSE = 2000
# An organisation's own code: letters (Norwegian ones too), digits and the separators the standard's codes
# use (fmt/95, EPSG:4326, 5a); it goes into a URL, so no spaces, and no slash at either end.
OWN_KODE = re.compile(r"[0-9A-Za-zÆØÅæøå](?:[0-9A-Za-zÆØÅæøå._:/-]*[0-9A-Za-zÆØÅæøå])?")
# Format codes come from PRONOM (chapter 7, "Format": "fmt" or "x-fmt", a slash and a whole number); the
# list's values are only examples, so any PRONOM code is a valid format.
PRONOM = re.compile(r"(?:x-)?fmt/[1-9][0-9]{0,5}")


class CodeAction(TextChoices):
    """The audit actions on an organisation's own code values (recorded as "saksarkiv.<value>")."""

    ADDED = "kodeverdi_added", gettext_lazy("Code value added")
    CHANGED = "kodeverdi_changed", gettext_lazy("Code value changed")
    REMOVED = "kodeverdi_removed", gettext_lazy("Code value removed")


@dataclass(frozen=True)
class Value:
    """One value of a code list as the interface shows it. `own` is the organisation's addition."""

    kode: str
    kodenavn: str
    beskrivelse: str = ""
    inaktiv: bool = False
    own: bool = False


@dataclass(frozen=True)
class CodeList:
    name: str  # as in its rel and URL: "saksstatus"
    values: tuple[Value, ...]  # the standard's, then Felles' additions

    @property
    def by_kode(self) -> dict[str, Value]:
        return _by_kode(self.name)


@cache
def lists() -> dict[str, CodeList]:
    """Every code list of the standard, by name, read once from kodelister.json."""
    data = json.loads(DATA.read_text(encoding="utf-8"))["kodelister"]
    found = {}
    for name, entry in data.items():
        values = [_standard_value(value) for value in entry["verdier"]]
        values += [
            Value(value["kode"], value["kodenavn"]) for value in entry.get("felles", {}).get("verdier", [])
        ]
        found[name] = CodeList(name, tuple(values))
    return found


def _standard_value(value: dict) -> Value:
    # The standard's Merknad column describes the value, except where it only marks it optional.
    note = value.get("merknad", "")
    return Value(value["kode"], value["kodenavn"], "" if value.get("valgfri") else note)


@cache
def _by_kode(name: str) -> dict[str, Value]:
    return {value.kode: value for value in lists()[name].values}


def code_list(kodeliste: str) -> CodeList:
    found = lists().get(kodeliste)
    if found is None:
        raise NotFound(_("There is no code list %(name)s.") % {"name": kodeliste[:60]})
    return found


def kodenavn(kodeliste: str, kode: str, organisation: Organisation | None = None) -> str:
    """The name of a code: the standard's (or Felles'), else the organisation's own when it is given, else the
    code itself (a value stored before its list knew it still reads)."""
    found = lists().get(kodeliste)
    if found is not None and kode in found.by_kode:
        return found.by_kode[kode].kodenavn
    if organisation is not None and found is not None:
        own = Kodeverdi.objects.filter(organisation=organisation, kodeliste=kodeliste, kode=kode).first()
        if own is not None:
            return own.kodenavn
    return kode


def valid(kodeliste: str, kode: str, organisation: Organisation | None = None) -> bool:
    """Whether a new instance, or a change, may take the code: one of the standard's (or Felles') values, or
    one of the organisation's own that is not inaktiv; for format also any PRONOM code."""
    found = lists().get(kodeliste)
    if found is None or not isinstance(kode, str):
        return False
    if kode in found.by_kode or (kodeliste == "format" and PRONOM.fullmatch(kode)):
        return True
    if organisation is None:
        return False
    return Kodeverdi.objects.filter(
        organisation=organisation, kodeliste=kodeliste, kode=kode, inaktiv=False
    ).exists()


def own_values(kodeliste: str, organisation: Organisation):
    return Kodeverdi.objects.filter(organisation=organisation, kodeliste=kodeliste).order_by("kode")


def values(kodeliste: str, organisation: Organisation) -> list[Value]:
    """The list as the organisation sees it: the standard's values in the standard's order, Felles'
    additions, then the organisation's own by code."""
    found = code_list(kodeliste)
    return [*found.values, *(_own(value) for value in own_values(kodeliste, organisation))]


def value(kodeliste: str, kode: str, organisation: Organisation, *, lock: bool = False) -> Value:
    """One value of the list; `lock` holds the organisation's own row until the transaction ends."""
    found = code_list(kodeliste)
    if kode in found.by_kode:
        return found.by_kode[kode]
    return _own(_stored(kodeliste, kode, organisation, lock=lock))


def _own(stored: Kodeverdi) -> Value:
    return Value(stored.kode, stored.kodenavn, stored.beskrivelse, stored.inaktiv, own=True)


def _stored(kodeliste: str, kode: str, organisation: Organisation, *, lock: bool = False) -> Kodeverdi:
    rows = own_values(kodeliste, organisation)
    found = (rows.select_for_update() if lock else rows).filter(kode=kode).first()
    if found is None:
        raise NotFound(
            _("The code list %(name)s has no code %(kode)s.") % {"name": kodeliste, "kode": kode[:60]}
        )
    return found


def add(
    handler: Saksbehandler,
    kodeliste: str,
    *,
    kode: str,
    kodenavn: str,
    beskrivelse: str = "",
    inaktiv: bool = False,
    request=None,
) -> Value:
    """Adds the organisation's own value to a list (metadata/ny-<kodeliste>/)."""
    found = code_list(kodeliste)
    kode, kodenavn, beskrivelse = (
        _checked_kode(kode),
        _checked_name(kodenavn),
        _checked_description(beskrivelse),
    )
    organisation = handler.organisation
    if kode in found.by_kode or own_values(kodeliste, organisation).filter(kode=kode).exists():
        raise Conflict(
            _("The code list %(name)s already has the code %(kode)s.") % {"name": kodeliste, "kode": kode}
        )
    _refuse_taken_name(found, organisation, kodenavn)
    try:
        with transaction.atomic():
            stored = Kodeverdi.objects.create(
                organisation=organisation,
                kodeliste=kodeliste,
                kode=kode,
                kodenavn=kodenavn,
                beskrivelse=beskrivelse,
                inaktiv=inaktiv,
                opprettet_av=handler.user.get_username()[:150],
            )
    except IntegrityError:  # added at the same moment by another request
        raise Conflict(
            _("The code list %(name)s already has the code %(kode)s.") % {"name": kodeliste, "kode": kode}
        ) from None
    record_change(CodeAction.ADDED.value, handler, stored, request=request, kodeliste=kodeliste, kode=kode)
    return _own(stored)


def change(handler: Saksbehandler, kodeliste: str, kode: str, changes: dict, *, request=None) -> Value:
    """Changes the organisation's own value: its kodenavn, beskrivelse, inaktiv. Its code is what instances
    hold, so it stays; the standard's values are the standard's."""
    found = code_list(kodeliste)
    require_own(kodeliste, kode)
    stored = _stored(kodeliste, kode, handler.organisation, lock=True)
    before = _own(stored)
    if "kodenavn" in changes:
        stored.kodenavn = _checked_name(changes["kodenavn"])
        if stored.kodenavn.casefold() != before.kodenavn.casefold():
            _refuse_taken_name(found, handler.organisation, stored.kodenavn)
    if "beskrivelse" in changes:
        stored.beskrivelse = _checked_description(changes["beskrivelse"])
    if "inaktiv" in changes:
        if not isinstance(changes["inaktiv"], bool):
            raise InvalidInput(_("inaktiv must be true or false."))
        stored.inaktiv = changes["inaktiv"]
    after = _own(stored)
    differences = {
        field: [getattr(before, field), getattr(after, field)]
        for field in ("kodenavn", "beskrivelse", "inaktiv")
        if getattr(before, field) != getattr(after, field)
    }
    if differences:
        stored.save(update_fields=["kodenavn", "beskrivelse", "inaktiv"])
        record_change(
            CodeAction.CHANGED.value, handler, stored, request=request, kodeliste=kodeliste, kode=kode,
            changes=differences,
        )  # fmt: skip
    return after


def remove(handler: Saksbehandler, kodeliste: str, kode: str, *, request=None) -> None:
    """Removes the organisation's own value. Instances that hold its code keep it (the standard copies a
    value into the instance, chapter 6); to keep it from new instances only, set inaktiv instead."""
    require_own(kodeliste, kode)
    stored = _stored(kodeliste, kode, handler.organisation, lock=True)
    record_change(CodeAction.REMOVED.value, handler, stored, request=request, kodeliste=kodeliste, kode=kode)
    stored.delete()


def require_own(kodeliste: str, kode: str) -> None:
    """Refuses (403) a change to one of the standard's (or Felles') values: only own values change."""
    found = code_list(kodeliste)
    if kode in found.by_kode:
        raise NotAllowed(
            _("%(kode)s is one of the standard's values of %(name)s and cannot be changed or removed.")
            % {"kode": kode, "name": found.name}
        )


def _refuse_taken_name(found: CodeList, organisation: Organisation, name: str) -> None:
    taken = {value.kodenavn.casefold() for value in found.values}
    taken.update(
        n.casefold() for n in own_values(found.name, organisation).values_list("kodenavn", flat=True)
    )
    if name.casefold() in taken:
        raise Conflict(
            _("The code list %(name)s already has a value named %(kodenavn)s.")
            % {"name": found.name, "kodenavn": name}
        )


def _checked_kode(kode) -> str:
    kode = fields.text({"kode": kode}, "kode", required=True, max_length=MAX_KODE)
    if not OWN_KODE.fullmatch(kode) or "//" in kode:
        raise InvalidInput(
            _("kode may hold letters, digits and . _ : / - (not first or last), and no spaces.")
        )
    return kode


def _checked_name(name) -> str:
    return _checked_text(name, "kodenavn", MAX_KODENAVN, required=True)


def _checked_description(text) -> str:
    return _checked_text(text, "beskrivelse", MAX_BESKRIVELSE, required=False)


def _checked_text(text, field: str, limit: int, *, required: bool) -> str:
    text = fields.text({field: text}, field, required=required, max_length=limit)
    if any(ord(character) < 32 for character in text):
        raise InvalidInput(_("%(field)s may not hold control characters.") % {"field": field})
    return text


class Values:
    """A list of code values that answers the few QuerySet calls a list of the interface makes (filter with
    the Q that the OData parser built, order_by, count, slicing), so that $filter, $orderby, $search, $top,
    $skip and count work on code lists exactly as on the archive's entities, with the same refusals."""

    def __init__(self, items):
        self.items = list(items)

    def filter(self, query: Q) -> "Values":
        return Values(item for item in self.items if _matches(query, item))

    def order_by(self, *keys: str) -> "Values":
        items = list(self.items)
        for key in reversed(keys):  # sorted() is stable: the last key first, the first key last
            name = key.removeprefix("-")
            items.sort(key=lambda item: _sortable(getattr(item, name)), reverse=key.startswith("-"))
        return Values(items)

    def count(self) -> int:
        return len(self.items)

    def __getitem__(self, index):
        return self.items[index]


def _sortable(found):
    return (found is None, found if found is not None else "")


COMPARE = {
    "exact": lambda found, wanted: found == wanted,
    "gt": lambda found, wanted: found is not None and found > wanted,
    "gte": lambda found, wanted: found is not None and found >= wanted,
    "lt": lambda found, wanted: found is not None and found < wanted,
    "lte": lambda found, wanted: found is not None and found <= wanted,
    "contains": lambda found, wanted: isinstance(found, str) and wanted in found,
    "startswith": lambda found, wanted: isinstance(found, str) and found.startswith(wanted),
    "endswith": lambda found, wanted: isinstance(found, str) and found.endswith(wanted),
    "icontains": lambda found, wanted: isinstance(found, str) and wanted.casefold() in found.casefold(),
    "isnull": lambda found, wanted: (found in (None, "")) == wanted,
}


def _matches(query: Q, item: Value) -> bool:
    results = (
        _matches(child, item) if isinstance(child, Q) else _condition(*child, item)
        for child in query.children
    )
    matched = all(results) if query.connector == Q.AND else any(results)
    return not matched if query.negated else matched


def _condition(lookup: str, wanted, item: Value) -> bool:
    name, _separator, operation = lookup.partition("__")
    found = getattr(item, name)
    return COMPARE[operation or "exact"](found, wanted)
