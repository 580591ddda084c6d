"""Outgoing messages through the integrasjonspunkt: create (the SBD), upload files, send (a letter to
postkasse's send chain; an arkivmelding to the receiver's archive, services/dpo.py), read and delete, as Digdir's NextMoveMessageService and NextMoveValidator
do. Every call is one transaction: a refused call stores nothing.

Felles differs from Digdir's integrasjonspunkt on purpose in one place: the same messageId created
again answers the message created the first time (Digdir answers 400 MessageAlreadyExistsException),
so that a case system that retries never makes a second letter (issue 17)."""

import mimetypes
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, time

import orjson
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core import audit
from eformidling.models import Conversation, Direction, OutgoingFile, OutgoingMessage, Status
from eformidling.services import capabilities as capability_service
from eformidling.services import dpo, errors, sbd, statuses
from postkasse import services as postkasse
from postkasse.services import keys
from virksomheter.models import Organisation

PDF = "application/pdf"
# DPI's extension documents (metadata files beside a document), docs.digdir.no/dpi_mimetypes.html.
METADATA_TYPES = {
    "application/vnd.difi.dpi.lenke+xml",
    "application/vnd.difi.dpi.bevis+xml",
    "application/vnd.difi.dpi.arrangement+xml",
}
DPI_UPLOAD_LIMIT = 50 * 1024 * 1024  # difi.move.dpi.upload-size-limit
MULTIPART_MAX = 5 * 1024 * 1024
SBD_MAX = 1024 * 1024  # an SBD is a few kilobytes of JSON
NAME_MAX = 200


@dataclass(frozen=True)
class Sender:
    """Who calls: the organisation, and how it authenticated (for the audit trail)."""

    organisation: Organisation
    actor: str


def _not_found(message_id) -> errors.IntegrasjonspunktError:
    return errors.MessageNotFound(f"Message with messageId = {message_id} was not found")


def _json_copy(value):
    return orjson.loads(orjson.dumps(value))


def create(sender: Sender, document) -> dict:
    """Take an SBD; returns it with the defaults filled in. The same messageId again answers the
    first message's SBD and stores nothing."""
    sbd.check_header(document)
    document = _json_copy(document)
    header = document["standardBusinessDocumentHeader"]
    identification = header["documentIdentification"]
    message_id = identification.get("instanceIdentifier")
    organisation = sender.organisation
    deleted = None
    if message_id is not None:
        first = (
            Conversation.objects.filter(
                organisation=organisation, direction=Direction.OUTGOING, message_id=message_id
            )
            .annotate(building=Exists(OutgoingMessage.objects.filter(conversation=OuterRef("pk"))))
            .first()
        )
        if first is not None and (first.building or first.letter_id is not None or first.sent_at is not None):
            return first.sbd
        # A message deleted before it was sent keeps its conversation; Digdir takes its messageId again.
        deleted = first
    _check_sender(header, organisation)
    kind = identification["type"]
    standard = identification["standard"]
    process = sbd.conversation_scope(header)["identifier"]
    receiver = str(header["receiver"][0]["identifier"]["value"])
    try:
        capabilities = capability_service.capabilities(
            receiver, organisation, process=process, requested_by=sender.actor
        )
    except capability_service.NotAPerson:
        raise errors.InvalidIdentifier(f"Unable to parse identifier = '{receiver}'") from None
    except capability_service.PersonUnknown:
        raise errors.identifier_not_found(receiver) from None
    if not any(c.standard == standard for c in capabilities):
        # What Felles cannot deliver (digital_dpv, arkivmelding, ...) has no service record either.
        raise errors.ReceiverDoesNotAcceptProcess(
            f"Receiver do not accept the document process {process}",
            description=(
                f"Error looking up service record with document type '{standard}' and parameters: "
                f"SRParameter(identifier={receiver}, process={process})"
            ),
        )
    title = ""
    if kind == "digital":
        document["digital"] = sbd.check_digital(document.get("digital"))
        title = document["digital"]["tittel"]
    elif kind == "print":
        document["print"] = sbd.check_print(document.get("print"))
    if not standard.endswith(f"::{kind}"):
        raise errors.MessageTypeDoesNotFitDocumentType(
            f"Message type {kind} does not match the document type {standard}"
        )
    if kind == dpo.MESSAGE_TYPE:
        document[kind] = sbd.check_arkivmelding(document.get(kind))
    document = sbd.fill_defaults(sbd.known_properties(document, kind), organisation.organisasjonsnummer)
    header = document["standardBusinessDocumentHeader"]
    identification = header["documentIdentification"]
    conversation_scope = sbd.conversation_scope(header)
    expiry = sbd.parse_moment(conversation_scope["scopeInformation"][0]["expectedResponseDateTime"])
    now = timezone.now()
    try:
        with transaction.atomic():
            if deleted is not None:
                deleted.delete()
            conversation = Conversation.objects.create(
                organisation=organisation,
                conversation_id=conversation_scope["instanceIdentifier"],
                message_id=identification["instanceIdentifier"],
                sender_identifier=header["sender"][0]["identifier"]["value"],
                receiver_identifier=receiver,
                process_identifier=process,
                document_identifier=standard,
                message_type=kind,
                message_title=title,
                service_identifier=dpo.SERVICE if kind == dpo.MESSAGE_TYPE else "DPI",
                sbd=document,
                expiry=expiry,
                last_update=now,
            )
            OutgoingMessage.objects.create(conversation=conversation)
            statuses.register(conversation, Status.OPPRETTET, at=now)
    except IntegrityError:  # the same messageId at the same moment from another request
        first = Conversation.objects.get(
            organisation=organisation,
            direction=Direction.OUTGOING,
            message_id=identification["instanceIdentifier"],
        )
        return first.sbd
    audit.record(
        "eformidling.message_created",
        actor=sender.actor,
        object_type="eformidling.conversation",
        object_id=str(conversation.message_id),
        details={"sender": organisation.organisasjonsnummer, "type": kind, "process": process},
    )
    return document


def _check_sender(header: dict, organisation: Organisation) -> None:
    """The SBD's sender must be the authenticated organisation (a Maskinporten token names the
    organisation a supplier acts for by delegation as its consumer)."""
    if not header.get("sender"):
        return
    if sbd.sender_organisation(header) != organisation.organisasjonsnummer:
        value = header["sender"][0].get("identifier", {}).get("value")
        message = (
            f"Expected '{value}' to be equal end with the same organization as specified in the "
            "difi.move.org.number application property.'"
        )
        raise errors.constraint_violations(
            [
                errors.violation(
                    "standardBusinessDocumentHeader.sender[0].identifier.value", message, "SenderValue", value
                )
            ]
        )


def _outgoing(organisation: Organisation, message_id, *, lock: bool = False) -> OutgoingMessage:
    query = OutgoingMessage.objects.select_related("conversation").filter(
        conversation__organisation=organisation, conversation__message_id=_uuid_or_none(message_id)
    )
    if lock:
        query = query.select_for_update(of=("self",))
    message = query.first() if _uuid_or_none(message_id) else None
    if message is None:
        raise _not_found(message_id)
    return message


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def get(organisation: Organisation, message_id) -> dict:
    return _outgoing(organisation, message_id).conversation.sbd


def outgoing(organisation: Organisation, filters: dict):
    """The organisation's messages not yet sent or deleted, filtered as Digdir's API filters them."""
    query = Conversation.objects.filter(organisation=organisation, outgoing__isnull=False)
    names = {
        "conversationId": "conversation_id",
        "messageId": "message_id",
        "processIdentifier": "process_identifier",
        "receiverIdentifier": "receiver_identifier",
        "senderIdentifier": "sender_identifier",
        "serviceIdentifier": "service_identifier",
    }
    for parameter, field in names.items():
        value = filters.get(parameter)
        if value:
            if field in ("conversation_id", "message_id") and _uuid_or_none(value) is None:
                return query.none()
            query = query.filter(**{field: value})
    return query


def delete(organisation: Organisation, message_id, *, actor: str) -> None:
    """Delete a message not yet sent, with its files; its conversation stays, as Digdir's
    NextMoveMessageService.deleteMessage keeps it. Nothing to delete is no error (as Digdir's)."""
    with transaction.atomic():
        try:
            message = _outgoing(organisation, message_id, lock=True)
        except errors.IntegrasjonspunktError:
            return
        conversation = message.conversation
        message.delete()  # its files go with it
        audit.record(
            "eformidling.message_deleted",
            actor=actor,
            object_type="eformidling.conversation",
            object_id=str(conversation.message_id),
        )


_DISPOSITION_PARAMETER = re.compile(r';\s*([A-Za-z*-]+)\s*=\s*("([^"]*)"|[^;]*)')


def parse_disposition(value: str) -> dict[str, str]:
    """Content-Disposition's parameters (name, filename), as Spring's ContentDisposition.parse reads them."""
    found = {}
    for match in _DISPOSITION_PARAMETER.finditer(";" + value.split(";", 1)[1] if ";" in value else ""):
        found[match.group(1).lower()] = (
            match.group(3) if match.group(3) is not None else match.group(2)
        ).strip()
    return found


def _mime_type(content_type: str, filename: str) -> str:
    content_type = (content_type or "").split(";")[0].strip().lower()
    if not content_type or content_type == "application/octet-stream":
        return mimetypes.guess_type(filename)[0] or PDF
    return content_type


def add_file(
    sender: Sender, message_id, *, filename: str, title: str, content_type: str, content: bytes
) -> None:
    """One file of a message not yet sent (PUT /api/messages/out/{messageId})."""
    with transaction.atomic():
        message = _outgoing(sender.organisation, message_id, lock=True)
        _add_file(message, filename=filename, title=title, content_type=content_type, content=content)


def _add_file(
    message: OutgoingMessage, *, filename: str, title: str, content_type: str, content: bytes
) -> None:
    _check_names(filename, title)
    conversation = message.conversation
    body = conversation.sbd[conversation.message_type]
    mime_type = _mime_type(content_type, filename)
    primary = filename == body.get("hoveddokument")
    metadata_files = set((body.get("metadataFiler") or {}).values())
    arkivmelding = dpo.is_arkivmelding(conversation)
    stored = list(message.files.values_list("filename", "primary", "size"))  # one query for the checks
    if any(name == filename for name, _primary, _size in stored):
        raise errors.DuplicateFilename(f"Filename already exists in message: {filename}.")
    if primary and any(was_primary for _name, was_primary, _size in stored):
        raise errors.MultiplePrimaryDocumentsNotAllowed("Messages can only contain one primary document")
    if arkivmelding:
        # The archive's metadata comes as arkivmelding.xml; the documents it names are PDF, as the
        # receiving archive keeps them.
        is_metadata = filename == dpo.ARKIVMELDING_FILE
        if is_metadata and mime_type not in dpo.XML_TYPES:
            raise errors.InvalidContentType(
                f"--{errors.InvalidContentType.exception}-- [{filename}, {mime_type}]: arkivmelding.xml is XML"
            )
    else:
        is_metadata = filename in metadata_files or mime_type in METADATA_TYPES
        if not primary and not title and not is_metadata:
            raise errors.MissingFileTitle("Title is required for the following capabilities: DPI")
    if not is_metadata and mime_type != PDF:
        # Felles shows PDF documents only (postkasse checks each one), as the print channel prints only PDF.
        raise errors.InvalidContentType(
            f"--{errors.InvalidContentType.exception}-- [{filename}, {mime_type}]: Felles accepts PDF documents only"
        )
    check_total_size(sum(size for _name, _primary, size in stored) + len(content))
    try:
        with transaction.atomic():
            OutgoingFile.objects.create(
                message=message,
                filename=filename,
                title=title,
                mime_type=mime_type,
                size=len(content),
                primary=primary,
                envelope=keys.seal(content),
            )
    except IntegrityError:  # the same file from a request at the same moment
        raise errors.DuplicateFilename(f"Filename already exists in message: {filename}.") from None


def _check_names(filename: str, title: str) -> None:
    """A file name and title as postkasse keeps them: 1 to 200 characters (a title may be empty), no NUL."""
    found = [
        errors.violation(field, f"size must be between {low} and {NAME_MAX}", "Size", value)
        for field, value, low in (("filename", filename, 1), ("name", title, 0))
        if not (low <= len(value) <= NAME_MAX) or "\x00" in value
    ]
    if found:
        raise errors.constraint_violations(found)


def send(sender: Sender, message_id) -> None:
    """Validate the message and hand it to postkasse's send chain, in one transaction: either the
    letter is accepted and the message is gone (the conversation stays), or nothing changed."""
    expired = None
    with transaction.atomic():
        message = _outgoing(sender.organisation, message_id, lock=True)
        try:
            _send(sender, message)
        except errors.TimeToLive as error:
            expired = (message.conversation, error)
    if expired is not None:
        # Digdir registers LEVETID_UTLOPT and keeps it (its transaction is not rolled back).
        conversation, error = expired
        statuses.register(conversation, Status.LEVETID_UTLOPT, statuses.EXPIRED)
        raise error


def _send(sender: Sender, message: OutgoingMessage) -> None:
    conversation = message.conversation
    files = list(message.files.all())
    if not files:
        raise errors.MissingFile("There must always be at least one attachment")
    if conversation.expiry < timezone.now():
        raise errors.TimeToLive(
            f"ExpectedResponseDateTime {sbd.moment(conversation.expiry)} has been exceeded. Please resend the message"
        )
    if dpo.is_arkivmelding(conversation):
        dpo.deliver(sender.organisation, conversation, files, actor=sender.actor)
        message.delete()
        return
    body = conversation.sbd[conversation.message_type]
    names = {f.filename for f in files}
    metadata = body.get("metadataFiler") or {}
    missing = sorted({name for pair in metadata.items() for name in pair if name not in names})
    if missing:
        raise errors.FileNotFound(f"File(s) named {', '.join(missing)} was not found")
    primary = next((f for f in files if f.primary), None)
    if primary is None:
        raise errors.MissingPrimaryDocument(
            "Missing a primary document. Please specify the hoveddokument property in the business message "
            "and verify that is equal to one of the filenames."
        )
    metadata_names = set(metadata.values())
    documents = [
        postkasse.DocumentIn(f.title or f.filename, f.filename, keys.unseal(bytes(f.envelope)))
        for f in [primary, *(f for f in files if not f.primary)]
        if f.filename not in metadata_names and f.mime_type == PDF
    ]
    options = _letter_options(conversation, body, primary)
    try:
        letter, _created = postkasse.accept_letter(
            sender.organisation,
            idempotency_key=statuses.letter_key(conversation),
            recipient=conversation.receiver_identifier,
            documents=documents,
            **options,
        )
    except postkasse.InvalidLetter as error:
        raise errors.InvalidDocument(error.message) from None
    now = timezone.now()
    conversation.letter_id = letter.pk
    conversation.sent_at = now
    message.delete()
    statuses.register(conversation, Status.SENDT, at=now, changed=("letter_id", "sent_at"))
    audit.record(
        "eformidling.message_sent",
        actor=sender.actor,
        object_type="eformidling.conversation",
        object_id=str(conversation.message_id),
        details={"letter": str(letter.pk), "type": conversation.message_type},
    )


def _letter_options(conversation: Conversation, body: dict, primary: OutgoingFile) -> dict:
    if conversation.message_type == "digital":
        info = body["digitalPostInfo"]
        day = datetime.strptime(info["virkningsdato"], "%Y-%m-%d").date()
        notices = body.get("varsler") or {}
        return {
            "title": body["tittel"],
            "security_level": body["sikkerhetsnivaa"],
            "virkningsdato": datetime.combine(day, time.min, tzinfo=sbd.ZONE),
            "opening_receipt": bool(info["aapningskvittering"]),
            "print_fallback": False,
            # The agency's own notice texts and the letter's language reach the citizen's notice.
            "notice_sms_text": notices.get("smsTekst") or "",
            "notice_email_text": notices.get("epostTekst") or "",
            "language": body["spraak"],
            "expires_at": conversation.expiry,
        }
    retur = (body.get("retur") or {}).get("mottaker") or {}
    return_lines = [
        retur.get(field, "")
        for field in ("navn", "adresselinje1", "adresselinje2", "adresselinje3", "adresselinje4")
        if retur.get(field)
    ]
    place = " ".join(part for part in (retur.get("postnummer"), retur.get("poststed")) if part)
    if place:
        return_lines.append(place)
    options = {
        # A print body has no title: the main document's, for the sender's own view of the letter.
        "title": primary.title or primary.filename,
        "paper_only": True,
        "print_fallback": True,
        "post_class": "A" if body["posttype"] == "A_PRIORITERT" else "B",
        "colour": body["utskriftsfarge"] == "FARGE",
        "return_address": return_lines[:5],
        "return_handling": (body.get("retur") or {}).get("returhaandtering") or "DIREKTE_RETUR",
        "expires_at": conversation.expiry,
    }
    mottaker = body.get("mottaker")
    if mottaker:
        # An explicit print letter goes to the address the case system gave, as Digdir's does.
        options["print_address"] = {
            "name": mottaker.get("navn") or "",
            "lines": [mottaker.get(f"adresselinje{n}") or "" for n in range(1, 5)],
            "postal_code": mottaker.get("postnummer") or "",
            "postal_area": mottaker.get("poststed") or "",
            "country": mottaker.get("land") or "",
        }
    return options


def check_total_size(total: int) -> None:
    """All of a message's files together are within DPI's upload limit."""
    if total > DPI_UPLOAD_LIMIT:
        raise errors.MaxFileSizeExceeded(
            "The combined file size for all attachments "
            f"({total}) exceeds the maximum allowed upload size for the target service ({DPI_UPLOAD_LIMIT}, DPI)"
        )


def check_multipart_part(name: str, size: int) -> None:
    """A multipart request's file is at most 5 MB (Digdir's MAX_SIZE): larger ones go by PUT."""
    if size > MULTIPART_MAX:
        raise errors.MultipartFileTooLarge(
            f"The attachment named '{name}' is too large. The maximum size for multipart "
            f"requests is {MULTIPART_MAX:,} bytes. Please use the non-multipart API to avoid such problems."
        )


def create_and_send(sender: Sender, document, files: list[tuple[str, str, str, bytes]]) -> dict:
    """POST /api/messages/out/multipart: the SBD, its files (title, filename, content type, bytes)
    and the send, all in one transaction."""
    for title, filename, _content_type, content in files:
        check_multipart_part(title or filename, len(content))
    filenames = [filename for _title, filename, _type, _content in files]
    duplicate = next((name for name in filenames if filenames.count(name) > 1), None)
    if duplicate:
        raise errors.DuplicateFilename(f"Filename already exists in message: {duplicate}.")
    return compose(sender, document, files)


def compose(sender: Sender, document, files: list[tuple[str, str, str, bytes]]) -> dict:
    """Create, add the files (title, filename, content type, bytes) and send, in one transaction: the
    multipart call's steps, and Felles' own archive's way to send (saksarkiv through
    eformidling.services.arkivmelding). The same messageId again answers the first message."""
    with transaction.atomic():
        answer = create(sender, document)
        message_id = answer["standardBusinessDocumentHeader"]["documentIdentification"]["instanceIdentifier"]
        try:
            # Locked as PUT and send lock it: a retried multipart, or a PUT or send at the same moment,
            # waits for this one and then finds the files (DuplicateFilename) or the message sent.
            message = _outgoing(sender.organisation, message_id, lock=True)
        except errors.MessageNotFound:  # the same messageId again: the first message, already sent
            return answer
        for title, filename, content_type, content in files:
            _add_file(message, filename=filename, title=title, content_type=content_type, content=content)
        _send(sender, message)
    return answer
