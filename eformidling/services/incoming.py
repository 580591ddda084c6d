"""Messages in, as Digdir's NextMoveMessageInController and NextMoveMessageInService answer them:
the list, peek (the oldest message not taken, taken for five minutes: lockTimeoutMinutes), pop (its
ASiC; a receipt has none and answers 204) and delete (only a message taken by a peek).

In Felles the only messages in are the receipts (arkivmelding_kvittering) of the arkivmelding an
organisation sent: an arkivmelding itself goes straight into the receiver's archive."""

import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import audit
from eformidling.models import Conversation, IncomingMessage
from eformidling.services import errors, sbd
from virksomheter.models import Organisation

LOCK = timedelta(minutes=5)  # difi.move.nextmove.lockTimeoutMinutes
FILTERS = {
    "conversationId": "conversation_id",
    "messageId": "message_id",
    "receiverIdentifier": "receiver_identifier",
    "senderIdentifier": "sender_identifier",
    "serviceIdentifier": "service_identifier",
    "process": "process_identifier",
}
UUID_FILTERS = {"conversation_id", "message_id"}
RECEIPT_TYPE = "arkivmelding_kvittering"


def _actor(organisation_number: str) -> list:
    return [
        {"identifier": {"value": sbd.ORGANISATION_PREFIX + organisation_number, "authority": sbd.AUTHORITY}}
    ]


def enqueue_receipt(
    conversation: Conversation, *, receiver: Organisation, process: str, standard: str, receipt: dict
) -> IncomingMessage:
    """The receiver's arkivmelding_kvittering for the conversation's message, in its sender's queue
    (Digdir's SBDFactory.createArkivmeldingReceiptFrom: the same conversationId, a new messageId)."""
    now = timezone.now()
    message_id = uuid.uuid4()
    document = {
        "standardBusinessDocumentHeader": {
            "headerVersion": "1.0",
            "sender": _actor(receiver.organisasjonsnummer),
            "receiver": _actor(conversation.organisation.organisasjonsnummer),
            "documentIdentification": {
                "standard": standard,
                "typeVersion": "2.0",
                "instanceIdentifier": str(message_id),
                "type": RECEIPT_TYPE,
                "creationDateAndTime": sbd.moment(now),
            },
            "businessScope": {
                "scope": [
                    {
                        "type": "ConversationId",
                        "instanceIdentifier": str(conversation.conversation_id),
                        "identifier": process,
                        "scopeInformation": [{"expectedResponseDateTime": sbd.moment(now + sbd.DEFAULT_TTL)}],
                    }
                ]
            },
        },
        RECEIPT_TYPE: {key: value for key, value in receipt.items() if value is not None},
    }
    return IncomingMessage.objects.create(
        organisation=conversation.organisation,
        message_id=message_id,
        conversation_id=conversation.conversation_id,
        sender_identifier=sbd.ORGANISATION_PREFIX + receiver.organisasjonsnummer,
        receiver_identifier=sbd.ORGANISATION_PREFIX + conversation.organisation.organisasjonsnummer,
        process_identifier=process,
        service_identifier=conversation.service_identifier,
        sbd=document,
    )


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def find(organisation: Organisation, filters: dict):
    query = IncomingMessage.objects.filter(organisation=organisation)
    for parameter, field in FILTERS.items():
        value = filters.get(parameter)
        if not value:
            continue
        if field in UUID_FILTERS:
            value = _uuid(value)
            if value is None:
                return query.none()
        query = query.filter(**{field: value})
    return query


def peek(organisation: Organisation, filters: dict) -> dict:
    """Take the oldest message not taken (or whose taking has run out) for LOCK; its SBD."""
    now = timezone.now()
    with transaction.atomic():
        found = (
            find(organisation, filters)
            .filter(Q(lock_timeout__isnull=True) | Q(lock_timeout__lt=now))
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .first()
        )
        if found is None:
            raise errors.NoContent("No content")
        found.lock_timeout = now + LOCK
        found.save(update_fields=["lock_timeout"])
    return found.sbd


def _taken(organisation: Organisation, message_id) -> IncomingMessage:
    value = _uuid(message_id)
    found = (
        IncomingMessage.objects.filter(organisation=organisation, message_id=value).first() if value else None
    )
    if found is None:
        raise errors.MessageNotFound(f"Message with messageId = {message_id} was not found")
    if found.lock_timeout is None:
        raise errors.MessageNotLocked(f"Message with messageId = {message_id} was not locked")
    return found


def pop(organisation: Organisation, message_id) -> None:
    """The message's ASiC: a receipt has none (Digdir's popMessage answers 204 for it)."""
    _taken(organisation, message_id)


def delete(organisation: Organisation, message_id, *, actor: str) -> dict:
    """Remove a message taken by a peek from the queue; its SBD."""
    with transaction.atomic():
        found = _taken(organisation, message_id)
        found.delete()
    audit.record(
        "eformidling.incoming_deleted",
        actor=actor,
        object_type="eformidling.incoming_message",
        object_id=str(found.message_id),
    )
    return found.sbd
