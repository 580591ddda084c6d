"""What every agency API answers an error with: a problem body {"code", "detail"} with a stable code,
serializer errors flattened into readable lines, and the size a request announces; and the base64
field the APIs take documents in."""

import base64
import binascii

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings


@extend_schema_field(OpenApiTypes.BYTE)
class Base64Field(serializers.Field):
    """Standard base64 (RFC 4648, no line breaks) in, bytes out."""

    default_error_messages = {"invalid": _("Not valid base64."), "empty": _("The document is empty.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            content = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            self.fail("invalid")
        if not content:
            self.fail("empty")
        return content


def problem(code: str, detail: str, status: int, **extra) -> Response:
    return Response({"code": code, "detail": detail, **extra}, status=status)


def error_lines(errors, path: str = ""):
    """Serializer errors as "dokumenter.0.innhold: message" lines, for a problem's detail."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            inner = "" if key == api_settings.NON_FIELD_ERRORS_KEY else str(key)
            yield from error_lines(value, ".".join(part for part in (path, inner) if part))
    elif isinstance(errors, list) and all(isinstance(error, str) for error in errors):
        for message in errors:
            yield f"{path}: {message}" if path else str(message)
    elif isinstance(errors, list):
        for index, value in enumerate(errors):
            yield from error_lines(value, f"{path}.{index}")


def content_length(request) -> int:
    """The body size the client announced (0 when it did not say or said nonsense)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
