"""Reading a client's fields: text, code list values ({"kode", "kodenavn"} or the bare code), dates and
references, each refused with a 400 that names the field. A field the instance does not take, or one the
archive sets itself and the client tried to set, is refused too: taking it silently would let the client
believe it was stored."""

import re
import uuid
from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from saksarkiv.services import InvalidInput

DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A date written as XML Schema's date with a zone (2026-01-31+01:00, 2026-01-31Z).
DATE_WITH_ZONE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})")


def refuse_other(values: dict, allowed) -> None:
    other = sorted(str(name)[:100] for name in set(values) - set(allowed))[:20]
    if other:
        raise InvalidInput(_("These fields cannot be set here: %(fields)s.") % {"fields": ", ".join(other)})


def text(values: dict, name: str, *, required: bool = False, max_length: int = 500, default: str = "") -> str:
    value = values.get(name)
    if value is None:
        value = default
    if not isinstance(value, str):
        raise InvalidInput(_("%(field)s must be a text.") % {"field": name})
    value = value.strip()
    if required and not value:
        raise InvalidInput(_("%(field)s is required.") % {"field": name})
    if len(value) > max_length:
        raise InvalidInput(
            _("%(field)s is longer than %(limit)s characters.") % {"field": name, "limit": max_length}
        )
    return value


def kode(values: dict, name: str, choices, *, default: str | None = None) -> str | None:
    """A code list value: {"kode": "B", "kodenavn": "..."} or "B"; one of `choices` (the codes)."""
    value = values.get(name)
    if value is None:
        return default
    if isinstance(value, dict):
        value = value.get("kode")
    if not isinstance(value, str) or value not in choices:
        raise InvalidInput(
            _("%(field)s must be one of the codes %(codes)s.") % {"field": name, "codes": ", ".join(choices)}
        )
    return value


def day(values: dict, name: str) -> date | None:
    """A date field: the standard's dateTime (2026-01-31T00:00:00+01:00) or date (2026-01-31, with or
    without a zone), as the day it names."""
    value = values.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            if DATE.fullmatch(value):
                return date.fromisoformat(value)
            zoned = DATE_WITH_ZONE.fullmatch(value)
            if zoned:
                return date.fromisoformat(zoned.group(1))
        except ValueError:  # the shape of a date, but none (2026-13-01)
            pass
        else:
            moment = _datetime(value)
            if moment is not None:
                return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    raise InvalidInput(_("%(field)s must be a date, as 2026-01-31T00:00:00+01:00.") % {"field": name})


def _datetime(value: str) -> datetime | None:
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def whole(values: dict, name: str, *, lowest: int = 0, highest: int = 2**31 - 1) -> int | None:
    value = values.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= highest:
        raise InvalidInput(
            _("%(field)s must be a whole number from %(lowest)s to %(highest)s.")
            % {"field": name, "lowest": lowest, "highest": highest}
        )
    return value


def system_id(values: dict, name: str) -> uuid.UUID | None:
    value = values.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    raise InvalidInput(_("%(field)s must be a systemID (a UUID).") % {"field": name})
