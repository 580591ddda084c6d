"""Organisations for tests."""

import io

from PIL import Image

from virksomheter.models import Organisation

VALID_ORGANISASJONSNUMMER = "974312344"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 52, 125)).save(buffer, format="PNG")
    return buffer.getvalue()


def new_organisation(**fields) -> Organisation:
    """An unsaved organisation; store it with virksomheter.services.save_organisation."""
    return Organisation(
        **{
            "organisasjonsnummer": VALID_ORGANISASJONSNUMMER,
            "kind": Organisation.Kind.STATE_AGENCY,
            "name_nb": "Velferdsetaten",
            **fields,
        }
    )
