"""The JSON parser of every agency API, and the one rule on strings they store.

DRF's own JSONParser reads request.body, which stops at DATA_UPLOAD_MAX_MEMORY_SIZE with Django's HTML
400, and recurses in Python's json module, which a body nested 100,000 deep turns into a
RecursionError. This one reads the stream up to the view's own limit (`max_body_bytes`, answered
with the view's `body_too_large` problem, 413), parses with orjson, which refuses nesting beyond 1024
levels, and refuses a NUL character anywhere: PostgreSQL cannot store one in text, and no field of a
Felles API has a use for it."""

import orjson
from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import BaseParser

from core.api import BodyTooLarge, NulCharacter, content_length


def refuse_nul(value) -> None:
    """Raise NulCharacter if a NUL character is in any string of a parsed body, keys included."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise NulCharacter
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def body_limit(view) -> int:
    """The view's own body limit (an API that takes documents sets max_body_bytes), else Django's."""
    return getattr(view, "max_body_bytes", None) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def read_body(stream, parser_context) -> bytes:
    """The body, up to the view's limit: a Content-Length beyond it is refused before anything is
    read, and a body longer than it announced after one byte too many."""
    view = (parser_context or {}).get("view")
    request = (parser_context or {}).get("request")
    limit = body_limit(view)
    too_large = getattr(view, "body_too_large", None) or (lambda: BodyTooLarge(limit))
    if request is not None and content_length(request) > limit:
        raise too_large()
    raw = stream.read(limit + 1) if stream is not None else b""
    if len(raw) > limit:
        raise too_large()
    return raw


class JSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = read_body(stream, parser_context)
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise exceptions.ParseError(
                _("The body is not valid JSON: %(error)s") % {"error": error}
            ) from None
        refuse_nul(data)
        return data
