"""Documents on a journal post: a description (main document or attachment) and its versions
(dokumentobjekt) with a SHA-256 checksum. A finalised document is changed only by a new version.

Each version is kept in the archive format, PDF/A (variantformat A), the one shown and deposited. An
upload that already is PDF/A is stored once, as A; any other PDF is kept as it came (variantformat P,
produksjonsformat) beside its conversion to PDF/A-2b (services/pdfa.py). Formats are PRONOM ids."""

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
from saksarkiv.services.errors import InvalidInput

logger = logging.getLogger(__name__)

FALLBACK_FILENAME = "dokument.pdf"
ARKIV, PRODUKSJON = Dokumentobjekt.Variantformat.ARKIV, Dokumentobjekt.Variantformat.PRODUKSJON


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
    if hoveddokument and journalpost.dokumenter.filter(tilknyttet_registrering_som="H").exists():
        raise InvalidInput(_("The journal post already has a main document; add this as an attachment."))
    if not hoveddokument and not journalpost.dokumenter.filter(tilknyttet_registrering_som="H").exists():
        raise InvalidInput(_("Add the main document first."))
    last = (
        journalpost.dokumenter.order_by("-dokumentnummer").values_list("dokumentnummer", flat=True).first()
        or 0
    )
    dokument = Dokumentbeskrivelse.objects.create(
        journalpost=journalpost,
        dokumentnummer=last + 1,
        tilknyttet_registrering_som="H" if hoveddokument else "V",
        tittel=(tittel or filnavn).strip(),
        opprettet_av=handler.user.get_username(),
        tilknyttet_av=handler.user.get_username(),
    )
    _store_version(dokument, handler, content, filnavn)
    record_change("document_added", handler, journalpost, request=request, document=dokument.tittel)
    return dokument


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
    record_change(
        "document_read",
        handler,
        version,
        request=request,
        dokument=version.dokumentbeskrivelse_id,
        versjonsnummer=version.versjonsnummer,
    )
    return version.fil.open("rb")


def current_version(dokument: Dokumentbeskrivelse) -> Dokumentobjekt:
    """The newest version in the archive format, the one shown as the document."""
    return find_version(dokument, None)


def find_version(
    dokument: Dokumentbeskrivelse, versjonsnummer: int | None, variantformat: str | None = None
) -> Dokumentobjekt | None:
    """A version (the newest when versjonsnummer is None) in the variant asked for, or by default
    in the archive format where it has one."""
    versions = dokument.versjoner.order_by("-versjonsnummer")
    if versjonsnummer is not None:
        versions = versions.filter(versjonsnummer=versjonsnummer)
    if variantformat:
        return versions.filter(variantformat=variantformat).first()
    return versions.filter(variantformat=ARKIV).first() or versions.first()


def current_files(journalpost: Journalpost) -> list[tuple[Dokumentbeskrivelse, bytes]]:
    """Each document's newest version, main document first, checked against its checksum."""
    files = []
    for dokument in journalpost.dokumenter.order_by("dokumentnummer"):
        version = current_version(dokument)
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
