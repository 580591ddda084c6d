"""Documents on a journal post: a description (main document or attachment) and its versions
(dokumentobjekt) with a SHA-256 checksum. A finalised document is changed only by a new version."""

import hashlib
import os
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.pdf import validate_pdf
from saksarkiv.models import Dokumentbeskrivelse, Dokumentobjekt, Journalpost, Saksbehandler
from saksarkiv.services.archive import record_change, require_editable
from saksarkiv.services.errors import InvalidInput

FALLBACK_FILENAME = "dokument.pdf"


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


def _store_version(
    dokument: Dokumentbeskrivelse, handler: Saksbehandler, content: bytes, filnavn: str
) -> Dokumentobjekt:
    last = (
        dokument.versjoner.order_by("-versjonsnummer").values_list("versjonsnummer", flat=True).first() or 0
    )
    version = Dokumentobjekt(
        dokumentbeskrivelse=dokument,
        versjonsnummer=last + 1,
        format="fmt/276",
        sjekksum=hashlib.sha256(content).hexdigest(),
        filstoerrelse=len(content),
        filnavn=filnavn,
        opprettet_av=handler.user.get_username(),
    )
    version.fil.save(f"{dokument.system_id}-v{last + 1}.pdf", ContentFile(content), save=False)
    version.save()
    return version


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
    require_editable(journalpost)
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
    )
    _store_version(dokument, handler, content, filnavn)
    record_change("document_added", handler, journalpost, request=request, document=dokument.tittel)
    return dokument


@transaction.atomic
def new_version(
    dokument: Dokumentbeskrivelse, handler: Saksbehandler, *, content: bytes, filnavn: str, request=None
) -> Dokumentobjekt:
    """The way to change a document, finalised or not: the old versions stay."""
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
    return dokument.versjoner.order_by("-versjonsnummer").first()


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
