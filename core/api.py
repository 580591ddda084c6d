"""What every agency API answers an error with: a problem body {"code", "detail"} with a stable code,
serializer errors flattened into readable lines, and the size a request announces."""

from rest_framework.response import Response
from rest_framework.settings import api_settings


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
