"""Felles' own case archive sends arkivmelding through the integrasjonspunkt as a case system does
through its API (the same SBD, files and send, in one call): saksarkiv's dispatch of an outgoing
journal post to an organisation registered in Felles."""

import uuid
from dataclasses import dataclass

from core.errors import DomainError
from eformidling.models import Conversation, Direction, MessageStatus, Status
from eformidling.services import dpo, errors, messages, sbd
from saksarkiv.services import DispatchRefused
from virksomheter.models import Organisation

PDF = "application/pdf"


class NotDelivered(DomainError):
    """The integrasjonspunkt refused the message (the receiver does not take it, or its archive
    refused the arkivmelding): nothing was sent."""

    code = "arkivmelding_not_delivered"


@dataclass(frozen=True)
class Delivery:
    message_id: uuid.UUID
    # The conversation's statuses in order (SENDT, MOTTATT, LEVERT, LEST for a message filed).
    statuses: list[str]

    @property
    def receipt_ok(self) -> bool:
        return Status.LEST in self.statuses


def accepts(organisation_number: str) -> bool:
    """Whether the organisation takes arkivmelding through Felles (it is registered here)."""
    return dpo.receiver_organisation(organisation_number) is not None


def send_arkivmelding(
    organisation: Organisation,
    *,
    receiver: str,
    message_id: uuid.UUID,
    conversation_id: uuid.UUID,
    arkivmelding: bytes,
    documents: list[tuple[str, str, bytes]],
    actor: str,
) -> Delivery:
    """Send arkivmelding.xml and its `documents` (title, file name, PDF bytes) to the organisation
    `receiver` (an organisation number). The same message_id again answers the first delivery and sends
    nothing. NotDelivered when the integrasjonspunkt refuses it."""
    document = {
        "standardBusinessDocumentHeader": {
            "headerVersion": "1.0",
            "receiver": [
                {"identifier": {"value": sbd.ORGANISATION_PREFIX + receiver, "authority": sbd.AUTHORITY}}
            ],
            "documentIdentification": {
                "standard": dpo.STANDARD,
                "typeVersion": "2.0",
                "type": dpo.MESSAGE_TYPE,
                "instanceIdentifier": str(message_id),
            },
            "businessScope": {
                "scope": [
                    {
                        "type": "ConversationId",
                        "identifier": dpo.PROCESS,
                        "instanceIdentifier": str(conversation_id),
                    }
                ]
            },
        },
        dpo.MESSAGE_TYPE: {},
    }
    files = [("", dpo.ARKIVMELDING_FILE, "application/xml", arkivmelding)]
    files += [(title, filename, PDF, content) for title, filename, content in documents]
    try:
        messages.compose(messages.Sender(organisation, actor), document, files)
    except errors.IntegrasjonspunktError as error:
        raise NotDelivered(": ".join(part for part in (error.message, error.description) if part)) from None
    conversation = Conversation.objects.get(
        organisation=organisation, direction=Direction.OUTGOING, message_id=message_id
    )
    found = MessageStatus.objects.filter(conversation=conversation).order_by("pk")
    return Delivery(message_id, list(found.values_list("status", flat=True)))


def send_for_archive(sender, signal=None, **message) -> Delivery:
    """The receiver of the archive's arkivmelding_to_send (saksarkiv.signals): the archive's outgoing journal
    post to an organisation in Felles, sent through this integrasjonspunkt; a refusal as the archive's own."""
    try:
        return send_arkivmelding(**message)
    except NotDelivered as error:
        raise DispatchRefused(error.message) from None
