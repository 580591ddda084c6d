"""arkivstruktur: dokumentbeskrivelse and dokumentobjekt on a journal post, and the file (chapter 6, "Hente
og overføre filer").

A client describes a document (ny-dokumentbeskrivelse), makes an object for its file (ny-dokumentobjekt,
declaring the file's name, size and checksum if it likes) and POSTs the file to the object's
arkivstruktur/fil/ href; or POSTs the file straight to the description's fil href, which makes the object.
The file goes through the archive's one path for PDFs (saksarkiv.services.documents: the checks against
PDF bombs, the PDF/A conversion whose result is the same version's archive variant). A file is never
overwritten. Files larger than the archive's limit for one transfer (its bulkgrense) get 403, as the
standard says; transfers in parts are not supported (501)."""

from django.conf import settings
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.http import parse_header_parameters
from django.utils.translation import gettext as _
from rest_framework import status

from core.api import content_length
from saksarkiv import services
from saksarkiv.models import Dokumentbeskrivelse, Dokumentobjekt, Journalpost, Saksbehandler
from saksarkiv.noark5 import fields as read
from saksarkiv.noark5.entities.cases import JOURNALPOST, skjerming
from saksarkiv.noark5.http import Noark5Error, NotImplementedHere
from saksarkiv.noark5.odata import Field
from saksarkiv.noark5.rels import ARKIVSTRUKTUR, SAKARKIV, rel
from saksarkiv.noark5.resources import (
    REGISTRY,
    Action,
    Child,
    Creation,
    Links,
    Resource,
    Template,
    code,
    extend,
    moment,
    present,
    register,
)
from saksarkiv.services import documents
from saksarkiv.services.access import dokumenter_for
from saksarkiv.services.archive import require_editable, require_open_for_documents

DOKUMENTBESKRIVELSE = f"{ARKIVSTRUKTUR}/dokumentbeskrivelse"
DOKUMENTOBJEKT = f"{ARKIVSTRUKTUR}/dokumentobjekt"
# The segments of the file actions: on a description the standard's example POSTs to .../fil, on an
# object its referanseDokumentfil is .../referanseFil.
FILE_OF_DESCRIPTION = "fil"
FILE_OF_OBJECT = "referanseFil"
DESCRIPTION_FIELDS = {
    "tittel",
    "dokumenttype",
    "tilknyttetRegistreringSom",
    "dokumentstatus",
    "dokumentmedium",
}
OBJECT_FIELDS = {
    "versjonsnummer",
    "variantformat",
    "filnavn",
    "mimeType",
    "sjekksum",
    "sjekksumAlgoritme",
    "filstoerrelse",
    "format",
}
# The upload headers of a transfer in parts (chapter 6, "Overføre store filer").
CHUNKED = ("X-Upload-Content-Type", "X-Upload-Content-Length", "Content-Range")


def _open(journalpost: Journalpost, rule, *arguments) -> bool:
    try:
        rule(journalpost, *arguments)
    except services.SaksarkivError:
        return False
    return True


# ---- dokumentbeskrivelse ----------------------------------------------------------------------------


@register
class DokumentbeskrivelseResource(Resource):
    package = ARKIVSTRUKTUR
    name = "dokumentbeskrivelse"
    fields = {
        "systemID": Field("system_id", "uuid"),
        "tittel": Field("tittel", "text"),
        "dokumentnummer": Field("dokumentnummer", "integer"),
        "dokumenttype": Field("dokumenttype", "text"),
        "dokumenttype/kode": Field("dokumenttype", "text"),
        "dokumentstatus": Field("dokumentstatus", "text"),
        "dokumentstatus/kode": Field("dokumentstatus", "text"),
        "tilknyttetRegistreringSom": Field("tilknyttet_registrering_som", "text"),
        "tilknyttetRegistreringSom/kode": Field("tilknyttet_registrering_som", "text"),
        "tilknyttetDato": Field("tilknyttet_dato", "datetime"),
        "opprettetDato": Field("opprettet_dato", "datetime"),
        "registrering/systemID": Field("journalpost__system_id", "uuid"),
    }
    search = ("tittel",)
    order = ("journalpost_id", "dokumentnummer")

    def rows(self, handler: Saksbehandler) -> QuerySet:
        return dokumenter_for(handler).select_related("journalpost__saksmappe", "skjerming")

    def represent(self, dokument: Dokumentbeskrivelse, links: Links) -> dict:
        return present(
            {
                "systemID": str(dokument.system_id),
                "dokumenttype": code("dokumenttype", dokument.dokumenttype),
                "dokumentstatus": code("dokumentstatus", dokument.dokumentstatus),
                "tittel": dokument.tittel,
                "forfatter": [dokument.forfatter] if dokument.forfatter else None,
                "dokumentmedium": code("dokumentmedium", "E"),
                "tilknyttetRegistreringSom": code(
                    "tilknyttetregistreringsom", dokument.tilknyttet_registrering_som
                ),
                "dokumentnummer": dokument.dokumentnummer,
                "tilknyttetDato": moment(dokument.tilknyttet_dato),
                "tilknyttetAv": dokument.tilknyttet_av,
                "skjerming": skjerming(dokument.skjerming),
                "opprettetDato": moment(dokument.opprettet_dato),
                "opprettetAv": dokument.opprettet_av,
            }
        )

    def relations(self, dokument: Dokumentbeskrivelse, links: Links) -> dict[str, str]:
        post = dokument.journalpost.system_id
        return {
            rel(ARKIVSTRUKTUR, "registrering"): links.instance("arkivstruktur/registrering", post),
            rel(SAKARKIV, "journalpost"): links.instance(JOURNALPOST, post),
            rel(ARKIVSTRUKTUR, "fil"): links.under(self.key, dokument.system_id, FILE_OF_DESCRIPTION),
        }

    def children(self, dokument: Dokumentbeskrivelse) -> list[Child]:
        return [
            Child(
                "dokumentobjekt",
                DOKUMENTOBJEKT,
                lambda dokument, handler: (
                    REGISTRY[DOKUMENTOBJEKT].rows(handler).filter(dokumentbeskrivelse=dokument)
                ),
            )
        ]

    def creations(self, dokument: Dokumentbeskrivelse) -> list[Creation]:
        return [
            Creation(
                "ny-dokumentobjekt",
                DOKUMENTOBJEKT,
                template=object_template,
                create=create_object,
                allowed=lambda dokument, handler: _open(
                    dokument.journalpost, require_open_for_documents, handler
                ),
            )
        ]

    def update(self, dokument: Dokumentbeskrivelse, handler: Saksbehandler, values: dict, request) -> Model:
        read.refuse_other(values, {"tittel", "dokumenttype"})
        return documents.change_document(
            dokument,
            handler,
            tittel=read.text(values, "tittel", required=True) if "tittel" in values else None,
            dokumenttype=read.kode(values, "dokumenttype", Dokumentbeskrivelse.Dokumenttype.values),
            request=request,
        )

    def delete(self, dokument: Dokumentbeskrivelse, handler: Saksbehandler, request) -> None:
        documents.remove_document(dokument, handler, request=request)

    def actions(self) -> dict[str, Action]:
        return {FILE_OF_DESCRIPTION: FileToDescription()}


def description_template(journalpost: Journalpost, handler: Saksbehandler) -> Template:
    has_main = journalpost.dokumenter.filter(tilknyttet_registrering_som="H").exists()
    return Template(
        {
            "dokumenttype": code("dokumenttype", Dokumentbeskrivelse.Dokumenttype.BREV),
            "dokumentstatus": code("dokumentstatus", Dokumentbeskrivelse.Status.UNDER_REDIGERING),
            "tilknyttetRegistreringSom": code("tilknyttetregistreringsom", "V" if has_main else "H"),
            "dokumentmedium": code("dokumentmedium", "E"),
        },
        code_lists=("dokumenttype", "dokumentstatus", "tilknyttetregistreringsom", "dokumentmedium"),
    )


def create_description(journalpost: Journalpost, handler: Saksbehandler, values: dict, request):
    read.refuse_other(values, DESCRIPTION_FIELDS)
    # A new document is under editing until its journal post is finalised; the archive sets F then.
    read.kode(values, "dokumentstatus", [Dokumentbeskrivelse.Status.UNDER_REDIGERING])
    read.kode(values, "dokumentmedium", ["E"])
    return documents.describe_document(
        journalpost,
        handler,
        tittel=read.text(values, "tittel", required=True),
        dokumenttype=read.kode(
            values,
            "dokumenttype",
            Dokumentbeskrivelse.Dokumenttype.values,
            default=Dokumentbeskrivelse.Dokumenttype.BREV,
        ),
        tilknyttet_registrering_som=read.kode(
            values, "tilknyttetRegistreringSom", Dokumentbeskrivelse.Tilknytning.values
        ),
        request=request,
    )


def description_creations(journalpost: Journalpost) -> list[Creation]:
    return [
        Creation(
            "ny-dokumentbeskrivelse",
            DOKUMENTBESKRIVELSE,
            template=description_template,
            create=create_description,
            allowed=lambda journalpost, handler: (
                _open(journalpost, require_editable)
                and _open(journalpost, require_open_for_documents, handler)
            ),
        )
    ]


def description_children(journalpost: Journalpost) -> list[Child]:
    return [
        Child(
            "dokumentbeskrivelse",
            DOKUMENTBESKRIVELSE,
            lambda journalpost, handler: (
                REGISTRY[DOKUMENTBESKRIVELSE].rows(handler).filter(journalpost=journalpost)
            ),
        )
    ]


# ---- dokumentobjekt ---------------------------------------------------------------------------------


@register
class DokumentobjektResource(Resource):
    package = ARKIVSTRUKTUR
    name = "dokumentobjekt"
    fields = {
        "systemID": Field("system_id", "uuid"),
        "versjonsnummer": Field("versjonsnummer", "integer"),
        "variantformat": Field("variantformat", "text"),
        "variantformat/kode": Field("variantformat", "text"),
        "format": Field("format", "text"),
        "format/kode": Field("format", "text"),
        "filnavn": Field("filnavn", "text"),
        "filstoerrelse": Field("filstoerrelse", "integer"),
        "sjekksum": Field("sjekksum", "text"),
        "opprettetDato": Field("opprettet_dato", "datetime"),
        "dokumentbeskrivelse/systemID": Field("dokumentbeskrivelse__system_id", "uuid"),
    }
    search = ("filnavn",)
    order = ("dokumentbeskrivelse_id", "versjonsnummer", "variantformat")

    def rows(self, handler: Saksbehandler) -> QuerySet:
        return Dokumentobjekt.objects.filter(dokumentbeskrivelse__in=dokumenter_for(handler)).select_related(
            "dokumentbeskrivelse"
        )

    def represent(self, version: Dokumentobjekt, links: Links) -> dict:
        filed = bool(version.fil)
        return present(
            {
                "systemID": str(version.system_id),
                "versjonsnummer": version.versjonsnummer,
                "variantformat": code("variantformat", version.variantformat),
                "format": code("format", version.format),
                "formatDetaljer": version.format_detaljer,
                "filnavn": version.filnavn,
                "filstoerrelse": version.filstoerrelse,
                "mimeType": documents.MIME_TYPE if filed else None,
                "sjekksum": version.sjekksum,
                "sjekksumAlgoritme": documents.CHECKSUM_ALGORITHM if version.sjekksum else None,
                "referanseDokumentfil": links.under(self.key, version.system_id, FILE_OF_OBJECT)
                if filed
                else None,
                "opprettetDato": moment(version.opprettet_dato),
                "opprettetAv": version.opprettet_av,
            }
        )

    def relations(self, version: Dokumentobjekt, links: Links) -> dict[str, str]:
        return {
            rel(ARKIVSTRUKTUR, "dokumentbeskrivelse"): links.instance(
                DOKUMENTBESKRIVELSE, version.dokumentbeskrivelse.system_id
            ),
            rel(ARKIVSTRUKTUR, "fil"): links.under(self.key, version.system_id, FILE_OF_OBJECT),
        }

    def delete(self, version: Dokumentobjekt, handler: Saksbehandler, request) -> None:
        documents.remove_awaited(version, handler, request=request)

    def actions(self) -> dict[str, Action]:
        return {FILE_OF_OBJECT: FileOfObject()}


def object_template(dokument: Dokumentbeskrivelse, handler: Saksbehandler) -> Template:
    last = dokument.versjoner.order_by("-versjonsnummer").values_list("versjonsnummer", flat=True).first()
    return Template(
        {
            "versjonsnummer": (last or 0) + 1,
            "variantformat": code("variantformat", Dokumentobjekt.Variantformat.PRODUKSJON),
            "mimeType": documents.MIME_TYPE,
            "sjekksumAlgoritme": documents.CHECKSUM_ALGORITHM,
        },
        code_lists=("variantformat", "format"),
    )


def create_object(dokument: Dokumentbeskrivelse, handler: Saksbehandler, values: dict, request):
    """A pending object: the version after the last, waiting for its file. The version number is the
    archive's to give; a client that sends one must send that one."""
    read.refuse_other(values, OBJECT_FIELDS)
    last = dokument.versjoner.order_by("-versjonsnummer").values_list("versjonsnummer", flat=True).first()
    wanted = read.whole(values, "versjonsnummer", lowest=1, highest=32767)
    if wanted is not None and wanted != (last or 0) + 1:
        raise services.InvalidInput(
            _("versjonsnummer is the next version, %(next)s.") % {"next": (last or 0) + 1}
        )
    mime_type = read.text(values, "mimeType", max_length=100)
    if mime_type and mime_type != documents.MIME_TYPE:
        raise services.InvalidInput(_("The archive takes PDF files: mimeType is application/pdf."))
    algorithm = read.text(values, "sjekksumAlgoritme", max_length=20)
    if algorithm and algorithm.upper() != documents.CHECKSUM_ALGORITHM:
        raise services.InvalidInput(_("sjekksumAlgoritme is SHA-256."))
    if values.get("format") is not None:
        raise services.InvalidInput(_("format is what the archive finds the file to be: leave it out."))
    return documents.await_file(
        dokument,
        handler,
        variantformat=read.kode(
            values,
            "variantformat",
            [Dokumentobjekt.Variantformat.PRODUKSJON, Dokumentobjekt.Variantformat.ARKIV],
            default=Dokumentobjekt.Variantformat.PRODUKSJON,
        ),
        filnavn=read.text(values, "filnavn", max_length=500),
        sjekksum=read.text(values, "sjekksum", max_length=64),
        filstoerrelse=read.whole(values, "filstoerrelse", lowest=0),
        request=request,
    )


# ---- the file -------------------------------------------------------------------------------------


def uploaded(view) -> tuple[bytes, str]:
    """The raw body of a file POST and the name its Content-Disposition gives (if any), refused before
    it is read when it is not a PDF (415), is a transfer in parts (501) or is larger than one transfer
    may be (403)."""
    request = view.request
    if any(request.headers.get(header) for header in CHUNKED):
        raise NotImplementedHere(
            _(
                "Transfers in parts (X-Upload-Content-Length, Content-Range) are not supported: "
                "POST the whole file, at most %(size)s."
            )
            % {"size": filesizeformat(settings.SAKSARKIV_MAX_DOCUMENT_BYTES)}
        )
    media_type = (request.content_type or "").split(";")[0].strip().lower()
    if media_type != documents.MIME_TYPE:
        raise Noark5Error(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            _("The archive takes PDF files: send the file with Content-Type application/pdf."),
        )
    limit = settings.SAKSARKIV_MAX_DOCUMENT_BYTES
    too_large = Noark5Error(
        status.HTTP_403_FORBIDDEN,
        _("The file is too large to be transferred as one small file: at most %(size)s (bulkgrense).")
        % {"size": filesizeformat(limit)},
    )
    if content_length(request) > limit:
        raise too_large
    stream = request.stream
    content = stream.read(limit + 1) if stream is not None else b""
    if len(content) > limit:
        raise too_large
    if not content:
        raise services.InvalidInput(_("The request has no file."))
    return content, file_name(request.headers.get("Content-Disposition", ""))


def file_name(content_disposition: str) -> str:
    if not content_disposition:
        return ""
    try:
        _value, parameters = parse_header_parameters(content_disposition)
    except ValueError:
        parameters = {}
    name = parameters.get("filename", "")
    if not name or any(ord(character) < 32 for character in name):
        raise services.InvalidInput(
            _('The Content-Disposition header is not valid; send attachment; filename="name.pdf".')
        )
    return name


class FileToDescription(Action):
    """POST .../dokumentbeskrivelse/<id>/fil: the file becomes the description's next version, answered
    as its dokumentobjekt (the standard's "Eksempel på oppretting fra dokumentbeskrivelse")."""

    def post(self, view, dokument: Dokumentbeskrivelse):
        content, filnavn = uploaded(view)
        with transaction.atomic():
            version = documents.await_file(dokument, view.handler, request=view.request)
            version = documents.receive_file(
                version, view.handler, content=content, filnavn=filnavn, request=view.request
            )
        return view.answer(REGISTRY[DOKUMENTOBJEKT], version, status.HTTP_201_CREATED)


class FileOfObject(Action):
    """GET streams the object's file with its MIME type; POST gives a waiting object its file."""

    def get(self, view, version: Dokumentobjekt):
        if not accepts(view.request.headers.get("Accept", ""), documents.MIME_TYPE):
            raise Noark5Error(
                status.HTTP_406_NOT_ACCEPTABLE,
                _("The file is %(type)s: accept it or */*.") % {"type": documents.MIME_TYPE},
            )
        file = documents.open_version(view.handler, version, request=view.request)
        return FileResponse(file, content_type=documents.MIME_TYPE, filename=version.filnavn)

    def post(self, view, version: Dokumentobjekt):
        if version.fil:
            raise services.RecordFinalised(
                _("The file of a document object cannot be overwritten; create a new document object.")
            )
        content, filnavn = uploaded(view)
        with transaction.atomic():
            version = documents.receive_file(
                version, view.handler, content=content, filnavn=filnavn, request=view.request
            )
        return view.answer(REGISTRY[DOKUMENTOBJEKT], version, status.HTTP_201_CREATED)

    def put(self, view, version: Dokumentobjekt):
        raise NotImplementedHere(
            _("Transfers in parts are not supported: POST the whole file, at most %(size)s.")
            % {"size": filesizeformat(settings.SAKSARKIV_MAX_DOCUMENT_BYTES)}
        )


def accepts(accept: str, media_type: str) -> bool:
    """Whether an Accept header takes the file: no header, */*, type/* or the type itself."""
    if not accept.strip():
        return True
    kind = media_type.split("/")[0]
    for offered in accept.split(","):
        value = offered.split(";")[0].strip().lower()
        if value in ("*/*", f"{kind}/*", media_type):
            return True
    return False


extend(JOURNALPOST, children=description_children, creations=description_creations)
