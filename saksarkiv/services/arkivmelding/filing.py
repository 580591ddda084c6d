"""Filing an incoming arkivmelding in the receiving organisation's archive: each of its journal
posts becomes an incoming journal post (I) of the organisation's system case handler, with the
sending organisation as its sender (EA) and its documents, on the case it refers to or on a new one.
All of it in one transaction: a message is filed whole or not at all.

The case it refers to: a referanseForelderMappe, or the systemID of the mappe it is in, that names
an open case of the receiver's archive, directly or through the link the integrasjonspunkt keeps
between the sender's case and the receiver's (`linked_case`: an earlier message about the same case,
or the receiver's own case the sender answers from). The mappe's saksaar and sakssekvensnummer are
the sender's own case numbers, so they are not looked up in the receiver's archive. Anything else
(no reference, another archive's case, a closed case) gets a new case, one per mappe of the message.

A screened record or mappe is screened the same way here (its access restriction code, legal basis
and screened fields); a screening the archive cannot keep (a field code Noark 5 does not have) refuses
the message rather than file it less screened than the sender screened it."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.pdf import validate_pdf
from saksarkiv.models import Journalpost, Korrespondansepart, Saksbehandler, Saksmappe
from saksarkiv.services.access import cases_for
from saksarkiv.services.api_handler import system_handler
from saksarkiv.services.archive import add_journalpost, create_saksmappe, post_number, record_change
from saksarkiv.services.arkivmelding import reading, schema
from saksarkiv.services.documents import add_document
from saksarkiv.services.editing import screening
from saksarkiv.services.errors import InvalidInput, SaksarkivError
from saksarkiv.services.parties import add_party
from virksomheter.models import Organisation

TITLE_MAX = 500
# Journal posts in one message: a case system sends one, or a few; a message is filed in one
# transaction, so this bounds what one send may ask of the archive.
MAX_RECORDS = 100
NAME_MAX = 200
COPY_RECIPIENT = "Kopimottaker"
SENDER = "Avsender"


class MissingDocumentFile(SaksarkivError):
    """The arkivmelding names a file the message does not carry."""

    code = "missing_document_file"

    def __init__(self, filenames: list[str]):
        super().__init__(
            _("The arkivmelding names files the message does not have: %(names)s")
            % {"names": ", ".join(filenames)}
        )
        self.filenames = filenames


@dataclass(frozen=True)
class Filed:
    """The journal posts one arkivmelding was filed as, in its order, and the case each of the
    sender's cases (its mappe systemID) was filed on."""

    journalposts: list[Journalpost]
    cases: dict[str, uuid.UUID] = field(default_factory=dict)

    @property
    def references(self) -> list[str]:
        return [post_number(journalpost) for journalpost in self.journalposts]


def _check_files(melding: reading.Melding, files: dict[str, bytes]) -> None:
    """Every file the arkivmelding names is there and is a PDF the archive takes, checked before
    anything is written (the archive keeps PDF only; a bomb or a script is refused here)."""
    missing = sorted({name for name in melding.filenames if name not in files})
    if missing:
        raise MissingDocumentFile(missing)
    for name in dict.fromkeys(melding.filenames):
        content = files[name]
        if len(content) > settings.SAKSARKIV_MAX_DOCUMENT_BYTES:
            raise InvalidInput(_("%(name)s is too large for the archive.") % {"name": name})
        try:
            validate_pdf(content, name)
        except ValidationError as error:
            raise InvalidInput(error.messages[0]) from None


def _referred_case(handler: Saksbehandler, references: list[str]) -> Saksmappe | None:
    for reference in references:
        try:
            system_id = uuid.UUID(reference.strip("{}"))
        except ValueError:
            continue
        found = (
            cases_for(handler)
            .filter(system_id=system_id, saksstatus=Saksmappe.Status.UNDER_BEHANDLING)
            .first()
        )
        if found is not None:
            return found
    return None


def _screening(found: reading.Screening | None):
    if found is None:
        return None
    return screening(
        tilgangsrestriksjon=found.tilgangsrestriksjon,
        skjermingshjemmel=found.skjermingshjemmel,
        skjerming_metadata=list(found.skjerming_metadata),
    )


def _new_case(handler: Saksbehandler, record: reading.Record, sender: Organisation) -> Saksmappe:
    folder = record.folder
    tittel = (
        (folder.tittel if folder else "")
        or record.tittel
        or _("Arkivmelding from %(name)s") % {"name": sender.name_nb}
    )
    return create_saksmappe(
        handler,
        tittel=tittel[:TITLE_MAX],
        offentlig_tittel=((folder.offentlig_tittel if folder else "") or tittel)[:TITLE_MAX],
        skjerming=_screening(folder.skjerming if folder else None),
    )


def _add_parties(journalpost: Journalpost, handler: Saksbehandler, record: reading.Record, sender) -> None:
    own = next((party for party in record.parties if party.korrespondanseparttype == SENDER), None)
    add_party(
        journalpost,
        handler,
        korrespondanseparttype=Korrespondansepart.Type.AVSENDER,
        organisasjonsnummer=sender.organisasjonsnummer,
        kontaktperson=own.kontaktperson[:NAME_MAX] if own else "",
    )
    for party in record.parties:
        if party.korrespondanseparttype == COPY_RECIPIENT and party.navn:
            add_party(
                journalpost,
                handler,
                korrespondanseparttype=Korrespondansepart.Type.KOPIMOTTAKER,
                navn=party.navn[:NAME_MAX],
            )


@transaction.atomic
def file_arkivmelding(
    receiver: Organisation,
    *,
    sender: Organisation,
    message_id: str,
    arkivmelding: bytes,
    files: dict[str, bytes],
    linked_case: Callable[[str], uuid.UUID | None] | None = None,
) -> Filed:
    """File the message's arkivmelding.xml with its `files` (name -> bytes) in the receiver's archive.
    Raises InvalidArkivmelding, MissingDocumentFile or another SaksarkivError, and then stores nothing."""
    melding = reading.read(schema.parse(arkivmelding))
    if not melding.records:
        raise schema.InvalidArkivmelding(_("The arkivmelding has no registrering to file."))
    if len(melding.records) > MAX_RECORDS:
        raise schema.InvalidArkivmelding(
            _("The arkivmelding has more than %(max)d registreringer; send them in several messages.")
            % {"max": MAX_RECORDS}
        )
    _check_files(melding, files)
    handler = system_handler(receiver)
    new_cases: dict[str, Saksmappe] = {}
    filed, cases = [], {}
    # The archive's records are in the organisation's language, whoever sent the message.
    with override(settings.LANGUAGE_CODE):
        for record in melding.records:
            references = list(record.case_references)
            if linked_case is not None:
                references += [str(found) for ref in record.case_references if (found := linked_case(ref))]
            case = _referred_case(handler, references)
            if case is None:
                key = record.folder.system_id if record.folder else record.system_id
                if key not in new_cases:
                    new_cases[key] = _new_case(handler, record, sender)
                case = new_cases[key]
            tittel = (record.tittel or case.tittel)[:TITLE_MAX]
            journalpost = add_journalpost(
                case,
                handler,
                journalposttype=Journalpost.Type.INNGAAENDE,
                tittel=tittel,
                offentlig_tittel=(record.offentlig_tittel or tittel)[:TITLE_MAX],
                dokumentdato=record.dokumentets_dato,
                skjerming=_screening(record.skjerming),
            )
            _add_parties(journalpost, handler, record, sender)
            for document in record.documents:
                add_document(
                    journalpost,
                    handler,
                    tittel=(document.tittel or document.filename)[:TITLE_MAX],
                    content=files[document.filename],
                    filnavn=document.filename,
                    hoveddokument=document.hoveddokument,
                )
            record_change(
                "arkivmelding_filed",
                handler,
                journalpost,
                sender=sender.organisasjonsnummer,
                message_id=str(message_id),
                sender_system_id=record.system_id,
            )
            filed.append(journalpost)
            sender_case = record.folder.system_id if record.folder else next(iter(record.case_references), "")
            if sender_case:
                cases[sender_case] = case.system_id
    return Filed(filed, cases)


def receive(
    sender, *, receiver, from_organisation, message_id, arkivmelding, files, linked_case=None, **kwargs
) -> Filed:
    """The receiver of eformidling's arkivmelding_received: every organisation in Felles keeps its
    archive here, so the archive files every arkivmelding the integrasjonspunkt delivers."""
    return file_arkivmelding(
        receiver,
        sender=from_organisation,
        message_id=message_id,
        arkivmelding=arkivmelding,
        files=files,
        linked_case=linked_case,
    )
