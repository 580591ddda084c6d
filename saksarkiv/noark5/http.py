"""The wire of the service interface: its media type, its error body, and optimistic concurrency.

- Content type `application/vnd.noark5+json` (chapter 6, "Overføringsformat"); a client that asks for
  plain `application/json` gets that, and either is read, as is `application/merge-patch+json` for PATCH
  (RFC 7396, chapter 6 "Oppdatere objekter").
- Every refusal as the standard's error body (chapter 6, "Håndtering av API-feil"):
  `{"feil": {"kode": <the HTTP status>, "beskrivelse": "..."}}`.
- ETag on every instance read; PUT and PATCH must name the ETag they read in If-Match, and one that is
  no longer current answers 409 Conflict ("objektet kan være endret av andre"). The ETag is a digest of
  the instance's representation, so any change of any field, by any path (admin, API, a service), makes
  the old one stale.
"""

import hashlib

import orjson
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core import api_parsers
from core.api import _as_api_exception, error_lines
from core.errors import DomainError
from saksarkiv.noark5 import odata
from saksarkiv.services import DispatchRefused, InvalidInput, NotFound, RecordFinalised
from saksarkiv.services.structure import NotAllowed
from virksomheter.services import OrganisationNotFound

MEDIA_TYPE = "application/vnd.noark5+json"
MERGE_PATCH = "application/merge-patch+json"


class Noark5Renderer(JSONRenderer):
    media_type = MEDIA_TYPE
    format = "json"  # JSON it is; ?format= chooses nothing here (ByAcceptHeader)
    charset = None  # JSON is UTF-8 by definition (RFC 8259); the standard names the type without parameters


class PlainJSONRenderer(JSONRenderer):
    charset = None


class Noark5Parser(api_parsers.JSONParser):
    media_type = MEDIA_TYPE


class MergePatchParser(api_parsers.JSONParser):
    media_type = MERGE_PATCH


RENDERERS = [Noark5Renderer, PlainJSONRenderer]


class ByAcceptHeader(DefaultContentNegotiation):
    """The answer's type by the Accept header alone: DRF's ?format= is no parameter of these APIs (a client's
    own query parameter by that name must not choose, or refuse, the answer's type)."""

    class settings:  # noqa: N801 (DefaultContentNegotiation reads its settings from this attribute)
        URL_FORMAT_OVERRIDE = None


PARSERS = [Noark5Parser, api_parsers.JSONParser, MergePatchParser]


class Noark5Error(DomainError):
    """A refusal of the interface itself, with its HTTP status."""

    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code = status_code


class NotImplementedHere(Noark5Error):
    def __init__(self, message: str):
        super().__init__(status.HTTP_501_NOT_IMPLEMENTED, message)


class Conflict(Noark5Error):
    def __init__(self, message: str):
        super().__init__(status.HTTP_409_CONFLICT, message)


STATUS = {
    NotFound: status.HTTP_404_NOT_FOUND,
    RecordFinalised: status.HTTP_409_CONFLICT,
    DispatchRefused: status.HTTP_409_CONFLICT,
    InvalidInput: status.HTTP_400_BAD_REQUEST,
    NotAllowed: status.HTTP_403_FORBIDDEN,
    OrganisationNotFound: status.HTTP_403_FORBIDDEN,
    odata.Invalid: status.HTTP_400_BAD_REQUEST,
    odata.Unsupported: status.HTTP_501_NOT_IMPLEMENTED,
}


INTERFACE_PREFIX = "/api/noark5/"
ALIAS_PREFIX = "/api/noark5/v1/"  # Felles' paths of before keep their {"code", "detail"} problems


def is_interface_path(path: str) -> bool:
    return path.startswith(INTERFACE_PREFIX) and not path.startswith(ALIAS_PREFIX)


def error_body(status_code: int, code: str, beskrivelse: str) -> dict:
    return {"feil": {"kode": status_code, "beskrivelse": beskrivelse}}


def feil(status_code: int, beskrivelse: str, headers: dict | None = None) -> Response:
    return Response(
        {"feil": {"kode": status_code, "beskrivelse": beskrivelse}}, status=status_code, headers=headers
    )


def handle(exc, context):
    """DRF's exception handler for the interface: everything in the standard's error body, the token
    refusals keeping their WWW-Authenticate header (RFC 6750)."""
    exc = _as_api_exception(exc)
    if isinstance(exc, Noark5Error):
        return feil(exc.status_code, exc.message)
    if isinstance(exc, odata.QueryError):
        return feil(STATUS[type(exc)], exc.message)
    if isinstance(exc, DomainError):
        code = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
        return feil(code, exc.message)
    if isinstance(exc, Http404):
        return feil(status.HTTP_404_NOT_FOUND, _("No such resource."))
    if isinstance(exc, PermissionDenied):
        return feil(status.HTTP_403_FORBIDDEN, _("You do not have access to this."))
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    return feil(exc.status_code, describe(exc), headers)


def describe(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        return "; ".join(error_lines(detail))
    if isinstance(detail, dict) and "error_description" in detail:  # a token refusal (RFC 6750)
        return str(detail["error_description"])
    if isinstance(detail, dict | list):
        return "; ".join(error_lines(detail))
    return str(detail)


def etag(representation: dict) -> str:
    """A strong ETag of an instance: the digest of its fields (its links left out, they follow from them)."""
    fields = {key: value for key, value in representation.items() if key != "_links"}
    digest = hashlib.sha256(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()
    return f'"{digest[:40]}"'


def check_if_match(request, current: str) -> None:
    """PUT and PATCH name the version they change: without If-Match 428 (RFC 6585), with another than the
    current one 409, as the standard answers a change made by someone else in between."""
    # If-Match is HTTP's (RFC 9110 §13.1.1); an ETag request header is what Nikita and noark5-tester send.
    given = request.headers.get("If-Match") or request.headers.get("ETag")
    if not given:
        raise Noark5Error(
            status.HTTP_428_PRECONDITION_REQUIRED,
            _("Send the ETag you read in If-Match, so that no one else's change is overwritten."),
        )
    tags = {tag.strip().removeprefix("W/") for tag in given.split(",")}
    if "*" not in tags and current not in tags:
        raise Conflict(_("The record was changed since you read it: read it again and repeat your change."))
