"""Document files into the archive API: the PDF as the raw body (Content-Type: application/pdf,
the file name in Content-Disposition) or as the "fil" part of a multipart form."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.http import parse_header_parameters
from django.utils.translation import gettext as _
from rest_framework.parsers import BaseParser

from core.api import content_length
from core.api_parsers import refuse_nul
from core.pdf import validate_pdf
from saksarkiv.api.problems import ApiProblem
from saksarkiv.api.serializers import MIME_TYPE

DEFAULT_FILENAME = "dokument.pdf"
# Room for the multipart boundaries and the other form fields around the file.
MULTIPART_ALLOWANCE_BYTES = 64 * 1024


class PDFParser(BaseParser):
    """The raw body, read up to one byte past the limit so an oversized file is known without reading it all."""

    media_type = MIME_TYPE

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return b""
        return stream.read(settings.SAKSARKIV_MAX_DOCUMENT_BYTES + 1)


def _too_large() -> ApiProblem:
    return ApiProblem(
        "document_too_large",
        _("The document is larger than %(size)s.")
        % {"size": filesizeformat(settings.SAKSARKIV_MAX_DOCUMENT_BYTES)},
        413,
    )


def refuse_oversized_body(request) -> None:
    """Before the body is read: a Content-Length beyond the limit answers 413 at once."""
    if content_length(request) > settings.SAKSARKIV_MAX_DOCUMENT_BYTES + MULTIPART_ALLOWANCE_BYTES:
        raise _too_large()


def _filename(content_disposition: str) -> str:
    """The file name in a Content-Disposition header; filename*= (RFC 2231) in a charset Python does not
    know is a 400, not the ValueError Django raises for it."""
    try:
        _value, parameters = parse_header_parameters(content_disposition)
    except ValueError:
        raise ApiProblem(
            "invalid_content_disposition",
            _('The Content-Disposition header is not valid; send attachment; filename="name.pdf".'),
        ) from None
    return parameters.get("filename") or DEFAULT_FILENAME


def fields_with_the_file(request) -> dict:
    """The fields that come with the file: the multipart form's others, or with a raw body the query
    parameters. Each is checked by the operation's request serializer, so that none is dropped unread."""
    if request.content_type.startswith("multipart/form-data"):
        return {key: request.data[key] for key in request.data if key != "fil"}
    return {key: request.query_params[key] for key in request.query_params}


def uploaded_pdf(request) -> tuple[bytes, str]:
    """The uploaded file's bytes and name, checked to be a PDF within the size limit.

    The service checks the same again; checking here first gives callers a precise code (413
    document_too_large, 400 not_pdf / unreadable_pdf / empty_pdf) instead of one for all."""
    if request.content_type.startswith("multipart/form-data"):
        upload = request.FILES.get("fil")
        if upload is None:
            raise ApiProblem("document_missing", _("Send the PDF in the form field fil."))
        if upload.size > settings.SAKSARKIV_MAX_DOCUMENT_BYTES:
            raise _too_large()
        content, filnavn = upload.read(), upload.name or DEFAULT_FILENAME
    else:
        content = request.data if isinstance(request.data, bytes) else b""
        filnavn = _filename(request.headers.get("Content-Disposition", ""))
    # The name is stored as it came (from Content-Disposition or the form), so it obeys the APIs' rule.
    refuse_nul(filnavn)
    if len(content) > settings.SAKSARKIV_MAX_DOCUMENT_BYTES:
        raise _too_large()
    if not content:
        raise ApiProblem("document_missing", _("The request has no document."))
    try:
        validate_pdf(content, filnavn)
    except ValidationError as error:
        raise ApiProblem(error.error_list[0].code, error.messages[0]) from None
    return content, filnavn
