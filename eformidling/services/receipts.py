"""The DPI receipt behind a status, as Digdir's integrasjonspunkt keeps it in a status's rawReceipt:
a standardBusinessDocument of the DPI JSON Schemas (docs.digdir.no/schemas/dpi/, version 1.0,
vendored in eformidling/schemas), from the mailbox provider (or Felles' print service) to the
sending organisation."""

import uuid

import orjson

from eformidling.services.sbd import AUTHORITY, ORGANISATION_PREFIX, moment

STANDARD = "urn:fdc:digdir.no:2020:innbyggerpost:xsd::innbyggerpost##urn:fdc:digdir.no:2020:innbyggerpost:schema:{}::1.0"
PROCESS = "urn:fdc:digdir.no:2020:profile:egovernment:innbyggerpost:{}:ver1.0"
# postkasse's receipt kind -> the DPI receipt type
TYPES = {
    "levert": "leveringskvittering",
    "printet": "mottakskvittering",
    "aapnet": "aapningskvittering",
    "varsling_feilet": "varslingfeiletkvittering",
    "returpost": "returpostkvittering",
    "feilet": "feil",
}


def _party(organisation_number: str) -> dict:
    return {
        "virksomhetsidentifikator": {
            "authority": AUTHORITY,
            "value": ORGANISATION_PREFIX + organisation_number,
        }
    }


def _actor(organisation_number: str) -> list:
    return [{"identifier": {"authority": AUTHORITY, "value": ORGANISATION_PREFIX + organisation_number}}]


def document(
    kind: str,
    *,
    conversation_id,
    sender: str,
    issuer: str,
    at,
    digital: bool,
    reason: str = "",
    channel: str = "",
) -> dict:
    """The receipt `kind` (postkasse's) for the sending organisation `sender` from `issuer`."""
    receipt_type = TYPES[kind]
    body = {"avsender": _party(sender), "mottaker": _party(issuer), "tidspunkt": moment(at)}
    if receipt_type == "varslingfeiletkvittering":
        body["varslingskanal"] = channel or "sms"
        if reason:
            body["beskrivelse"] = reason
    elif receipt_type == "feil":
        body["feiltype"] = "KLIENT"
        if reason:
            body["detaljer"] = reason
    header = {
        "headerVersion": "1.0",
        "sender": _actor(issuer),
        "receiver": _actor(sender),
        "documentIdentification": {
            "standard": STANDARD.format(receipt_type),
            "typeVersion": "1.0",
            "instanceIdentifier": str(uuid.uuid4()),
            "type": receipt_type,
            "creationDateAndTime": moment(at),
        },
        "businessScope": {
            "scope": [
                {
                    "type": "ConversationId",
                    "instanceIdentifier": str(conversation_id),
                    "identifier": PROCESS.format("digital" if digital else "utskrift"),
                }
            ]
        },
    }
    return {"standardBusinessDocument": {"standardBusinessDocumentHeader": header, receipt_type: body}}


def raw(document_: dict) -> str:
    return orjson.dumps(document_).decode()
