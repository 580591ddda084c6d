"""Documents on a journal post: a description (main document or attachment) and its versions
(dokumentobjekt) with a SHA-256 checksum. A finalised document is changed only by a new version.

Each version is kept in the archive format, PDF/A (variantformat A), the one shown and deposited. An
upload that already is PDF/A is stored once, as A; any other PDF is kept as it came (variantformat P,
produksjonsformat) beside its conversion to PDF/A-2b (services/pdfa.py). Formats are PRONOM ids.

The Noark 5 interface builds a document in steps (chapter 6, "Hente og overføre filer"): the description
first (describe_document), then an object that waits for its file (await_file), then the file
(receive_file). Until its file comes such an object is no version: every reader skips it (find_version,
current_files, open_version), a journal post is not finalised while one of its documents has no file."""

import hashlib
import logging
import os
import re
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.pdf import validate_pdf
from saksarkiv.models import Dokumentbeskrivelse, Dokumentobjekt, Journalpost, Saksbehandler
from saksarkiv.services import pdfa
from saksarkiv.services.archive import record_change, require_editable, require_open_for_documents
from saksarkiv.services.errors import InvalidInput, NotFound, RecordFinalised

logger = logging.getLogger(__name__)

FALLBACK_FILENAME = "dokument.pdf"
ARKIV, PRODUKSJON = Dokumentobjekt.Variantformat.ARKIV, Dokumentobjekt.Variantformat.PRODUKSJON
HOVEDDOKUMENT, VEDLEGG = (
    Dokumentbeskrivelse.Tilknytning.HOVEDDOKUMENT,
    Dokumentbeskrivelse.Tilknytning.VEDLEGG,
)
MIME_TYPE = "application/pdf"
CHECKSUM_ALGORITHM = "SHA-256"
SHA256 = re.compile(r"[0-9a-f]{64}")


def _file_name(filnavn: str) -> str:
    """The name as the archive keeps it: without any folders a client sent along (a browser or a
    system may send a full path), and short enough for the column, keeping its extension."""
    name = re.split(r"[/\\]", filnavn)[-1].strip() or FALLBACK_FILENAME
    longest = Dokumentobjekt._meta.get_field("filnavn").max_length
    if len(name) <= longest:
        return name
    stem, extension = os.path.splitext(name)
    extension = extension[:10]
    return stem[: longest - len(extension)] + extension


def _checked(content: bytes, filnavn: str) -> None:
    if len(content) > settings.SAKSARKIV_MAX_DOCUMENT_BYTES:
        raise InvalidInput(
            _("%(name)s is larger than %(size)s.")
            % {"name": filnavn, "size": filesizeformat(settings.SAKSARKIV_MAX_DOCUMENT_BYTES)}
        )
    try:
        validate_pdf(content, filnavn)
    except ValidationError as error:
        raise InvalidInput(error.messages[0]) from None


class Variant(NamedTuple):
    variantformat: str
    content: bytes
    format: str  # a PRONOM id
    details: str


def _variants(content: bytes, filnavn: str) -> list[Variant]:
    """Each file a version keeps: the upload alone when it is PDF/A, else the upload (P) and its
    conversion (A). Raises InvalidInput when the file cannot be made PDF/A."""
    level = pdfa.pdfa_level(content)
    if level is not None:
        return [Variant(ARKIV, content, level.format, level.name)]
    try:
        converted = pdfa.convert_to_pdfa(content)
    except pdfa.ConversionFailed as failure:
        logger.warning("PDF/A conversion of %s failed: %s", filnavn, failure.reason)
        raise InvalidInput(
            _(
                "%(name)s could not be converted to PDF/A, the archive format. Save it as PDF/A and upload it again."
            )
            % {"name": filnavn}
        ) from None
    version = pdfa.header_version(content)
    return [
        Variant(PRODUKSJON, content, pdfa.pdf_format(content), f"PDF {version}" if version else "PDF"),
        Variant(
            ARKIV,
            converted,
            pdfa.PDFA_2B.format,
            f"{pdfa.PDFA_2B.name} (Ghostscript {pdfa.ghostscript_version()})",
        ),
    ]


def _store_version(
    dokument: Dokumentbeskrivelse, handler: Saksbehandler, content: bytes, filnavn: str
) -> Dokumentobjekt:
    """Store one version in each of its variants; returns the archive variant. Conversion runs
    before anything is written, and files written before a later step fails are removed."""
    variants = _variants(content, filnavn)
    last = (
        dokument.versjoner.order_by("-versjonsnummer").values_list("versjonsnummer", flat=True).first() or 0
    )
    stored = []
    try:
        for variantformat, data, format_id, details in variants:
            version = Dokumentobjekt(
                dokumentbeskrivelse=dokument,
                versjonsnummer=last + 1,
                variantformat=variantformat,
                format=format_id,
                format_detaljer=details,
                sjekksum=hashlib.sha256(data).hexdigest(),
                filstoerrelse=len(data),
                filnavn=filnavn,
                opprettet_av=handler.user.get_username(),
            )
            suffix = "" if variantformat == ARKIV else f"-{variantformat}"
            version.fil.save(f"{dokument.system_id}-v{last + 1}{suffix}.pdf", ContentFile(data), save=False)
            stored.append(version)
            version.save()
    except BaseException:
        for version in stored:
            version.fil.delete(save=False)
        raise
    return stored[-1]


def _locked(journalpost: Journalpost) -> Journalpost:
    """The post and its case as they are now, the post locked: a case closed or a post archived
    a moment ago takes no document, whatever the caller read before."""
    return (
        Journalpost.objects.select_for_update(of=("self",)).select_related("saksmappe").get(pk=journalpost.pk)
    )


@transaction.atomic
def add_document(
    journalpost: Journalpost,
    handler: Saksbehandler,
    *,
    tittel: str,
    content: bytes,
    filnavn: str,
    hoveddokument: bool,
    request=None,
) -> Dokumentbeskrivelse:
    journalpost = _locked(journalpost)
    require_editable(journalpost)
    require_open_for_documents(journalpost, handler)
    filnavn = _file_name(filnavn)
    _checked(content, filnavn)
    dokument = _describe(
        journalpost,
        handler,
        tittel=(tittel or filnavn).strip(),
        main=HOVEDDOKUMENT if hoveddokument else VEDLEGG,
    )
    _store_version(dokument, handler, content, filnavn)
    record_change("document_added", handler, journalpost, request=request, document=dokument.tittel)
    return dokument


def _describe(
    journalpost: Journalpost,
    handler: Saksbehandler,
    *,
    tittel: str,
    main: str,
    dokumenttype: str = Dokumentbeskrivelse.Dokumenttype.BREV,
) -> Dokumentbeskrivelse:
    """The next description of a locked journal post: one main document, attachments after it."""
    has_main = journalpost.dokumenter.filter(tilknyttet_registrering_som=HOVEDDOKUMENT).exists()
    if main == HOVEDDOKUMENT and has_main:
        raise InvalidInput(_("The journal post already has a main document; add this as an attachment."))
    if main == VEDLEGG and not has_main:
        raise InvalidInput(_("Add the main document first."))
    last = (
        journalpost.dokumenter.order_by("-dokumentnummer").values_list("dokumentnummer", flat=True).first()
        or 0
    )
    return Dokumentbeskrivelse.objects.create(
        journalpost=journalpost,
        dokumentnummer=last + 1,
        tilknyttet_registrering_som=main,
        dokumenttype=dokumenttype,
        tittel=tittel,
        opprettet_av=handler.user.get_username(),
        tilknyttet_av=handler.user.get_username(),
    )


@transaction.atomic
def describe_document(
    journalpost: Journalpost,
    handler: Saksbehandler,
    *,
    tittel: str,
    dokumenttype: str = Dokumentbeskrivelse.Dokumenttype.BREV,
    tilknyttet_registrering_som: str | None = None,
    request=None,
) -> Dokumentbeskrivelse:
    """A document described before its file comes (its status B, under editing): the main document when
    the post has none yet, else an attachment, unless the caller says which."""
    journalpost = _locked(journalpost)
    require_editable(journalpost)
    require_open_for_documents(journalpost, handler)
    tittel = (tittel or "").strip()
    if not tittel:
        raise InvalidInput(_("A document needs a title."))
    if dokumenttype not in Dokumentbeskrivelse.Dokumenttype.values:
        raise InvalidInput(_("%(code)s is not a document type.") % {"code": dokumenttype})
    if tilknyttet_registrering_som is None:
        has_main = journalpost.dokumenter.filter(tilknyttet_registrering_som=HOVEDDOKUMENT).exists()
        tilknyttet_registrering_som = VEDLEGG if has_main else HOVEDDOKUMENT
    dokument = _describe(
        journalpost, handler, tittel=tittel, main=tilknyttet_registrering_som, dokumenttype=dokumenttype
    )
    record_change("document_added", handler, journalpost, request=request, document=dokument.tittel)
    return dokument


@transaction.atomic
def change_document(
    dokument: Dokumentbeskrivelse,
    handler: Saksbehandler,
    *,
    tittel: str | None = None,
    dokumenttype: str | None = None,
    request=None,
) -> Dokumentbeskrivelse:
    """A document's title and type change while its journal post is not finalised."""
    require_editable(_locked(dokument.journalpost))
    changes = {}
    if tittel is not None:
        tittel = tittel.strip()
        if not tittel:
            raise InvalidInput(_("A document needs a title."))
        changes["tittel"] = [dokument.tittel, tittel]
        dokument.tittel = tittel
    if dokumenttype is not None:
        if dokumenttype not in Dokumentbeskrivelse.Dokumenttype.values:
            raise InvalidInput(_("%(code)s is not a document type.") % {"code": dokumenttype})
        changes["dokumenttype"] = [dokument.dokumenttype, dokumenttype]
        dokument.dokumenttype = dokumenttype
    changes = {field: values for field, values in changes.items() if values[0] != values[1]}
    if changes:
        dokument.save(update_fields=list(changes))
        record_change(
            "document_changed", handler, dokument.journalpost, request=request, document=dokument.tittel,
            changes=changes,
        )  # fmt: skip
    return dokument


@transaction.atomic
def remove_document(dokument: Dokumentbeskrivelse, handler: Saksbehandler, *, request=None) -> None:
    """A document that never got a file goes while its journal post is not finalised (the standard: a
    document under editing may be deleted); one with a filed version stays, as archived records do."""
    require_editable(_locked(dokument.journalpost))
    if dokument.versjoner.exclude(fil="").exists():
        raise RecordFinalised(
            _("%(title)s has a file in the archive and cannot be deleted; add a new version instead.")
            % {"title": dokument.tittel}
        )
    record_change(
        "document_removed", handler, dokument.journalpost, request=request, document=dokument.tittel
    )
    dokument.delete()


@transaction.atomic
def await_file(
    dokument: Dokumentbeskrivelse,
    handler: Saksbehandler,
    *,
    variantformat: str = PRODUKSJON,
    filnavn: str = "",
    sjekksum: str = "",
    filstoerrelse: int | None = None,
    request=None,
) -> Dokumentobjekt:
    """The document's next version, waiting for its file. What the caller declares of the file (its
    name, checksum and size) is kept and checked when the file comes (receive_file). One object waits
    at a time per document."""
    require_open_for_documents(_locked(dokument.journalpost), handler)
    if variantformat not in (PRODUKSJON, ARKIV):
        raise InvalidInput(_("A new version is in the production (P) or the archive format (A)."))
    sjekksum = (sjekksum or "").strip().lower()
    if sjekksum and not SHA256.fullmatch(sjekksum):
        raise InvalidInput(_("sjekksum must be a SHA-256 checksum: 64 hexadecimal digits."))
    if filstoerrelse is not None and not 0 < filstoerrelse <= settings.SAKSARKIV_MAX_DOCUMENT_BYTES:
        raise InvalidInput(
            _("filstoerrelse must be from 1 to %(limit)s bytes, the archive's limit for one file.")
            % {"limit": settings.SAKSARKIV_MAX_DOCUMENT_BYTES}
        )
    if dokument.versjoner.filter(fil="").exists():
        raise RecordFinalised(
            _("%(title)s already has a document object waiting for its file: upload to it or delete it.")
            % {"title": dokument.tittel}
        )
    last = (
        dokument.versjoner.order_by("-versjonsnummer").values_list("versjonsnummer", flat=True).first() or 0
    )
    version = Dokumentobjekt.objects.create(
        dokumentbeskrivelse=dokument,
        versjonsnummer=last + 1,
        variantformat=variantformat,
        filnavn=_file_name(filnavn) if filnavn else "",
        sjekksum=sjekksum,
        filstoerrelse=filstoerrelse,
        opprettet_av=handler.user.get_username(),
    )
    record_change(
        "document_version_awaited", handler, dokument.journalpost, request=request, document=dokument.tittel,
        version=version.versjonsnummer,
    )  # fmt: skip
    return version


@transaction.atomic
def receive_file(
    version: Dokumentobjekt, handler: Saksbehandler, *, content: bytes, filnavn: str = "", request=None
) -> Dokumentobjekt:
    """The file of an object that waits for it, checked against what was declared (a different size,
    checksum or name is refused and nothing is stored) and as every upload is. The object keeps the file as
    it came: in the archive format (A) when it is PDF/A, else as produced (P) with its PDF/A conversion
    beside it as the same version's archive variant. A filled object is never overwritten."""
    version = (
        Dokumentobjekt.objects.select_for_update().select_related("dokumentbeskrivelse").get(pk=version.pk)
    )
    dokument = version.dokumentbeskrivelse
    require_open_for_documents(_locked(dokument.journalpost), handler)
    if version.fil:
        raise RecordFinalised(
            _("The file of a document object cannot be overwritten; create a new document object.")
        )
    filnavn = _file_name(filnavn) if filnavn else ""
    if version.filnavn and filnavn and filnavn != version.filnavn:
        raise InvalidInput(
            _("The file is named %(given)s, the document object %(declared)s.")
            % {"given": filnavn, "declared": version.filnavn}
        )
    if version.filstoerrelse is not None and version.filstoerrelse != len(content):
        raise InvalidInput(
            _("The file has %(size)s bytes, the document object declares %(declared)s.")
            % {"size": len(content), "declared": version.filstoerrelse}
        )
    sjekksum = hashlib.sha256(content).hexdigest()
    if version.sjekksum and version.sjekksum != sjekksum:
        raise InvalidInput(_("The file's SHA-256 checksum is not the one the document object declares."))
    filnavn = version.filnavn or filnavn or FALLBACK_FILENAME
    _checked(content, filnavn)
    variants = _variants(content, filnavn)
    uploaded, converted = variants[0], (variants[1] if len(variants) > 1 else None)
    stored = []
    try:
        version.variantformat, version.format, version.format_detaljer = (
            uploaded.variantformat,
            uploaded.format,
            uploaded.details,
        )
        version.sjekksum, version.filstoerrelse, version.filnavn = sjekksum, len(content), filnavn
        suffix = "" if uploaded.variantformat == ARKIV else f"-{uploaded.variantformat}"
        version.fil.save(f"{dokument.system_id}-v{version.versjonsnummer}{suffix}.pdf", ContentFile(content))
        stored.append(version)
        if converted is not None:
            archived = Dokumentobjekt(
                dokumentbeskrivelse=dokument,
                versjonsnummer=version.versjonsnummer,
                variantformat=ARKIV,
                format=converted.format,
                format_detaljer=converted.details,
                sjekksum=hashlib.sha256(converted.content).hexdigest(),
                filstoerrelse=len(converted.content),
                filnavn=filnavn,
                opprettet_av=handler.user.get_username(),
            )
            archived.fil.save(
                f"{dokument.system_id}-v{version.versjonsnummer}.pdf", ContentFile(converted.content)
            )
            stored.append(archived)
    except BaseException:
        for done in stored:
            done.fil.delete(save=False)
        raise
    record_change(
        "document_version_added", handler, dokument.journalpost, request=request, document=dokument.tittel,
        version=version.versjonsnummer,
    )  # fmt: skip
    return version


@transaction.atomic
def remove_awaited(version: Dokumentobjekt, handler: Saksbehandler, *, request=None) -> None:
    """An object still waiting for its file may be deleted (to upload again, as the standard says);
    one with its file is an archived version and stays."""
    version = (
        Dokumentobjekt.objects.select_for_update().select_related("dokumentbeskrivelse").get(pk=version.pk)
    )
    require_open_for_documents(_locked(version.dokumentbeskrivelse.journalpost), handler)
    if version.fil:
        raise RecordFinalised(_("A document object with its file is archived and cannot be deleted."))
    record_change(
        "document_version_removed", handler, version.dokumentbeskrivelse.journalpost, request=request,
        document=version.dokumentbeskrivelse.tittel, version=version.versjonsnummer,
    )  # fmt: skip
    version.delete()


@transaction.atomic
def new_version(
    dokument: Dokumentbeskrivelse, handler: Saksbehandler, *, content: bytes, filnavn: str, request=None
) -> Dokumentobjekt:
    """The way to change a document, finalised or not: the old versions stay. Not in a closed case,
    nor (but for the archive leader) in a post that is journalført or dispatched, nor in an archived
    one."""
    require_open_for_documents(_locked(dokument.journalpost), handler)
    filnavn = _file_name(filnavn)
    _checked(content, filnavn)
    version = _store_version(dokument, handler, content, filnavn)
    record_change(
        "document_version_added", handler, dokument.journalpost, request=request, document=dokument.tittel,
        version=version.versjonsnummer,
    )  # fmt: skip
    return version


def open_version(handler: Saksbehandler, version: Dokumentobjekt, *, request=None):
    """A version's file, opened for reading by a case handler or an agency's system (found through
    the handler's own records); who read which document is in the audit trail."""
    if not version.fil:
        raise NotFound(_("The document object has no file yet."))
    record_change(
        "document_read",
        handler,
        version,
        request=request,
        dokument=version.dokumentbeskrivelse_id,
        versjonsnummer=version.versjonsnummer,
    )
    return version.fil.open("rb")


def current_version(dokument: Dokumentbeskrivelse) -> Dokumentobjekt | None:
    """The newest version in the archive format, the one shown as the document (None while the document
    waits for its first file)."""
    return find_version(dokument, None)


def find_version(
    dokument: Dokumentbeskrivelse, versjonsnummer: int | None, variantformat: str | None = None
) -> Dokumentobjekt | None:
    """A version (the newest when versjonsnummer is None) in the variant asked for, or by default
    in the archive format where it has one. An object still waiting for its file is none."""
    versions = dokument.versjoner.exclude(fil="").order_by("-versjonsnummer")
    if versjonsnummer is not None:
        versions = versions.filter(versjonsnummer=versjonsnummer)
    if variantformat:
        return versions.filter(variantformat=variantformat).first()
    return versions.filter(variantformat=ARKIV).first() or versions.first()


def current_files(journalpost: Journalpost) -> list[tuple[Dokumentbeskrivelse, bytes]]:
    """Each document's newest version, main document first, checked against its checksum. A document
    still waiting for its file stops the caller (a dispatch, say): nothing goes out without it."""
    files = []
    for dokument in journalpost.dokumenter.order_by("dokumentnummer"):
        version = current_version(dokument)
        if version is None:
            raise InvalidInput(_("%(title)s has no file yet.") % {"title": dokument.tittel})
        with version.fil.open("rb") as file:
            content = file.read()
        if hashlib.sha256(content).hexdigest() != version.sjekksum:
            raise InvalidInput(
                _("The stored file of %(title)s does not match its checksum.") % {"title": dokument.tittel}
            )
        files.append((dokument, content))
    return files


@transaction.atomic
def archive_format_for(version: Dokumentobjekt, handler: Saksbehandler) -> str:
    """Bring a version stored before PDF/A (one row, variantformat A, any PDF) into the archive
    format: a file that is PDF/A gets its PRONOM id; any other becomes the production variant (P)
    beside its PDF/A-2b conversion as the archive variant, under the same version number. Returns
    "identified", "converted" or "unchanged"; raises InvalidInput when the file is not what its
    checksum says or cannot be converted (nothing changes then)."""
    version = (
        Dokumentobjekt.objects.select_for_update().select_related("dokumentbeskrivelse").get(pk=version.pk)
    )
    dokument = version.dokumentbeskrivelse
    if (
        version.variantformat != ARKIV
        or dokument.versjoner.filter(versjonsnummer=version.versjonsnummer, variantformat=PRODUKSJON).exists()
    ):
        return "unchanged"
    with version.fil.open("rb") as file:
        content = file.read()
    if hashlib.sha256(content).hexdigest() != version.sjekksum:
        raise InvalidInput(
            _("The stored file of %(title)s does not match its checksum.") % {"title": dokument.tittel}
        )
    _checked(content, version.filnavn)
    variants = _variants(content, version.filnavn)
    if len(variants) == 1:
        (level,) = variants
        if (version.format, version.format_detaljer) == (level.format, level.details):
            return "unchanged"
        version.format, version.format_detaljer = level.format, level.details
        version.save(update_fields=["format", "format_detaljer"])
        record_change(
            "document_format_identified", handler, dokument.journalpost, document=dokument.tittel,
            version=version.versjonsnummer, format=version.format,
        )  # fmt: skip
        return "identified"
    produced, converted = variants
    version.variantformat, version.format, version.format_detaljer = (
        PRODUKSJON,
        produced.format,
        produced.details,
    )
    version.save(update_fields=["variantformat", "format", "format_detaljer"])
    archived = Dokumentobjekt(
        dokumentbeskrivelse=dokument,
        versjonsnummer=version.versjonsnummer,
        variantformat=ARKIV,
        format=converted.format,
        format_detaljer=converted.details,
        sjekksum=hashlib.sha256(converted.content).hexdigest(),
        filstoerrelse=len(converted.content),
        filnavn=version.filnavn,
        opprettet_av=handler.user.get_username(),
    )
    archived.fil.save(
        f"{dokument.system_id}-v{version.versjonsnummer}-pdfa.pdf", ContentFile(converted.content), save=False
    )
    try:
        archived.save()
        record_change(
            "document_converted", handler, dokument.journalpost, document=dokument.tittel,
            version=version.versjonsnummer, from_format=produced.format, to_format=converted.format,
        )  # fmt: skip
    except BaseException:
        archived.fil.delete(save=False)
        raise
    return "converted"
