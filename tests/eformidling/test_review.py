"""The review findings of issue 17 on the integrasjonspunkt: the send grant for Basic credentials,
hostile JSON and print addresses, body and part bounds, failed logins per client address,
retried multipart, DELETE as Digdir's, and status reads that cost the same however many
delivered letters an organisation has."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent
from eformidling.models import Conversation, Credential, MessageStatus, OutgoingFile, OutgoingMessage
from postkasse.models import Letter
from tests.eformidling.conftest import EXAMPLE_RECEIVER, USERNAME, basic
from tests.eformidling.helpers import OUT, create, created_and_sent, digital, message_id, send, upload
from tests.postkasse.factories import pdf
from virksomheter.models import ScopeGrant

PRINT_STANDARD = "urn:no:difi:digitalpost:xsd:fysisk::print"


def nothing_stored() -> bool:
    return not (Conversation.objects.exists() or OutgoingFile.objects.exists() or Letter.objects.exists())


def assert_error(response, status: int, exception: str) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert list(body)[:6] == ["timestamp", "status", "error", "exception", "message", "path"]
    assert body["exception"].endswith(exception), body
    return body


def print_sbd(receiver, **body) -> dict:
    sbd = digital(receiver)
    sbd["standardBusinessDocumentHeader"]["documentIdentification"].update(
        type="print", standard=PRINT_STANDARD
    )
    del sbd["digital"]
    sbd["print"] = {
        "hoveddokument": "vedtak.pdf",
        "mottaker": {
            "navn": "Ola Nordmann",
            "adresselinje1": "Testvegen 2",
            "postnummer": "6853",
            "poststed": "Leikanger",
        },
        **body,
    }
    return sbd


# S1: the send grant


def test_basic_credentials_are_refused_once_the_organisation_has_lost_the_send_grant(
    client, kari, auth, agency
):
    assert client.get(f"/api/capabilities/{EXAMPLE_RECEIVER}", **auth).status_code == 200
    ScopeGrant.objects.filter(organisation=agency, scope=ScopeGrant.Scope.DIGITAL_POST_SEND).delete()
    assert_error(client.get(f"/api/capabilities/{EXAMPLE_RECEIVER}", **auth), 403, "AccessDeniedException")
    assert_error(create(client, auth, digital()), 403, "AccessDeniedException")
    assert nothing_stored()


# S2, S7: hostile JSON in the header


HEADER = "standardBusinessDocumentHeader"


def _sender(value):
    return {"sender": value}


@pytest.mark.parametrize(
    "change",
    [
        _sender([1]),
        _sender([{"identifier": "x"}]),
        _sender([{"identifier": {"value": {"a": 1}, "authority": "iso6523-actorid-upis"}}]),
        {"receiver": ["x"]},
        {"receiver": [{"identifier": {"value": ["06068700602"], "authority": "iso6523-actorid-upis"}}]},
        {"headerVersion": 1},
        {"headerVersion": {"a": "1.0"}},
        {"documentIdentification": {"standard": ["x"], "typeVersion": "1.0", "type": "digital"}},
        {"businessScope": {"scope": [{"type": "ConversationId", "identifier": {"a": 1}}]}},
        {
            "businessScope": {
                "scope": [
                    {
                        "type": "ConversationId",
                        "identifier": "urn:no:difi:profile:digitalpost:vedtak:ver1.0",
                        "scopeInformation": [1],
                    }
                ]
            }
        },
        {
            "businessScope": {
                "scope": [
                    {
                        "type": "ConversationId",
                        "identifier": "urn:no:difi:profile:digitalpost:vedtak:ver1.0",
                        "scopeInformation": {"a": 1},
                    }
                ]
            }
        },
    ],
)
def test_a_header_of_the_wrong_shape_is_a_constraint_violation_and_stores_nothing(client, kari, auth, change):
    sbd = digital()
    if "documentIdentification" in change:
        sbd[HEADER]["documentIdentification"].update(change["documentIdentification"])
    else:
        sbd[HEADER].update(change)
    assert_error(create(client, auth, sbd), 400, "ConstraintViolationException")
    assert nothing_stored()


@pytest.mark.parametrize("value", ["²", "٣", "1" * 5000, "-1"])
def test_a_status_id_that_is_not_a_plain_number_is_an_empty_page(client, kari, auth, value):
    created_and_sent(client, auth)
    response = client.get("/api/statuses", {"id": value}, **auth)
    assert response.status_code == 200 and response.json()["content"] == []


# S3, S7: the print body


@pytest.mark.parametrize(
    "body",
    [
        {"retur": "x"},
        {"retur": ["x"]},
        {"retur": {"mottaker": "x"}},
        {"mottaker": "x"},
        {"mottaker": {"navn": "Ola", "adresselinje1": "Testvegen 2", "postnummer": 6853, "poststed": "X"}},
        {"mottaker": {"navn": "Ola", "adresselinje1": "Testvegen 2", "postnummer": "6853", "poststed": 1}},
        {"mottaker": {"navn": "Ola", "adresselinje1": "Testvegen 2", "postnummer": "68530", "poststed": "X"}},
        {
            "mottaker": {
                "navn": "Ola",
                "adresselinje1": "Testvegen 2",
                "postnummer": "６８５３",
                "poststed": "X",
            }
        },
        {
            "mottaker": {
                "navn": "Ola",
                "adresselinje1": ["Testvegen 2"],
                "postnummer": "6853",
                "poststed": "X",
            }
        },
        {"mottaker": {"navn": "Ola", "adresselinje1": "Testvegen 2", "land": 47}},
        {
            "retur": {
                "mottaker": {
                    "navn": "Etat",
                    "adresselinje1": "Vegen 1",
                    "postnummer": 9999,
                    "poststed": "FJELL",
                }
            }
        },
        {"retur": {"mottaker": {"navn": "Etat", "adresselinje1": "Vegen 1"}, "returhaandtering": ["x"]}},
        {"printinstruksjoner": {"a": 1}},
        {"printinstruksjoner": ["a"]},
    ],
)
def test_a_print_address_of_the_wrong_shape_is_refused_and_nothing_is_stored(client, ola, auth, body):
    response = create(client, auth, print_sbd(ola.identity_number, **body))
    assert response.status_code == 400, response.content
    assert response.json()["exception"].endswith(
        ("ConstraintViolationException", "MissingAddressInformationException")
    )
    assert nothing_stored()


def test_a_print_letter_with_a_well_formed_address_is_still_taken(client, ola, auth):
    sbd = print_sbd(
        ola.identity_number,
        retur={
            "mottaker": {
                "navn": "Etat",
                "adresselinje1": "Vegen 1",
                "postnummer": "9999",
                "poststed": "FJELL",
            }
        },
        printinstruksjoner={"konvolutt": "C5"},
    )
    assert created_and_sent(client, auth, sbd)
    assert Letter.objects.get().return_address == ["Etat", "Vegen 1", "9999 FJELL"]


# S4, S7: bounds before reading


def test_multipart_parts_over_dpis_limit_together_are_refused_before_any_part_is_read(
    client, kari, auth, monkeypatch
):
    def never(self, *args):
        raise AssertionError("a part was read")

    monkeypatch.setattr(UploadedFile, "read", never)
    parts = {f"Vedlegg {n}": _named(f"v{n}.pdf", b"0" * 5_000_000) for n in range(11)}
    response = client.post(f"{OUT}/multipart", {"sbd": json.dumps(digital()), **parts}, **auth)
    assert_error(response, 400, "MaxFileSizeExceededException")
    assert nothing_stored()


def test_a_multipart_body_announced_over_the_bound_is_413_before_it_is_parsed(
    client, kari, auth, monkeypatch
):
    from rest_framework.parsers import MultiPartParser

    monkeypatch.setattr(MultiPartParser, "parse", lambda *args: pytest.fail("parsed"))
    response = client.post(
        f"{OUT}/multipart",
        {"sbd": json.dumps(digital())},
        CONTENT_LENGTH=str(200 * 1024 * 1024),
        **auth,
    )
    assert_error(response, 413, "MaxUploadSizeExceededException")
    assert nothing_stored()


def test_an_sbd_of_2_mb_is_413_and_nothing_is_stored(client, kari, auth):
    sbd = digital()
    sbd["padding"] = "x" * (2 * 1024 * 1024)
    assert_error(create(client, auth, sbd), 413, "MaxUploadSizeExceededException")
    assert nothing_stored()


def _named(name: str, content: bytes):
    import io

    file = io.BytesIO(content)
    file.name = name
    return file


# S8


def test_a_file_without_a_content_type_is_refused_and_not_stored(client, kari, auth):
    mid = message_id(create(client, auth, digital()))
    response = client.generic(
        "PUT",
        f"{OUT}/{mid}",
        pdf(),
        content_type="",
        HTTP_CONTENT_DISPOSITION="attachment; name=Vedtak; filename=vedtak.pdf",
        **auth,
    )
    body = assert_error(response, 400, "MissingHttpHeaderException")
    assert body["message"] == "Expected a HTTP header named 'Content-Type'"
    assert not OutgoingFile.objects.exists()


# S5: failed logins per client address


def test_wrong_passwords_from_one_address_do_not_lock_the_username_for_another(client, kari, credential):
    for _ in range(20):
        wrong = client.get(
            f"/api/capabilities/{EXAMPLE_RECEIVER}",
            HTTP_AUTHORIZATION=basic(password="gjett"),
            REMOTE_ADDR="10.1.1.1",
        )
        assert wrong.status_code == 401
    refused = client.get(
        f"/api/capabilities/{EXAMPLE_RECEIVER}", HTTP_AUTHORIZATION=basic(), REMOTE_ADDR="10.1.1.1"
    )
    assert_error(refused, 401, "BadCredentialsException")
    other = client.get(
        f"/api/capabilities/{EXAMPLE_RECEIVER}", HTTP_AUTHORIZATION=basic(), REMOTE_ADDR="10.2.2.2"
    )
    assert other.status_code == 200, other.content


def test_a_flood_of_unknown_usernames_from_one_address_is_throttled_without_hashing(
    client, kari, credential, monkeypatch
):
    from eformidling import auth

    hashed = []
    original = Credential.set_password
    monkeypatch.setattr(Credential, "set_password", lambda self, raw: hashed.append(1) or original(self, raw))
    for n in range(auth.ADDRESS_FAILURES.limit):
        response = client.get(
            "/api/statuses", HTTP_AUTHORIZATION=basic(f"ukjent-{n}", "x"), REMOTE_ADDR="10.3.3.3"
        )
        assert response.status_code == 401
    assert len(hashed) == auth.ADDRESS_FAILURES.limit
    for n in range(5):
        response = client.get(
            "/api/statuses", HTTP_AUTHORIZATION=basic(f"annen-{n}", "x"), REMOTE_ADDR="10.3.3.3"
        )
        assert_error(response, 401, "BadCredentialsException")
    assert len(hashed) == auth.ADDRESS_FAILURES.limit  # no hash once throttled
    assert AuditEvent.objects.filter(details__reason="too_many_failures").count() == 5
    # The right credentials from that address wait for the hour too; from elsewhere they work.
    assert client.get("/api/statuses", HTTP_AUTHORIZATION=basic(), REMOTE_ADDR="10.3.3.3").status_code == 401
    assert client.get("/api/statuses", HTTP_AUTHORIZATION=basic(), REMOTE_ADDR="10.4.4.4").status_code == 200
    assert USERNAME


# R1: a retried multipart


def test_a_retried_multipart_for_the_same_message_id_gives_the_first_message_and_one_letter(
    client, kari, auth
):
    sbd = digital()
    sbd[HEADER]["documentIdentification"]["instanceIdentifier"] = "9f1b2b9a-6c8e-4d47-9a49-0c6a53c2f8f1"

    def multipart():
        return client.post(
            f"{OUT}/multipart",
            {"sbd": json.dumps(sbd), "Vedtak": SimpleUploadedFile("vedtak.pdf", pdf(), "application/pdf")},
            **auth,
        )

    first = multipart()
    assert first.status_code == 200, first.content
    again = multipart()
    assert again.status_code == 200 and again.json() == first.json()
    assert Letter.objects.count() == 1


def test_a_multipart_for_a_message_being_built_with_the_same_file_is_a_duplicate_not_a_500(
    client, kari, auth
):
    sbd = digital()
    sbd[HEADER]["documentIdentification"]["instanceIdentifier"] = "2a0f4c1e-8d7b-4b8e-9d0e-6f4f0b1c2d3e"
    mid = message_id(create(client, auth, sbd))
    assert upload(client, auth, mid).status_code == 200
    response = client.post(
        f"{OUT}/multipart",
        {"sbd": json.dumps(sbd), "Vedtak": SimpleUploadedFile("vedtak.pdf", pdf(), "application/pdf")},
        **auth,
    )
    assert_error(response, 400, "DuplicateFilenameException")
    assert OutgoingFile.objects.count() == 1 and not Letter.objects.exists()


# C4: DELETE as Digdir's


def test_delete_removes_the_message_and_its_files_and_keeps_the_conversation(client, kari, auth):
    sbd = digital()
    sbd[HEADER]["documentIdentification"]["instanceIdentifier"] = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"
    mid = message_id(create(client, auth, sbd))
    assert upload(client, auth, mid).status_code == 200
    assert client.delete(f"{OUT}/{mid}", **auth).status_code == 200
    assert not OutgoingMessage.objects.exists() and not OutgoingFile.objects.exists()
    assert client.get(f"/api/conversations/messageId/{mid}", **auth).status_code == 200
    assert [row["status"] for row in client.get(f"/api/statuses/{mid}", **auth).json()["content"]] == [
        "OPPRETTET"
    ]
    # As Digdir's, the messageId can be used again for a new message.
    assert message_id(create(client, auth, sbd)) == mid
    assert upload(client, auth, mid).status_code == 200
    assert send(client, auth, mid).status_code == 200
    assert Letter.objects.count() == 1


# R2: status reads whatever the history


def _clone_delivered(count: int) -> None:
    """More delivered, never opened letters and their conversations, as the API leaves them."""
    import uuid

    conversation = Conversation.objects.filter(finished=True, closed=False).first()
    letter = Letter.objects.get(pk=conversation.letter_id)
    statuses = list(MessageStatus.objects.filter(conversation=conversation))
    for _ in range(count):
        letter.pk, letter.idempotency_key = uuid.uuid4(), str(uuid.uuid4())
        letter.save(force_insert=True)
        conversation.pk = None
        conversation.message_id, conversation.conversation_id = uuid.uuid4(), uuid.uuid4()
        conversation.letter_id = letter.pk
        conversation.save(force_insert=True)
        MessageStatus.objects.bulk_create(
            [
                MessageStatus(
                    conversation=conversation,
                    status=row.status,
                    description=row.description,
                    last_update=row.last_update,
                )
                for row in statuses
            ]
        )


def test_a_peek_costs_the_same_with_2_or_600_delivered_unopened_letters(client, kari, auth):
    def queries_for_peek() -> int:
        client.get("/api/statuses/peek", **auth)
        with CaptureQueriesContext(connection) as captured:
            client.get("/api/statuses/peek", **auth)
        return len(captured)

    for _ in range(2):
        created_and_sent(client, auth)
    few = queries_for_peek()
    _clone_delivered(600)
    assert Conversation.objects.filter(finished=True, closed=False).count() == 602
    assert queries_for_peek() == few
    # And a letter among them that the citizen opens is still seen.
    opened = Letter.objects.order_by("?").first()
    Letter.objects.filter(pk=opened.pk).update(opened_at=opened.accepted_at)
    mid = Conversation.objects.get(letter_id=opened.pk).message_id
    assert "LEST" in [row["status"] for row in client.get(f"/api/statuses/{mid}", **auth).json()["content"]]
    assert Conversation.objects.get(letter_id=opened.pk).closed


# A1, C3, S6: capabilities through postkasse's routing rule, named in the audit trail, rate limited


def test_capabilities_follow_postkasses_routing_rule_and_name_the_caller_in_the_audit_trail(
    client, digipost, auth
):
    from folkeregister.models import AddressProtection
    from postkasse import services as postkasse
    from tests.postkasse.factories import citizen

    hidden = citizen(mailbox_provider=digipost, address_protection=AddressProtection.STRENGT_FORTROLIG)
    reach = postkasse.reach(hidden.identity_number, requested_by="test")
    assert reach.digital and reach.print_address is None  # routing delivers digitally, never prints
    answer = client.get(f"/api/capabilities/{hidden.identity_number}", **auth).json()["capabilities"]
    # Digital records with no address: a protected address is neither shown nor printed to.
    assert [c["documentTypes"][0]["type"] for c in answer] == ["digital", "digital"]
    assert all("postAddress" not in c and "returnAddress" not in c for c in answer)
    event = AuditEvent.objects.filter(action="folkeregister.protected_person_lookup").latest("pk")
    assert event.actor == f"eformidling:974312344/{USERNAME}"


def test_capability_lookups_are_limited_per_organisation(client, kari, auth, settings):
    settings.EFORMIDLING_CAPABILITY_LOOKUPS_PER_MINUTE = 3
    for _ in range(3):
        assert client.get(f"/api/capabilities/{EXAMPLE_RECEIVER}", **auth).status_code == 200
    assert_error(client.get(f"/api/capabilities/{EXAMPLE_RECEIVER}", **auth), 429, "ResponseStatusException")
