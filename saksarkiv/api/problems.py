"""Every error of the archive API as {"code", "detail"}: the services' errors with their message,
and DRF's own (bad JSON, unsupported media type, invalid fields) in the same shape. Token and
scope refusals keep the OAuth shape ({"error", "error_description"}) of every Felles API."""

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.api import error_lines
from core.errors import DomainError
from saksarkiv.services import DispatchRefused, InvalidInput, NotFound, RecordFinalised
from virksomheter.services import OrganisationNotFound

STATUS = {
    NotFound: status.HTTP_404_NOT_FOUND,
    RecordFinalised: status.HTTP_409_CONFLICT,
    DispatchRefused: status.HTTP_409_CONFLICT,
    InvalidInput: status.HTTP_400_BAD_REQUEST,
    OrganisationNotFound: status.HTTP_403_FORBIDDEN,
}


class ApiProblem(DomainError):
    """A refusal of the API itself, before a service is asked: a too large or non-PDF upload, a bad
    query parameter."""

    def __init__(self, code: str, message: str, status_code: int = status.HTTP_400_BAD_REQUEST):
        super().__init__(message)
        self.code = code
        self.status_code = status_code


def handle(exc, context):
    if isinstance(exc, ApiProblem):
        return Response({"code": exc.code, "detail": exc.message}, status=exc.status_code)
    if isinstance(exc, DomainError):
        code = next((status for kind, status in STATUS.items() if isinstance(exc, kind)), 400)
        return Response({"code": exc.code, "detail": exc.message}, status=code)
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": InvalidInput.code,
            "detail": "; ".join(error_lines(exc.detail)),
            "field_errors": exc.detail,
        }
    elif not isinstance(exc.detail, dict):
        response.data = {"code": exc.get_codes(), "detail": str(exc.detail)}
    return response
