"""Digdir's own example "Eksempel på vedtak til innbygger" (docs.digdir.no/docs/eFormidling/Utvikling/
Eksempel/vedtak_til_innbygger), run over HTTP against a live server with nothing changed but the host
and the credentials: capabilities, create (2a digital, 2c print), the lenke metadata file, my.pdf,
send, then statuses until LEVERT, and LEST once the citizen opens the letter."""

import time

import pytest
import requests

from eformidling.models import Conversation
from postkasse import services as postkasse
from postkasse.models import Letter
from tests.eformidling.conftest import PASSWORD, USERNAME
from tests.postkasse.factories import pdf

VEDTAK = "urn:no:difi:profile:digitalpost:vedtak:ver1.0"

# Step 2a, verbatim.
DIGITAL = """{
    "standardBusinessDocumentHeader": {
        "headerVersion": "1.0",
        "receiver": [{
                "identifier": {
                    "value": "06068700602",
                    "authority": "iso6523-actorid-upis"
                }
            }
        ],
        "documentIdentification": {
            "standard": "urn:no:difi:digitalpost:xsd:digital::digital",
            "typeVersion": "1.0",
            "type": "digital"
        },
        "businessScope": {
            "scope": [{
                    "type": "ConversationId",
                    "identifier": "urn:no:difi:profile:digitalpost:vedtak:ver1.0"
                }
            ]
        }
    },
    "digital": {
        "sikkerhetsnivaa": 3,
        "hoveddokument": "my.pdf",
        "tittel": "Test 3",
        "spraak": "NO",
        "digitalPostInfo": {
            "virkningsdato": "2022-02-14",
            "aapningskvittering": "false"
        },
        "metadataFiler": {
            "my.pdf": "lenke-utenfor-brev.xml"
        }
    }
}"""

LENKE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<lenke xmlns="http://begrep.difi.no/sdp/utvidelser/lenke">
  <url>https://docs.digdir.no</url>
</lenke>"""

# Step 2c, verbatim.
PRINT = """{
    "standardBusinessDocumentHeader": {
        "headerVersion": "1.0",
        "receiver": [{
                "identifier": {
                    "value": "06068700602",
                    "authority": "iso6523-actorid-upis"
                }
            }
        ],
        "documentIdentification": {
            "standard": "urn:no:difi:digitalpost:xsd:fysisk::print",
            "typeVersion": "1.0",
            "type": "print"
        },
        "businessScope": {
            "scope": [{
                    "type": "ConversationId",
                    "identifier": "urn:no:difi:profile:digitalpost:vedtak:ver1.0"
                }
            ]
        }
    },
    "print": {
        "hoveddokument": "my.pdf",
        "mottaker": {
            "navn": "Ola Nordmann",
            "adresselinje1": "Testvegen 2",
            "postnummer": "6853",
            "poststed": "Leikanger",
            "land": "NO"
        },
        "utskriftsfarge": "SORT_HVIT",
        "posttype": "B_OEKONOMI",
        "retur": {
            "mottaker": {
                "navn": "Digitaliseringsdirektoratet avd. Leikanger",
                "adresselinje1": "Skrivarvegen 2",
                "postnummer": "6853",
                "poststed": "Leikanger",
                "land": "NO"
            },
            "returhaandtering": "DIREKTE_RETUR"
        }
    }
}"""


@pytest.fixture
def http(live_server):
    session = requests.Session()
    session.auth = (USERNAME, PASSWORD)
    yield session
    # Closed, and its server thread given a moment to end, while the live server still shares the
    # test's database connection with its threads.
    session.close()
    time.sleep(0.2)


def attach_and_send(http, host, message_id):
    """Steps 3 and 4: curl -XPUT ... --data-binary @my.pdf, then curl -XPOST .../{messageId}."""
    upload = http.put(
        f"{host}/api/messages/out/{message_id}",
        headers={
            "Content-Type": "application/octet-stream",
            "Content-Disposition": "attachment; name=My PDF; filename=my.pdf",
        },
        data=pdf("Vedtak"),
    )
    assert upload.status_code == 200 and upload.content == b""
    sent = http.post(f"{host}/api/messages/out/{message_id}")
    assert sent.status_code == 200, sent.text


def statuses_of(http, host, message_id) -> list[str]:
    """Step 5: curl http://localhost:9093/api/statuses/{messageId}."""
    answer = http.get(f"{host}/api/statuses/{message_id}")
    assert answer.status_code == 200
    page = answer.json()
    assert page["pageable"]["pageNumber"] == 0 and page["sort"]["sorted"] is True
    for status in page["content"]:
        assert status["messageId"] == message_id and isinstance(status["convId"], int)
    return [status["status"] for status in page["content"]]


def test_vedtak_til_innbygger_digital_ends_levert_then_lest_when_the_citizen_opens_it(
    live_server, http, kari, credential
):
    host = live_server.url
    # 1. Capabilities
    capabilities = http.get(f"{host}/api/capabilities/06068700602?process={VEDTAK}")
    assert capabilities.status_code == 200
    assert capabilities.json() == {
        "capabilities": [
            {
                "process": VEDTAK,
                "serviceIdentifier": "DPI",
                "postAddress": {
                    "name": "Kari Nordmann",
                    "street": "Storgata 1",
                    "postalCode": "0150",
                    "postalArea": "OSLO",
                    "country": "Norway",
                },
                "returnAddress": {"name": "Velferdsetaten"},
                "documentTypes": [
                    {"type": "digital", "standard": "urn:no:difi:digitalpost:xsd:digital::digital"}
                ],
            }
        ]
    }
    # 2a. digital is supported: create the message.
    created = http.post(
        f"{host}/api/messages/out", headers={"Content-Type": "application/json"}, data=DIGITAL
    )
    assert created.status_code == 200, created.text
    header = created.json()["standardBusinessDocumentHeader"]
    message_id = header["documentIdentification"]["instanceIdentifier"]
    assert header["sender"] == [
        {"identifier": {"value": "0192:974312344", "authority": "iso6523-actorid-upis"}}
    ]
    scope = header["businessScope"]["scope"][0]
    assert scope["instanceIdentifier"] and scope["scopeInformation"][0]["expectedResponseDateTime"]
    assert created.json()["digital"]["tittel"] == "Test 3"
    # The lenke metadata file, with curl -d (a literal string body).
    lenke = http.put(
        f"{host}/api/messages/out/{message_id}",
        headers={
            "Content-Type": "application/vnd.difi.dpi.lenke+xml",
            "Content-Disposition": "attachment; name=Lenke utenfor brev; filename=lenke-utenfor-brev.xml",
        },
        data=LENKE,
    )
    assert lenke.status_code == 200, lenke.text
    # 3. and 4.
    attach_and_send(http, host, message_id)
    # 5. Follow the status.
    assert statuses_of(http, host, message_id) == ["OPPRETTET", "SENDT", "MOTTATT", "LEVERT"]
    [letter] = postkasse.inbox(kari.identity_number)
    assert letter.title == "Test 3" and letter.status == Letter.Status.DELIVERED
    assert [document.filename for document in letter.documents.all()] == ["my.pdf"]
    # The citizen opens it in the mailbox.
    postkasse.open_letter(kari.identity_number, letter.pk, acr="idporten-loa-substantial")
    assert statuses_of(http, host, message_id) == ["OPPRETTET", "SENDT", "MOTTATT", "LEVERT", "LEST"]
    conversation = http.get(f"{host}/api/conversations/messageId/{message_id}").json()
    assert conversation["finished"] is True and conversation["messageTitle"] == "Test 3"
    assert conversation["direction"] == "OUTGOING" and conversation["serviceIdentifier"] == "DPI"
    # The message is gone from the outgoing messages once sent; the conversation stays.
    assert http.get(f"{host}/api/messages/out/{message_id}").status_code == 404
    assert Conversation.objects.get(message_id=message_id).letter_id == letter.pk
    # Then the status queue, as Digdir's API page does it: peek, delete, until it is empty.
    seen = []
    while (peeked := http.get(f"{host}/api/statuses/peek")).status_code == 200:
        seen.append(peeked.json()["status"])
        assert http.delete(f"{host}/api/statuses/{peeked.json()['id']}").status_code == 200
    assert seen == ["OPPRETTET", "SENDT", "MOTTATT", "LEVERT", "LEST"]
    # Digdir answers the empty queue 204 with its error body; over HTTP a 204 carries no body to read.
    assert peeked.status_code == 204


def test_vedtak_til_innbygger_print_ends_levert_when_printed(live_server, http, digipost, credential):
    from tests.postkasse.factories import citizen

    citizen(identity_number="06068700602", reserved=True)
    host = live_server.url
    capabilities = http.get(f"{host}/api/capabilities/06068700602?process={VEDTAK}").json()["capabilities"]
    assert [c["documentTypes"][0]["type"] for c in capabilities] == ["print"]
    assert capabilities[0]["postAddress"]["postalCode"] == "0150"
    created = http.post(f"{host}/api/messages/out", headers={"Content-Type": "application/json"}, data=PRINT)
    assert created.status_code == 200, created.text
    message_id = created.json()["standardBusinessDocumentHeader"]["documentIdentification"][
        "instanceIdentifier"
    ]
    attach_and_send(http, host, message_id)
    assert statuses_of(http, host, message_id) == ["OPPRETTET", "SENDT", "MOTTATT"]
    letter = Letter.objects.get(pk=Conversation.objects.get(message_id=message_id).letter_id)
    assert letter.status == Letter.Status.AWAITING_PRINT and letter.paper_only and letter.post_class == "B"
    assert letter.return_address[0] == "Digitaliseringsdirektoratet avd. Leikanger"
    # The print room prints and posts the batch.
    from postkasse.services import printing

    batch = letter.print_job.batch
    printing.close_batch(batch, closed_by="trykkeri")
    assert printing.mark_batch_printed(batch, printed_by="trykkeri") == 1
    assert statuses_of(http, host, message_id) == ["OPPRETTET", "SENDT", "MOTTATT", "LEVERT"]
