"""Arkivmelding (DPO) through the integrasjonspunkt's REST API, as another organisation's case
system uses it with a Maskinporten token: the receiver's capability, a message filed in the
receiver's archive in Felles with the receipt on the sender's statuses, and every refusal answered
in Digdir's error body with nothing stored."""

import json

import orjson
import pytest

from eformidling.models import Conversation
from saksarkiv import services as saksarkiv
from saksarkiv.models import Journalpost
from saksarkiv.services.api_handler import system_handler
from tests.eformidling import arkivmelding_examples as examples
from tests.eformidling.helpers import OUT, create, message_id, send, upload
from tests.maskinporten.factories import agency_token
from tests.postkasse.factories import pdf
from tests.saksarkiv.factories import organisation

pytestmark = pytest.mark.django_db
EXCEPTIONS = "no.difi.meldingsutveksling.exceptions."


@pytest.fixture
def token(db) -> dict:
    made = agency_token("digitalpostinnbygger:send", organisation_number="974312344")
    return {"HTTP_AUTHORIZATION": f"Bearer {made}"}


@pytest.fixture
def receiver(db):
    return organisation(examples.RECEIVER, examples.RECEIVER_NAME)


def _created(client, token, document=None) -> str:
    response = create(client, token, document or examples.sbd())
    assert response.status_code == 200, response.content
    return message_id(response)


def _upload_all(client, token, mid, *, xml=None, files=None):
    response = upload(
        client, token, mid, filename="arkivmelding.xml", name="arkivmelding",
        content=xml or examples.arkivmelding(), content_type="application/xml",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    for filename, content in (
        files or {"bestilling.pdf": pdf("Bestilling"), "tegning.pdf": pdf("Tegning")}
    ).items():
        response = upload(client, token, mid, filename=filename, name=filename, content=content)
        assert response.status_code == 200, response.content


def _statuses(client, token, mid) -> list[dict]:
    response = client.get(f"/api/statuses/{mid}", **token)
    assert response.status_code == 200, response.content
    return response.json()["content"]


def _filed(receiver):
    return Journalpost.objects.filter(saksmappe__arkivdel__arkiv__organisation=receiver)


def test_an_organisation_in_felles_is_capable_of_arkivmelding(client, token, receiver):
    response = client.get(f"/api/capabilities/{examples.RECEIVER}", **token)
    assert response.status_code == 200
    assert response.json() == {
        "capabilities": [
            {
                "process": examples.PROCESS,
                "serviceIdentifier": "DPO",
                "documentTypes": [{"type": "arkivmelding", "standard": examples.STANDARD}],
            }
        ]
    }


def test_an_organisation_not_in_felles_has_no_capability(client, token):
    response = client.get("/api/capabilities/0192:923609016", **token)
    assert response.status_code == 200 and response.json() == {"capabilities": []}


def test_an_arkivmelding_is_filed_at_the_receiver_and_the_receipt_comes_back(client, token, receiver):
    mid = _created(client, token)
    _upload_all(client, token, mid)
    response = send(client, token, mid)
    assert response.status_code == 200, response.content
    [journalpost] = _filed(receiver)
    assert journalpost.journalposttype == "I" and journalpost.tittel == "Nye lysrør"
    assert journalpost.dokumenter.count() == 2
    found = _statuses(client, token, mid)
    assert [status["status"] for status in found] == ["OPPRETTET", "SENDT", "MOTTATT", "LEVERT", "LEST"]
    assert found[-1]["description"] == "ArkivmeldingKvittering: OK"
    assert json.loads(found[-1]["rawReceipt"]) == {
        "hoveddokument": None,
        "receiptType": "OK",
        "relatedToMessageId": mid,
        "messages": [],
    }
    conversation = client.get(f"/api/conversations/messageId/{mid}", **token).json()
    assert conversation["serviceIdentifier"] == "DPO" and conversation["finished"] is True
    # The message is sent: it is no longer among the outgoing ones.
    assert client.get(f"{OUT}/{mid}", **token).status_code == 404


def test_an_arkivmelding_naming_the_receivers_case_is_filed_on_it(client, token, receiver):
    case = saksarkiv.create_saksmappe(system_handler(receiver), tittel="Vedlikehold av skolene")
    mid = _created(client, token)
    _upload_all(client, token, mid, xml=examples.arkivmelding(mappe=case.system_id))
    assert send(client, token, mid).status_code == 200
    assert _filed(receiver).get().saksmappe == case


def test_the_same_message_id_again_files_nothing_twice(client, token, receiver):
    document = examples.sbd()
    mid = _created(client, token, document)
    _upload_all(client, token, mid)
    assert send(client, token, mid).status_code == 200
    document["standardBusinessDocumentHeader"]["documentIdentification"]["instanceIdentifier"] = mid
    assert _created(client, token, document) == mid
    assert _filed(receiver).count() == 1


def _refused_and_nothing_stored(client, token, mid, receiver, response, exception):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["exception"] == EXCEPTIONS + exception and body["path"] == f"{OUT}/{mid}"
    assert not _filed(receiver).exists()
    assert [status["status"] for status in _statuses(client, token, mid)] == ["OPPRETTET"]
    assert client.get(f"{OUT}/{mid}", **token).status_code == 200  # still there to be put right
    return body


def test_an_arkivmelding_invalid_against_the_schema_is_refused(client, token, receiver):
    mid = _created(client, token)
    _upload_all(
        client, token, mid, xml=examples.arkivmelding().replace(b"<tittel>Nye lysr", b"<titel>Nye lysr")
    )
    body = _refused_and_nothing_stored(
        client, token, mid, receiver, send(client, token, mid), "UnmarshalArkivmeldingException"
    )
    assert body["message"] == "Unable to unmarshal arkivmelding"


def test_a_message_without_arkivmelding_xml_is_refused(client, token, receiver):
    mid = _created(client, token)
    assert upload(client, token, mid, filename="bestilling.pdf", content=pdf()).status_code == 200
    _refused_and_nothing_stored(
        client, token, mid, receiver, send(client, token, mid), "MissingArkivmeldingException"
    )


def test_a_document_the_arkivmelding_names_but_the_message_lacks_is_refused(client, token, receiver):
    mid = _created(client, token)
    _upload_all(client, token, mid, files={"bestilling.pdf": pdf("Bestilling")})
    body = _refused_and_nothing_stored(
        client, token, mid, receiver, send(client, token, mid), "MissingArkivmeldingFileException"
    )
    assert body["message"].endswith(": tegning.pdf")


def test_a_document_that_is_not_a_pdf_is_refused(client, token, receiver):
    mid = _created(client, token)
    assert (
        upload(
            client,
            token,
            mid,
            filename="tegning.docx",
            content=b"PK\x03\x04",
            content_type="application/msword",
        ).status_code
        == 400
    )
    _upload_all(
        client,
        token,
        mid,
        files={"bestilling.pdf": pdf("Bestilling"), "tegning.pdf": b"PK\x03\x04 not a pdf"},
    )
    _refused_and_nothing_stored(
        client, token, mid, receiver, send(client, token, mid), "InvalidDocumentException"
    )


def test_a_receiver_not_in_felles_is_refused(client, token):
    response = create(client, token, examples.sbd("923609016"))
    assert response.status_code == 400
    assert response.json()["exception"] == EXCEPTIONS + "ReceiverDoesNotAcceptProcessException"
    assert not Conversation.objects.exists()


@pytest.mark.parametrize(
    "hostile",
    [
        pytest.param(examples.BILLION_LAUGHS, id="billion-laughs"),
        pytest.param(examples.external_entity("/etc/passwd"), id="external-entity"),
        pytest.param(examples.deep(), id="100000-deep"),
    ],
)
def test_hostile_xml_is_refused_without_a_500(client, token, receiver, hostile):
    mid = _created(client, token)
    _upload_all(client, token, mid, xml=hostile)
    response = send(client, token, mid)
    body = _refused_and_nothing_stored(
        client, token, mid, receiver, response, "UnmarshalArkivmeldingException"
    )
    assert "root:" not in orjson.dumps(body).decode()


def test_the_next_message_about_the_same_case_goes_on_the_case_the_first_got(client, token, receiver):
    their_case = "{43FBE161-7AAC-4C9F-A888-D8167AAB4144}"  # a GUID as some case systems spell it
    for xml in (examples.arkivmelding(mappe=their_case), examples.arkivmelding(mappe=their_case.lower())):
        mid = _created(client, token)
        _upload_all(client, token, mid, xml=xml)
        assert send(client, token, mid).status_code == 200
    first, second = _filed(receiver).order_by("pk")
    assert first.saksmappe == second.saksmappe and first.saksmappe.tittel == "Nye lysrør Hauketo skole"


def test_the_receipt_waits_in_the_senders_queue_of_messages_in(client, token, receiver):
    mid = _created(client, token)
    _upload_all(client, token, mid)
    assert send(client, token, mid).status_code == 200
    conversation_id = client.get(f"/api/conversations/messageId/{mid}", **token).json()["conversationId"]
    [listed] = client.get("/api/messages/in", **token).json()["content"]
    peeked = client.get("/api/messages/in/peek", **token)
    assert peeked.status_code == 200 and peeked.json() == listed
    header = listed["standardBusinessDocumentHeader"]
    assert header["documentIdentification"]["type"] == "arkivmelding_kvittering"
    assert (
        header["documentIdentification"]["standard"]
        == "urn:no:difi:arkivmelding:xsd::arkivmelding_kvittering"
    )
    assert header["sender"][0]["identifier"]["value"] == f"0192:{examples.RECEIVER}"
    scope = header["businessScope"]["scope"][0]
    assert (scope["identifier"], scope["instanceIdentifier"]) == (
        "urn:no:difi:profile:arkivmelding:response:ver1.0",
        conversation_id,
    )
    assert listed["arkivmelding_kvittering"] == {
        "receiptType": "OK",
        "relatedToMessageId": mid,
        "messages": [],
    }
    receipt_id = header["documentIdentification"]["instanceIdentifier"]
    assert client.get("/api/messages/in/peek", **token).status_code == 204  # taken by the first peek
    assert (
        client.get(f"/api/messages/in/pop/{receipt_id}", **token).status_code == 204
    )  # a receipt has no ASiC
    deleted = client.delete(f"/api/messages/in/{receipt_id}", **token)
    assert deleted.status_code == 200 and deleted.json() == listed
    assert client.get("/api/messages/in", **token).json()["content"] == []


def test_a_message_in_not_taken_by_a_peek_cannot_be_deleted(client, token, receiver):
    mid = _created(client, token)
    _upload_all(client, token, mid)
    assert send(client, token, mid).status_code == 200
    [listed] = client.get("/api/messages/in", **token).json()["content"]
    receipt_id = listed["standardBusinessDocumentHeader"]["documentIdentification"]["instanceIdentifier"]
    response = client.delete(f"/api/messages/in/{receipt_id}", **token)
    assert response.status_code == 400
    assert response.json()["exception"] == EXCEPTIONS + "MessageNotLockedException"
    assert client.delete("/api/messages/in/not-a-uuid", **token).status_code == 404
    assert len(client.get("/api/messages/in", **token).json()["content"]) == 1


def test_an_organisation_in_felles_takes_arkivmelding_only_not_digital_post(client, token, receiver):
    vedtak = "urn:no:difi:profile:digitalpost:vedtak:ver1.0"
    found = client.get(f"/api/capabilities/0192:{examples.RECEIVER}?process={vedtak}", **token)
    assert found.json() == {"capabilities": []}
    document = examples.sbd()
    identification = document["standardBusinessDocumentHeader"]["documentIdentification"]
    identification.update(standard="urn:no:difi:digitalpost:xsd:digital::digital", type="digital")
    document["standardBusinessDocumentHeader"]["businessScope"]["scope"][0]["identifier"] = vedtak
    response = create(client, token, document)
    assert response.status_code == 400
    assert response.json()["exception"] == EXCEPTIONS + "ReceiverDoesNotAcceptProcessException"


def test_the_receiver_follows_the_message_as_an_incoming_conversation(client, token, receiver):
    mid = _created(client, token)
    _upload_all(client, token, mid)
    assert send(client, token, mid).status_code == 200
    theirs = {
        "HTTP_AUTHORIZATION": "Bearer "
        + agency_token("digitalpostinnbygger:send", organisation_number=examples.RECEIVER)
    }
    [incoming] = client.get("/api/conversations?direction=INCOMING", **theirs).json()["content"]
    assert (incoming["messageId"], incoming["direction"], incoming["finished"]) == (mid, "INCOMING", True)
    assert [s["status"] for s in incoming["messageStatuses"]] == ["INNKOMMENDE_MOTTATT", "INNKOMMENDE_LEVERT"]
    assert client.get("/api/conversations?direction=OUTGOING", **theirs).json()["content"] == []
    # The sender's side stays its own: one outgoing conversation.
    [outgoing] = client.get("/api/conversations", **token).json()["content"]
    assert outgoing["direction"] == "OUTGOING" and outgoing["messageId"] == mid


def test_an_organisation_may_send_an_arkivmelding_to_its_own_archive(client, token):
    own = "974312344"
    mid = _created(client, token, examples.sbd(own))
    _upload_all(client, token, mid)
    assert send(client, token, mid).status_code == 200
    assert (
        Journalpost.objects.filter(saksmappe__arkivdel__arkiv__organisation__organisasjonsnummer=own).count()
        == 1
    )
    assert client.get(f"/api/conversations/messageId/{mid}", **token).json()["direction"] == "OUTGOING"
