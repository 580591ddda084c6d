"""The integrasjonspunkt's REST API (eFormidling 2, "next move"), paths and answers as Digdir's
NextMoveMessageOutController, NextMoveMessageInController, CapabilitiesController, MessageStatusController and
ConversationController: thin views over eformidling.services. Every refusal has Digdir's error
body {timestamp, status, error, exception, message, path}; JSON leaves out null fields."""

from http import HTTPStatus

import orjson
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import content_length
from core.api_parsers import JSONParser, body_limit, read_body
from eformidling.auth import AUTHENTICATION, BasicUser, Caller
from eformidling.services import capabilities as capability_service
from eformidling.services import conversations, errors, incoming, messages, paging, sbd, statuses
from maskinporten.drf import MaskinportenAuthentication
from virksomheter.services import OrganisationNotFound, get_organisation

SPRING = "org.springframework."
SECURITY = SPRING + "security."


class RawParser(BaseParser):
    """A file's bytes as they come, of any content type (PUT /api/messages/out/{messageId})."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return read_body(stream, parser_context)


class BoundedMultiPartParser(MultiPartParser):
    """Django's multipart parser behind the view's body bound: a Content-Length over it is refused
    (413) before a byte is parsed, so no part is spooled for a request that cannot be taken."""

    def parse(self, stream, media_type=None, parser_context=None):
        view = (parser_context or {}).get("view")
        request = (parser_context or {}).get("request")
        limit = body_limit(view)
        if request is not None and content_length(request) > limit:
            raise errors.too_large(limit)
        return super().parse(stream, media_type, parser_context)


def error_body(request, status: int, exception: str, message: str, **extra) -> dict:
    body = {
        "timestamp": sbd.moment(timezone.now()),
        "status": status,
        "error": HTTPStatus(status).phrase,
        "exception": exception,
        "message": message,
        "path": request.path,
    }
    body.update((key, value) for key, value in extra.items() if value)
    return body


def _as_error(exc) -> tuple[int, str, str]:
    if isinstance(exc, exceptions.NotAuthenticated):
        return (
            401,
            SECURITY + "authentication.InsufficientAuthenticationException",
            ("Full authentication is required to access this resource"),
        )
    if isinstance(exc, exceptions.AuthenticationFailed):
        detail = exc.detail.get("error_description") if isinstance(exc.detail, dict) else exc.detail
        return 401, SECURITY + "authentication.BadCredentialsException", str(detail)
    if isinstance(exc, exceptions.PermissionDenied) or getattr(exc, "status_code", None) == 403:
        return 403, SECURITY + "access.AccessDeniedException", "Access Denied"
    if isinstance(exc, exceptions.ParseError):
        return 400, errors.NotReadable.exception, f"JSON parse error: {exc.detail}"
    if isinstance(exc, exceptions.MethodNotAllowed):
        return (
            405,
            SPRING + "web.HttpRequestMethodNotSupportedException",
            (f"Request method '{exc.args[0] if exc.args else ''}' is not supported"),
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return 415, SPRING + "web.HttpMediaTypeNotSupportedException", str(exc.detail)
    if isinstance(exc, exceptions.APIException):
        return exc.status_code, SPRING + "web.server.ResponseStatusException", str(exc.detail)
    raise exc


class IntegrasjonspunktView(APIView):
    # Not in Felles' own OpenAPI schema (/api/schema/), whose answers are problems: this API is the one
    # Digdir documents (NextMove API Specification), with Digdir's error body.
    schema = None
    authentication_classes = AUTHENTICATION
    permission_classes = [Caller]
    parser_classes = [JSONParser]
    # Files up to DPI's upload limit, with room for what comes around them.
    max_body_bytes = messages.DPI_UPLOAD_LIMIT + 1024 * 1024

    def body_too_large(self):
        return errors.too_large(self.max_body_bytes)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if isinstance(request.user, BasicUser):
            organisation = request.auth.organisation  # read with the credential, in the same query
        else:
            try:
                organisation = get_organisation(request.user.organisation_number)
            except OrganisationNotFound:
                raise exceptions.PermissionDenied() from None
        actor = (
            f"{organisation.organisasjonsnummer}/{request.user.username}"
            if isinstance(request.user, BasicUser)
            else f"{organisation.organisasjonsnummer} (maskinporten)"
        )
        self.sender = messages.Sender(organisation, actor)
        self.organisation = organisation

    def get_authenticate_header(self, request):
        """Basic, as Digdir's integrasjonspunkt asks; Bearer's challenge for a refused Maskinporten token."""
        if getattr(request, "maskinporten_token_refused", False):
            return MaskinportenAuthentication().authenticate_header(request)
        return super().get_authenticate_header(request)

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed(request.method, detail=request.method)

    def handle_exception(self, exc):
        if isinstance(exc, errors.IntegrasjonspunktError):
            status, exception, message = exc.status, exc.exception, exc.message
            extra = {"description": exc.description, "errors": exc.errors}
        else:
            status, exception, message = _as_error(exc)
            extra = {}
        body = error_body(self.request, status, exception, message, **extra)
        if status == 204:
            # Digdir's peek answers 204 with the error body (DRF would drop a 204's content).
            return HttpResponse(orjson.dumps(body), status=204, content_type="application/json")
        response = Response(body, status=status)
        if status == 401:
            response["WWW-Authenticate"] = self.get_authenticate_header(self.request)
        return response


def empty() -> HttpResponse:
    return HttpResponse(status=200)


class Capabilities(IntegrasjonspunktView):
    def get(self, request, identifier):
        process = request.query_params.get("process") or None
        try:
            capability_service.check_lookup_rate(self.organisation)
            found = capability_service.capabilities(
                identifier, self.organisation, process=process, requested_by=self.sender.actor
            )
        except capability_service.NotAPerson:
            raise errors.InvalidIdentifier(f"Unable to parse identifier = '{identifier}'") from None
        except capability_service.PersonUnknown:
            raise errors.identifier_not_found(identifier) from None
        return Response({"capabilities": [capability.as_json() for capability in found]})


class MessagesOut(IntegrasjonspunktView):
    # An SBD is a few kilobytes of JSON: its files come by PUT or multipart.
    max_body_bytes = messages.SBD_MAX

    def get(self, request):
        query = messages.outgoing(self.organisation, request.query_params)
        return Response(paging.page(request, query, lambda c: c.sbd, sortable={"id": "pk"}, default=None))

    def post(self, request):
        return Response(messages.create(self.sender, request.data))


class MessageOut(IntegrasjonspunktView):
    parser_classes = [RawParser]

    def get(self, request, message_id):
        return Response(messages.get(self.organisation, message_id))

    def put(self, request, message_id):
        if not request.headers.get("Content-Type"):
            # Without one there is no body to read (it would be stored as an empty file).
            raise errors.MissingHttpHeader("Expected a HTTP header named 'Content-Type'")
        disposition = request.headers.get("Content-Disposition")
        if not disposition:
            raise errors.MissingHttpHeader("Expected a HTTP header named 'Content-Disposition'")
        parameters = messages.parse_disposition(disposition)
        filename = parameters.get("filename", "")
        if not filename:
            raise errors.MissingHttpHeader("Expected a HTTP header named 'Content-Disposition'")
        messages.add_file(
            self.sender,
            message_id,
            filename=filename,
            title=request.query_params.get("title") or parameters.get("name", ""),
            content_type=request.headers.get("Content-Type", ""),
            # An empty body parses as no data at all.
            content=request.data if isinstance(request.data, bytes) else b"",
        )
        return empty()

    def post(self, request, message_id):
        messages.send(self.sender, message_id)
        return empty()

    def delete(self, request, message_id):
        messages.delete(self.organisation, message_id, actor=self.sender.actor)
        return empty()


class MultipartMessage(IntegrasjonspunktView):
    parser_classes = [BoundedMultiPartParser]
    # DPI's upload limit and one part more: a request a part over the limit is still parsed (to disk,
    # not memory) and answered with Digdir's MaxFileSizeExceededException; anything larger is 413.
    max_body_bytes = messages.DPI_UPLOAD_LIMIT + messages.MULTIPART_MAX + 1024 * 1024

    def post(self, request):
        raw = request.data.get("sbd")
        if raw is None:
            raise errors.MissingHttpHeader("Expected a part named 'sbd'")
        uploads = [
            (name, upload) for name, parts in request.FILES.lists() if name != "sbd" for upload in parts
        ]
        # Every size is known before any part is read: each within 5 MB, all within DPI's limit.
        for name, upload in uploads:
            messages.check_multipart_part(name or upload.name, upload.size)
        messages.check_total_size(sum(upload.size for _name, upload in uploads))
        if hasattr(raw, "read"):
            if raw.size > messages.SBD_MAX:
                raise errors.too_large(messages.SBD_MAX)
            raw = raw.read()
        try:
            document = JSONParser().parse(_Stream(raw), parser_context={"view": self, "request": None})
        except exceptions.ParseError as error:
            raise errors.NotReadable(f"JSON parse error: {error.detail}") from None
        files = [(name, upload.name, upload.content_type or "", upload.read()) for name, upload in uploads]
        return Response(messages.create_and_send(self.sender, document, files))


class _Stream:
    def __init__(self, raw):
        self.raw = raw.encode() if isinstance(raw, str) else raw

    def read(self, size=-1):
        return self.raw


class MessagesIn(IntegrasjonspunktView):
    def get(self, request):
        query = incoming.find(self.organisation, request.query_params)
        return Response(paging.page(request, query, lambda m: m.sbd, sortable={"id": "pk"}, default=None))


class MessageInPeek(IntegrasjonspunktView):
    def get(self, request):
        return Response(incoming.peek(self.organisation, request.query_params))


class MessageInPop(IntegrasjonspunktView):
    def get(self, request, message_id):
        incoming.pop(self.organisation, message_id)
        return HttpResponse(status=204)  # a receipt has no ASiC


class MessageIn(IntegrasjonspunktView):
    def delete(self, request, message_id):
        return Response(incoming.delete(self.organisation, message_id, actor=self.sender.actor))


class Statuses(IntegrasjonspunktView):
    def get(self, request):
        query = conversations.filter_statuses(statuses.statuses(self.organisation), request.query_params)
        return Response(
            paging.page(request, query, statuses.as_json, sortable=paging.STATUS_SORT, default="id")
        )


class StatusesOfMessage(IntegrasjonspunktView):
    def get(self, request, message_id):
        query = conversations.filter_statuses(statuses.statuses(self.organisation), {"messageId": message_id})
        return Response(
            paging.page(request, query, statuses.as_json, sortable=paging.STATUS_SORT, default="id")
        )


class StatusDelete(IntegrasjonspunktView):
    def delete(self, request, status_id):
        if not statuses.dequeue(self.organisation, status_id):
            return HttpResponse(status=404)
        return empty()


class StatusPeek(IntegrasjonspunktView):
    def get(self, request):
        found = statuses.peek(self.organisation)
        if found is None:
            raise errors.NoContent("No content")
        return Response(statuses.as_json(found))


class Conversations(IntegrasjonspunktView):
    queue = False

    def get(self, request):
        filters = dict(request.query_params.items())
        if self.queue:
            filters["pollable"] = "true"
        query = conversations.find(self.organisation, filters)
        return Response(
            paging.page(
                request,
                query,
                conversations.as_json,
                sortable=paging.CONVERSATION_SORT,
                default="-lastUpdate",
            )
        )


class ConversationDetail(IntegrasjonspunktView):
    def get(self, request, conversation_pk):
        return Response(conversations.as_json(conversations.by_pk(self.organisation, conversation_pk)))

    def delete(self, request, conversation_pk):
        conversations.delete(self.organisation, conversations.by_pk(self.organisation, conversation_pk))
        return empty()


class ConversationByMessage(IntegrasjonspunktView):
    def get(self, request, message_id):
        return Response(conversations.as_json(conversations.by_message(self.organisation, message_id)))

    def delete(self, request, message_id):
        conversations.delete(self.organisation, conversations.by_message(self.organisation, message_id))
        return empty()
