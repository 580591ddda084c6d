"""Conversations as Digdir's ConversationController shows them (outgoing ones, and the arkivmelding
filed in the organisation's archive as incoming ones), and the filters of GET /api/statuses and
GET /api/conversations."""

import uuid

from django.db import transaction

from core.api import whole_number
from eformidling.models import Conversation
from eformidling.services import errors, sbd, statuses
from virksomheter.models import Organisation


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _boolean(value):
    return {"true": True, "false": False}.get(str(value).lower())


def filter_statuses(query, filters) -> object:
    """id, messageId, conversationId, status, and fromDateTime with toDateTime (both, or neither)."""
    if filters.get("id"):
        # ASCII digits within a database key's range (str.isdigit takes "²", which int() refuses).
        pk = whole_number(str(filters["id"]), lowest=1, highest=2**63 - 1)
        if pk is None:
            return query.none()
        query = query.filter(pk=pk)
    for parameter, field in (
        ("messageId", "conversation__message_id"),
        ("conversationId", "conversation__conversation_id"),
    ):
        if filters.get(parameter):
            value = _uuid(filters[parameter])
            if value is None:
                return query.none()
            query = query.filter(**{field: value})
    if filters.get("status"):
        query = query.filter(status=filters["status"])
    start, end = sbd.parse_moment(filters.get("fromDateTime")), sbd.parse_moment(filters.get("toDateTime"))
    if start and end:
        query = query.filter(last_update__gte=start, last_update__lte=end)
    return query


def find(organisation: Organisation, filters: dict):
    statuses.refresh(organisation)
    query = Conversation.objects.filter(organisation=organisation).prefetch_related("statuses")
    for parameter, field in (("messageId", "message_id"), ("conversationId", "conversation_id")):
        if filters.get(parameter):
            value = _uuid(filters[parameter])
            if value is None:
                return query.none()
            query = query.filter(**{field: value})
    for parameter, field in (
        ("receiverIdentifier", "receiver_identifier"),
        ("senderIdentifier", "sender_identifier"),
        ("messageTitle", "message_title"),
    ):
        if filters.get(parameter):
            query = query.filter(**{field: filters[parameter]})
    for parameter in ("pollable", "finished"):
        if filters.get(parameter) is not None and _boolean(filters[parameter]) is not None:
            query = query.filter(**{parameter: _boolean(filters[parameter])})
    if filters.get("direction"):
        query = query.filter(direction=filters["direction"])
    return query


def by_pk(organisation: Organisation, pk) -> Conversation:
    statuses.refresh(organisation)
    found = (
        Conversation.objects.filter(organisation=organisation, pk=pk).first() if str(pk).isdigit() else None
    )
    if found is None:
        raise errors.ConversationNotFound(f"Conversation with id = {pk} was not found")
    return found


def by_message(organisation: Organisation, message_id) -> Conversation:
    statuses.refresh(organisation)
    value = _uuid(message_id)
    found = (
        # An organisation that sent itself a message has it both ways: the outgoing one first.
        Conversation.objects.filter(organisation=organisation, message_id=value)
        .order_by("-direction")
        .first()
        if value
        else None
    )
    if found is None:
        raise errors.MessageNotFound(f"Message with messageId = {message_id} was not found")
    return found


def delete(organisation: Organisation, conversation: Conversation) -> None:
    with transaction.atomic():
        conversation.delete()


def as_json(conversation: Conversation) -> dict:
    rows = sorted(conversation.statuses.all(), key=lambda row: row.pk)
    answer = {
        "id": conversation.pk,
        "conversationId": str(conversation.conversation_id),
        "messageId": str(conversation.message_id),
        "senderIdentifier": conversation.sender_identifier,
        "receiverIdentifier": conversation.receiver_identifier,
        "processIdentifier": conversation.process_identifier,
        "documentIdentifier": conversation.document_identifier,
        "messageTitle": conversation.message_title or None,
        "lastUpdate": sbd.moment(conversation.last_update),
        "finished": conversation.finished,
        "expiry": sbd.moment(conversation.expiry),
        "direction": conversation.direction,
        "serviceIdentifier": conversation.service_identifier,
        "messageStatuses": [
            {
                key: value
                for key, value in {
                    "id": row.pk,
                    "lastUpdate": sbd.moment(row.last_update),
                    "status": row.status,
                    "description": row.description or None,
                }.items()
                if value is not None
            }
            for row in rows
        ],
    }
    return {key: value for key, value in answer.items() if value is not None}
