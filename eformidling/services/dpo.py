"""Arkivmelding between organisations' archives (eFormidling's DPO, "next move" message type
`arkivmelding`), delivered inside Felles: an organisation registered in Felles has its archive here,
so a message to it is filed in that archive when it is sent, in the same transaction, and the
answer comes back at once as Digdir's integrasjonspunkt registers it on the sender's conversation
(AltinnNextMoveMessageHandler, SBDFactory.createArkivmeldingReceiptFrom):

    sent and filed        SENDT, MOTTATT, LEVERT, then the archive's arkivmelding_kvittering:
                          receiptType OK -> LEST "ArkivmeldingKvittering: OK" (rawReceipt: the receipt),
                          and the receipt as a message in the sender's queue (GET /api/messages/in);
                          at the receiver an INCOMING conversation, INNKOMMENDE_MOTTATT and
                          INNKOMMENDE_LEVERT (its archive has taken the message)
    refused by the archive  the send answers 400 and nothing is stored, as a message Digdir's
                          NextMoveValidator refuses (its arkivmelding is checked before it is sent)

Delivery is synchronous on purpose: the receiver's archive is the same database, so filing in the
send's transaction gives all or nothing with no queue to lose a message in, and a case system learns
of a refusal (an invalid arkivmelding, a file that is not a PDF) from its own send call."""

import re
from functools import partial

import orjson
from django.utils import timezone
from stdnum.no import orgnr

from core import audit
from core.errors import DomainError
from eformidling.models import Conversation, Direction, Status
from eformidling.services import case_links, errors, incoming, statuses
from postkasse.services import keys
from saksarkiv.services import arkivmelding as archive
from virksomheter.models import Organisation
from virksomheter.services import OrganisationNotFound, get_organisation

SERVICE = "DPO"
PROCESS = "urn:no:difi:profile:arkivmelding:administrasjon:ver1.0"
STANDARD = "urn:no:difi:arkivmelding:xsd::arkivmelding"
MESSAGE_TYPE = "arkivmelding"
RECEIPT_PROCESS = "urn:no:difi:profile:arkivmelding:response:ver1.0"
RECEIPT_STANDARD = "urn:no:difi:arkivmelding:xsd::arkivmelding_kvittering"
ARKIVMELDING_FILE = "arkivmelding.xml"  # Digdir's NextMoveConsts.ARKIVMELDING_FILE
XML_TYPES = {"application/xml", "text/xml"}
RECEIPT_OK = "OK"
_ORGANISATION = re.compile(r"(?:0192:)?(\d{9})")


def organisation_number(identifier: str) -> str | None:
    """The organisation number of `0192:<orgnr>` or `<orgnr>`, if it is a valid one."""
    match = _ORGANISATION.fullmatch(str(identifier))
    return match.group(1) if match and orgnr.is_valid(match.group(1)) else None


def receiver_organisation(identifier: str) -> Organisation | None:
    """The organisation registered in Felles that `identifier` names, whose archive Felles keeps."""
    number = organisation_number(identifier)
    if number is None:
        return None
    try:
        return get_organisation(number)
    except OrganisationNotFound:
        return None


def is_arkivmelding(conversation: Conversation) -> bool:
    return conversation.message_type == MESSAGE_TYPE


def receipt(conversation: Conversation, receipt_type: str = RECEIPT_OK) -> dict:
    """The arkivmelding_kvittering business message as Digdir's rawReceipt has it (Jackson's fields)."""
    return {
        "hoveddokument": None,
        "receiptType": receipt_type,
        "relatedToMessageId": str(conversation.message_id),
        "messages": [],
    }


def _refusal(error: DomainError) -> errors.IntegrasjonspunktError:
    if error.code == "invalid_arkivmelding":
        return errors.UnmarshalArkivmelding(
            "Unable to unmarshal arkivmelding",
            description="; ".join([error.message, *getattr(error, "problems", [])]),
        )
    if error.code == "missing_document_file":
        return errors.MissingArkivmeldingFile(
            "File(s) defined in arkivmelding, but not found in message: "
            + ", ".join(getattr(error, "filenames", []))
        )
    return errors.InvalidDocument(error.message)


def _incoming_conversation(conversation: Conversation, receiver: Organisation, at) -> None:
    """The message as the receiver's integrasjonspunkt follows it: received and delivered at once."""
    received = Conversation.objects.create(
        organisation=receiver,
        direction=Direction.INCOMING,
        conversation_id=conversation.conversation_id,
        message_id=conversation.message_id,
        sender_identifier=conversation.sender_identifier,
        receiver_identifier=conversation.receiver_identifier,
        process_identifier=conversation.process_identifier,
        document_identifier=conversation.document_identifier,
        message_type=conversation.message_type,
        message_title=conversation.message_title,
        service_identifier=conversation.service_identifier,
        sbd=conversation.sbd,
        expiry=conversation.expiry,
        last_update=at,
        finished=True,
        closed=True,
        sent_at=at,
    )
    statuses.register(received, Status.INNKOMMENDE_MOTTATT, at=at)
    statuses.register(received, Status.INNKOMMENDE_LEVERT, at=at)


def deliver(
    sender_organisation: Organisation, conversation: Conversation, files: list, *, actor: str
) -> None:
    """File the message (its OutgoingFiles) in the receiver's archive and register the statuses and
    the receipt on the sender's conversation. Runs inside the send's transaction."""
    receiver = receiver_organisation(conversation.receiver_identifier)
    if receiver is None:  # deregistered since the message was created
        raise errors.identifier_not_found(conversation.receiver_identifier)
    contents = {file.filename: keys.unseal(bytes(file.envelope)) for file in files}
    arkivmelding = contents.pop(ARKIVMELDING_FILE, None)
    if arkivmelding is None:
        raise errors.MissingArkivmelding("DPO message type requires arkivmelding.xml attachment")
    try:
        filed = archive.file_arkivmelding(
            receiver,
            sender=sender_organisation,
            message_id=str(conversation.message_id),
            arkivmelding=arkivmelding,
            files=contents,
            linked_case=partial(case_links.linked_case, sender_organisation, receiver),
        )
    except DomainError as error:
        raise _refusal(error) from None
    case_links.remember(sender_organisation, receiver, filed.cases)
    now = timezone.now()
    conversation.sent_at = now
    statuses.register(conversation, Status.SENDT, at=now, changed=("sent_at",))
    statuses.register(conversation, Status.MOTTATT, at=now)
    statuses.register(conversation, Status.LEVERT, at=now)
    statuses.register(
        conversation,
        Status.LEST,
        f"ArkivmeldingKvittering: {RECEIPT_OK}",
        at=now,
        raw_receipt=orjson.dumps(receipt(conversation)).decode(),
    )
    _incoming_conversation(conversation, receiver, now)
    incoming.enqueue_receipt(
        conversation,
        receiver=receiver,
        process=RECEIPT_PROCESS,
        standard=RECEIPT_STANDARD,
        receipt=receipt(conversation),
    )
    audit.record(
        "eformidling.arkivmelding_delivered",
        actor=actor,
        object_type="eformidling.conversation",
        object_id=str(conversation.message_id),
        details={"sender": sender_organisation.organisasjonsnummer, "receiver": receiver.organisasjonsnummer},
    )
