"""What every agency API answers an error with: a problem body {"code", "detail"} with a stable code,
serializer errors flattened into readable lines, and the size a request announces; DRF's exception
handler for every API and the JSON answers for paths under /api/ that no view takes; the base64
field the APIs take documents in, and request fields that take only the JSON type the schema names
(DRF's own would take 0 for a string, "yes" for a boolean, "7" for an integer)."""

import base64
import binascii
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

API_PREFIX = "/api/"


# Never empty: an empty document is refused.
@extend_schema_field({"type": "string", "format": "byte", "minLength": 1})
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


class StringField(serializers.CharField):
    """A CharField that takes only a string, as the schema says: DRF's own also takes 0 or 1.5 and
    stores "0" and "1.5"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """JSON's true or false only, as the schema says: DRF's own also takes "yes", "on", 1 and "0"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only, as the schema says: DRF's own also takes "7" and 7.0."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class IntegerChoiceField(serializers.ChoiceField):
    """One of integer choices, as a JSON integer only: DRF's ChoiceField also takes "3" for 3."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


# A custom format: a schema cannot state the check digits; a client (or a fuzzer) that knows the format can.
IDENTITY_NUMBER_FORMAT = "personidentifikator"


@extend_schema_field({"type": "string", "format": IDENTITY_NUMBER_FORMAT})
class IdentityNumberField(StringField):
    """A fødselsnummer or D-nummer: 11 digits, the last two check digits; a space or a dash may separate
    the date from the rest. The service that takes it checks it."""


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


def whole_number(raw: str, *, lowest: int, highest: int) -> int | None:
    """A query parameter as a whole number within its bounds, or None. ASCII digits only (str.isdigit
    also takes "²"), and no longer than the highest bound before int() reads it: Python refuses
    more than 4300 digits with a ValueError, and a shorter long one still costs time."""
    digits = raw.lstrip("0") or "0"
    if not (raw.isascii() and raw.isdigit()) or len(digits) > len(str(highest)):
        return None
    number = int(digits)
    return number if lowest <= number <= highest else None


def content_length(request) -> int:
    """The body size the client announced (0 when it did not say or said nonsense)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, limit: int):
        super().__init__(
            gettext("The request body is too large: at most %(size)s.") % {"size": filesizeformat(limit)}
        )


class TooManyFields(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "too_many_fields"
    default_detail = _("The request has too many parameters or form fields.")


class NulCharacter(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "nul_character"
    default_detail = _("The request contains a NUL character (\\u0000), which no field accepts.")


def _as_api_exception(exc):
    """Django's refusals of a request, raised while DRF reads the body or the query string, as the API
    exceptions they mean, so that they answer as problems, not as Django's HTML 400 page."""
    if isinstance(exc, RequestDataTooBig):
        return BodyTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        return TooManyFields()
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ParseError(gettext("The request is not valid."), code="bad_request")
    return exc


def handle_exception(exc, context):
    """DRF's exception handler for every API: each refusal as a problem {"code", "detail"}. Details that
    already have their shape (a problem, or a token refusal's OAuth {"error", "error_description"})
    stay as they are; invalid fields become readable lines with the per-field errors beside them."""
    exc = _as_api_exception(exc)
    # Imported here: rest_framework.views loads DEFAULT_PARSER_CLASSES, whose parser imports this module.
    from rest_framework.views import exception_handler

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid_input",
            "detail": "; ".join(error_lines(exc.detail)),
            "field_errors": exc.detail,
        }
    elif isinstance(response.data, dict) and set(response.data) == {"detail"}:
        response.data = {"code": _code_of(exc), "detail": str(response.data["detail"])}
    return response


def _code_of(exc) -> str:
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        return codes if isinstance(codes, str) else exc.default_code
    return "not_found" if isinstance(exc, Http404) else "permission_denied"


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


# APIs whose standard has an error body of its own (the Noark 5 tjenestegrensesnitt's {"feil": ...}) register
# it for their paths, so that Django's own refusals there (a path no view takes) answer in it too.
ERROR_BODIES: list[tuple[Callable[[str], bool], Callable[[int, str, str], dict]]] = []


def register_error_body(applies: Callable[[str], bool], body: Callable[[int, str, str], dict]) -> None:
    """`applies(path)` says whether a path is the API's; `body(status, code, detail)` is its error body."""
    ERROR_BODIES.append((applies, body))


def api_error(status_code: int, code: str, detail: str, path: str = "") -> JsonResponse:
    """A problem answered outside DRF: Django's error handlers for a path under /api/."""
    for applies, body in ERROR_BODIES:
        if applies(path):
            return JsonResponse(body(status_code, code, detail), status=status_code)
    return JsonResponse({"code": code, "detail": detail}, status=status_code)
