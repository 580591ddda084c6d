"""Seamless dispatch (sømløs ekspedering): one action sends the journal post's letter to every
recipient, marks the journal post as dispatched, and brings the receipts back onto it. All or nothing
per journal post. A person gets it through Sikker digital post (which picks digital or paper); an
organisation registered in Felles gets it in its own archive, as arkivmelding through eFormidling."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.pdf import validate_pdf
from folkeregister import services as folkeregister
from folkeregister.models import Status
from kontaktregister import services as kontaktregister
from postkasse import services as postkasse
from saksarkiv.models import Journalpost, Korrespondansepart, Saksbehandler
from saksarkiv.services import arkivmelding, letters
from saksarkiv.services.archive import record_change
from saksarkiv.services.avskrivning import settle_answers
from saksarkiv.services.documents import current_files
from saksarkiv.services.errors import DispatchRefused
from saksarkiv.signals import arkivmelding_to_send
from virksomheter.services import OrganisationNotFound, get_organisation

DISPATCHABLE = (Journalpost.Status.REGISTRERT, Journalpost.Status.FERDIGSTILT, Journalpost.Status.GODKJENT)
RECEIPT_STATES = {
    "levert": Korrespondansepart.Ekspedering.LEVERT,
    "aapnet": Korrespondansepart.Ekspedering.AAPNET,
    "printet": Korrespondansepart.Ekspedering.PRINTET,
    "feilet": Korrespondansepart.Ekspedering.FEILET,
    "returpost": Korrespondansepart.Ekspedering.FEILET,
}


def _recipients(journalpost: Journalpost) -> list[Korrespondansepart]:
    recipients = list(
        journalpost.korrespondanseparter.filter(
            korrespondanseparttype__in=(
                Korrespondansepart.Type.MOTTAKER,
                Korrespondansepart.Type.KOPIMOTTAKER,
            )
        ).order_by("pk")
    )
    if not recipients:
        raise DispatchRefused(_("Add a recipient before dispatching."))
    outside = [
        party.navn
        for party in recipients
        if party.organisasjonsnummer and not in_felles(party.organisasjonsnummer)
    ]
    if outside:
        raise DispatchRefused(
            _(
                "%(names)s are not in Felles, so their archives cannot be reached through Felles' archive exchange. Send their letter another way, or remove them to dispatch."
            )
            % {"names": ", ".join(outside)}
        )
    # A party typed in by name and address has no identity number that digital post can route by.
    typed_in = [
        party.navn for party in recipients if not party.foedselsnummer and not party.organisasjonsnummer
    ]
    if typed_in:
        raise DispatchRefused(
            _(
                "%(names)s have no identity number, so digital post cannot reach them. Send their letter by post yourself, or remove them to dispatch."
            )
            % {"names": ", ".join(typed_in)}
        )
    return recipients


def _pages(content: bytes, name: str) -> int:
    try:
        return validate_pdf(content, name)
    except ValidationError as error:
        raise DispatchRefused(error.messages[0]) from None


def _non_sensitive_title(journalpost: Journalpost) -> str:
    """What notifications may show: the public title, or nothing of it when the title is screened."""
    if journalpost.skjerming and any(
        journalpost.skjerming.screens(code) for code in ("tittel", "TR1", "TM1")
    ):
        return _("Letter from %(organisation)s") % {
            "organisation": journalpost.saksbehandler.organisation.name_nb
        }
    return journalpost.offentlig_tittel


@transaction.atomic
def dispatch(journalpost: Journalpost, handler: Saksbehandler, *, request=None) -> Journalpost:
    journalpost = (
        Journalpost.objects.select_for_update(of=("self",))
        .select_related("saksmappe", "brevmal")
        .get(pk=journalpost.pk)
    )
    if journalpost.journalposttype != Journalpost.Type.UTGAAENDE:
        raise DispatchRefused(_("Only outgoing journal posts can be dispatched."))
    if journalpost.journalstatus not in DISPATCHABLE:
        raise DispatchRefused(
            _("The journal post is %(status)s and cannot be dispatched.")
            % {"status": journalpost.get_journalstatus_display().lower()}
        )
    recipients = _recipients(journalpost)
    files = current_files(journalpost)
    if not files and journalpost.brevmal is None:
        raise DispatchRefused(_("Add a document or write the letter from a template before dispatching."))
    attachments = []
    for dokument, content in files:
        if dokument.tilknyttet_registrering_som == "V" or journalpost.brevmal is None:
            # Checked once here, not once per letter: every recipient gets these same bytes.
            name = f"{dokument.dokumentnummer}.pdf"
            attachments.append(postkasse.DocumentIn(dokument.tittel, name, content, _pages(content, name)))
    batch = letters.LetterBatch(journalpost, recipients) if journalpost.brevmal else None
    persons = [party for party in recipients if party.foedselsnummer]
    outgoing = {}
    for party in persons:
        main = [postkasse.DocumentIn(journalpost.tittel, "brev.pdf", *batch.letter(party))] if batch else []
        outgoing[f"saksarkiv:{journalpost.system_id}:{party.pk}"] = (party, main + attachments)
    try:
        sent = (
            postkasse.accept_letters(
                handler.organisation,
                [
                    postkasse.LetterIn(
                        key,
                        party.foedselsnummer,
                        _non_sensitive_title(journalpost),
                        documents,
                        options={"sensitive_title": journalpost.tittel, "replies_allowed": True},
                    )
                    for key, (party, documents) in outgoing.items()
                ],
            )
            if outgoing
            else []
        )
    except postkasse.PostkasseError as error:
        party = outgoing[error.idempotency_key][0] if hasattr(error, "idempotency_key") else None
        raise DispatchRefused(
            _("The letter to %(name)s cannot be sent: %(error)s")
            % {"name": party.navn if party else _("a recipient"), "error": error.message}
        ) from None
    for party, letter in zip(persons, sent, strict=True):
        party.forsendelse_id = letter.pk
        party.ekspedering = Korrespondansepart.Ekspedering.SENDT
    for party in recipients:
        if party.organisasjonsnummer:
            _send_to_archive(journalpost, handler, party, batch, files)
    Korrespondansepart.objects.bulk_update(recipients, ["forsendelse_id", "ekspedering"], batch_size=1000)
    journalpost.journalstatus = Journalpost.Status.EKSPEDERT
    journalpost.sendt_dato = timezone.now()
    journalpost.save(update_fields=["journalstatus", "sendt_dato"])
    journalpost.dokumenter.update(dokumentstatus="F")
    record_change("journalpost_dispatched", handler, journalpost, request=request, recipients=len(recipients))
    # Dispatched, the post is an answer in force: the incoming posts it answers are written off (BU).
    settle_answers(journalpost, handler, request=request)
    return journalpost


def in_felles(organisasjonsnummer: str) -> bool:
    """Whether the organisation is registered in Felles, so that Felles keeps its archive and the letter
    goes there as arkivmelding."""
    try:
        get_organisation(organisasjonsnummer)
    except OrganisationNotFound:
        return False
    return True


ARCHIVE_EXCHANGE = uuid.UUID("5a3f0c1e-7d2b-4c61-9e0a-3b8f6d4c2a17")  # namespace of the message ids


def _send_to_archive(journalpost: Journalpost, handler: Saksbehandler, party: Korrespondansepart, batch,
                     files: list) -> None:  # fmt: skip
    """The letter as arkivmelding to the organisation's archive in Felles, filed there at once; the
    party is delivered when the archive's receipt is OK. One message per post and party, so a
    dispatch tried again sends nothing twice."""
    documents = []
    if batch is not None:
        content, _pages = batch.letter(party)
        letter = arkivmelding.OutgoingDocument(
            uuid.uuid5(ARCHIVE_EXCHANGE, f"letter:{journalpost.system_id}:{party.system_id}"),
            journalpost.tittel, "B", True, 1, "brev.pdf",
        )  # fmt: skip
        documents.append((letter, content))
    for dokument, content in files:
        if dokument.tilknyttet_registrering_som == "V" or batch is None:
            described = arkivmelding.OutgoingDocument(
                dokument.system_id, dokument.tittel, dokument.dokumenttype,
                batch is None and dokument.tilknyttet_registrering_som == "H", dokument.dokumentnummer,
                f"{dokument.dokumentnummer}.pdf",
            )  # fmt: skip
            documents.append((described, content))
    message_id = uuid.uuid5(ARCHIVE_EXCHANGE, f"message:{journalpost.system_id}:{party.system_id}")
    xml = arkivmelding.build(
        journalpost,
        [described for described, _content in documents],
        melding_id=str(message_id),
        parties=list(journalpost.korrespondanseparter.order_by("pk")),
    )
    try:
        answers = arkivmelding_to_send.send(
            sender=Journalpost,
            organisation=handler.organisation,
            receiver=party.organisasjonsnummer,
            message_id=message_id,
            conversation_id=uuid.uuid5(ARCHIVE_EXCHANGE, f"conversation:{journalpost.system_id}"),
            arkivmelding=xml,
            documents=[(described.tittel, described.filename, content) for described, content in documents],
            actor=f"{handler.organisation.organisasjonsnummer}/saksarkiv:{handler.user.get_username()}",
        )
    except DispatchRefused as error:
        raise DispatchRefused(
            _("The letter to %(name)s cannot be sent: %(error)s")
            % {"name": party.navn, "error": error.message}
        ) from None
    deliveries = [answer for _exchange, answer in answers if answer is not None]
    if len(deliveries) != 1:
        raise DispatchRefused(_("No exchange between archives is running: nothing was sent."))
    delivery = deliveries[0]
    party.forsendelse_id = delivery.message_id
    party.ekspedering = (
        Korrespondansepart.Ekspedering.LEVERT if delivery.receipt_ok else Korrespondansepart.Ekspedering.SENDT
    )


# Above this many recipients "Dispatch" first shows what will happen and asks to go on: a click
# that sends to many cannot be taken back.
CONFIRM_FROM = 2
SPLIT_CHUNK = 1000


@dataclass(frozen=True)
class ChannelSplit:
    """Where the letters of a dispatch are expected to go, as digital post routes them when sent."""

    digital: int
    paper: int
    held: int
    # Organisations in Felles: the letter goes to their archive as arkivmelding.
    archive: int = 0

    @property
    def total(self) -> int:
        return self.digital + self.paper + self.held + self.archive


def expected_channels(journalpost: Journalpost) -> ChannelSplit:
    """The split digital post will make for the journal post's recipients: digital where the
    contact register has an active mailbox and no reservation, held for manual handling where the
    person is deceased or the address protected, paper for the rest; organisations in Felles get it
    in their archive. Read-only; the routing on dispatch decides for real (a register may change in
    between)."""
    recipients = _recipients(journalpost)
    numbers = [party.foedselsnummer for party in recipients if party.foedselsnummer]
    archive = sum(1 for party in recipients if party.organisasjonsnummer)
    digital = paper = held = 0
    for start in range(0, len(numbers), SPLIT_CHUNK):
        chunk = numbers[start : start + SPLIT_CHUNK]
        persons = folkeregister.lookup_persons(chunk, requested_by="saksarkiv").persons
        contacts = {contact.identity_number: contact for contact in kontaktregister.lookup(chunk)}
        for number in chunk:
            person, contact = persons.get(number), contacts.get(number)
            alive = person is not None and person.status != Status.DOED
            if (
                alive
                and contact
                and contact.status == "AKTIV"
                and not contact.reserved
                and contact.mailbox_address
            ):
                digital += 1
            elif person is None or not alive or person.is_address_protected:
                held += 1
            else:
                paper += 1
    return ChannelSplit(digital=digital, paper=paper, held=held, archive=archive)


def dispatch_or_queue(journalpost: Journalpost, handler: Saksbehandler, *, request=None) -> bool:
    """Dispatch now, or queue a mass dispatch for the worker; returns whether it was queued.
    The checks that need no letters run first, so that a refusal is shown at once."""
    recipients = _recipients(journalpost)
    if len(recipients) < settings.SAKSARKIV_BACKGROUND_DISPATCH_FROM:
        dispatch(journalpost, handler, request=request)
        return False
    if journalpost.journalstatus not in DISPATCHABLE:
        raise DispatchRefused(_("The journal post is already dispatched or being dispatched."))
    from saksarkiv import tasks

    tasks.dispatch_journalpost.enqueue(journalpost.pk, handler.pk)
    record_change(
        "journalpost_dispatch_queued", handler, journalpost, request=request, recipients=len(recipients)
    )
    return True


def receipts(journalpost: Journalpost, *, limit: int | None = None) -> list[tuple[Korrespondansepart, list]]:
    """The journal post's parties with the receipts digital post has sent back for them; each
    party's dispatch state follows its latest receipt."""
    parties = list(journalpost.korrespondanseparter.order_by("pk")[:limit])
    found = postkasse.receipts_for([party.forsendelse_id for party in parties if party.forsendelse_id])
    changed = []
    for party in parties:
        latest = found.get(party.forsendelse_id, [])[-1:] if party.forsendelse_id else []
        state = RECEIPT_STATES.get(latest[0].kind) if latest else None
        if state and state != party.ekspedering:
            party.ekspedering, party.ekspedering_aarsak = state, latest[0].reason
            changed.append(party)
    Korrespondansepart.objects.bulk_update(changed, ["ekspedering", "ekspedering_aarsak"], batch_size=1000)
    return [(party, found.get(party.forsendelse_id, [])) for party in parties]
