"""Every error of the archive API as {"code", "detail"}: the services' errors with their message,
and DRF's own (bad JSON, unsupported media type, invalid fields) in the same shape. Token and
scope refusals keep the OAuth shape ({"error", "error_description"}) of every Felles API."""

from rest_framework import status
from rest_framework.response import Response

from core.api import handle_exception
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
    # DRF's own refusals and Django's (too many fields, a body too large) as every API answers them.
    return handle_exception(exc, context)
