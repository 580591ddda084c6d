"""Norwegian postal codes (postnummer -> poststed), from Posten's register as
packaged by npm's `norway-postal-codes` (installed by `make`, see package.json)."""

import json
import re
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _

POSTNUMMER = re.compile(r"^\d{4}$")


@cache
def postal_codes() -> dict[str, str]:
    path = settings.NODE_MODULES_DIR / "norway-postal-codes" / "converted" / "postal-codes-simple.js"
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImproperlyConfigured(
            f"Postal codes not found at {path}: run `make` to install the front-end packages."
        ) from None
    return json.loads(source.removeprefix("module.exports=").strip().rstrip(";"))


def poststed_for(postnummer: str) -> str:
    """The poststed for a postnummer, or ValidationError for a malformed or unknown one."""
    postnummer = (postnummer or "").strip()
    if not POSTNUMMER.match(postnummer):
        raise ValidationError(_("A postnummer has four digits."), code="malformed_postnummer")
    try:
        return postal_codes()[postnummer]
    except KeyError:
        raise ValidationError(
            _("Postnummer %(postnummer)s does not exist."),
            code="unknown_postnummer",
            params={"postnummer": postnummer},
        ) from None


def validate_postnummer(value: str) -> None:
    poststed_for(value)
