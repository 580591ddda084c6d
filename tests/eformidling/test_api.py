"""The integrasjonspunkt API through the test client: authentication, capabilities, bad input with
Digdir's error body and nothing stored, the same messageId twice, files, send, paging, statuses,
the status queue, conversations and multipart."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEvent
from eformidling.models import Conversation, Credential, MessageStatus, OutgoingFile, OutgoingMessage
from postkasse import services as postkasse
from postkasse.models import Letter
from postkasse.services import printing
from tests.eformidling.conftest import EXAMPLE_RECEIVER, PASSWORD, basic
from tests.eformidling.helpers import (
    INFO,
    OUT,
    VEDTAK,
    assert_error,
    create,
    created_and_sent,
    digital,
    message_id,
    send,
    statuses,
    upload,
)
from tests.folkeregister.factories import unique_identity_number
from tests.maskinporten.factories import agency_token
from tests.postkasse.factories import citizen, pdf

pytestmark = pytest.mark.django_db


def nothing_stored() -> bool:
    return not (Conversation.objects.exists() or OutgoingFile.objects.exists() or Letter.objects.exists())


def status_names(client, auth, mid) -> list[str]:
    return [row["status"] for row in statuses(client, auth, mid)]


# Authentication


def test_without_credentials_the_answer_is_401_with_the_error_body_and_a_basic_challenge(client, kari):
    response = client.get(f"/api/capabilities/{EXAMPLE_RECEIVER}")
    assert_error(response, 401, "InsufficientAuthenticationException")
    assert response["WWW-Authenticate"] == 'Basic realm="felles"'


def test_a_wrong_password_is_refused_and_audited_without_the_password(client, kari, credential):
    response = client.get(f"/api/capabilities/{EXAMPLE_RECEIVER}", HTTP_AUTHORIZATION=basic(password="feil"))
    assert_error(response, 401, "BadCredentialsException", "Bad credentials")
    event = AuditEvent.objects.get(action="eformidling.basic_auth_failed")
    assert event.outcome == AuditEvent.Outcome.FAILURE and event.actor == credential.username
    assert event.details == {"reason": "wrong_password"} and "feil" not in json.dumps(event.details)


def test_guessing_stops_after_20_wrong_passwords_in_an_hour(client, kari, credential):
    for _ in range(20):
        wrong = client.get(
            f"/api/capabilities/{EXAMPLE_RECEIVER}", HTTP_AUTHORIZATION=basic(password="gjett")
        )
        assert wrong.status_code == 401
    right = client.get(f"/api/capabilities/{EXAMPLE_RECEIVER}", HTTP_AUTHORIZATION=basic())
    assert_error(right, 401, "BadCredentialsException")
    assert AuditEvent.objects.filter(details__reason="too_many_failures").count() == 1


def test_a_checked_password_is_not_hashed_again_but_a_new_password_counts_at_once(
    client, kari, credential, monkeypatch
):
    url = f"/api/capabilities/{EXAMPLE_RECEIVER}"
    calls = []
    original = Credential.check_password
    monkeypatch.setattr(
        Credential, "check_password", lambda self, raw: calls.append(raw) or original(self, raw)
    )
    assert client.get(url, HTTP_AUTHORIZATION=basic()).status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION=basic()).status_code == 200
    assert len(calls) == 1
    credential.set_password("et-nytt-langt-passord")
    credential.save()
    assert client.get(url, HTTP_AUTHORIZATION=basic()).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION=basic(password="et-nytt-langt-passord")).status_code == 200


def test_credentials_are_stored_hashed(credential):
    stored = Credential.objects.get(pk=credential.pk)
    assert PASSWORD not in stored.password and stored.password.startswith("argon2")
    assert stored.check_password(PASSWORD) and not stored.check_password(PASSWORD + "x")


def test_an_inactive_credential_is_refused(client, kari, credential, auth):
    Credential.objects.filter(pk=credential.pk).update(active=False)
    assert client.get(f"/api/capabilities/{EXAMPLE_RECEIVER}", **auth).status_code == 401


def test_a_maskinporten_token_with_the_dpi_send_scope_is_accepted(client, kari, agency):
    token = agency_token("digitalpostinnbygger:send", organisation_number=agency.organisasjonsnummer)
    response = create(client, {"HTTP_AUTHORIZATION": f"Bearer {token}"}, digital())
    assert response.status_code == 200, response.content
    sender = response.json()["standardBusinessDocumentHeader"]["sender"][0]["identifier"]["value"]
    assert sender == "0192:974312344"


def test_a_refused_maskinporten_token_gets_the_bearer_challenge(client, kari, credential):
    response = client.get(f"/api/capabilities/{EXAMPLE_RECEIVER}", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert_error(response, 401, "BadCredentialsException", "Not a JWT.")
    assert response["WWW-Authenticate"] == 'Bearer realm="felles", error="invalid_token"'


def test_a_maskinporten_token_without_the_scope_is_403(client, kari, agency):
    token = agency_token("krr:global/kontaktinformasjon.read", organisation_number=agency.organisasjonsnummer)
    response = client.get(f"/api/capabilities/{EXAMPLE_RECEIVER}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert_error(response, 403, "AccessDeniedException")


def test_a_supplier_sends_for_the_organisation_that_delegated_the_scope_to_it(client, kari, agency):
    from maskinporten import services as maskinporten
    from tests.maskinporten import factories

    send_scope = "digitalpostinnbygger:send"
    customer = factories.organisation(agency.organisasjonsnummer, scopes=[send_scope])
    supplier = factories.organisation("923609016", scopes=[send_scope], name="Leverandør")
    maskinporten.delegate_scope(customer=customer, supplier=supplier, scope=send_scope, granted_by="kunde")
    key = factories.KeyPair()
    registered = factories.client(supplier, scopes=[send_scope], keys=[key])
    assertion = factories.grant(
        registered.client_id, key, scope=send_scope, consumer_org=customer.organisasjonsnummer
    )
    token = maskinporten.issue_token(
        grant_type=factories.GRANT_TYPE, assertion=assertion, issuer=factories.ISSUER
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token['access_token']}"}
    as_customer = digital(
        sender=[{"identifier": {"value": "0192:974312344", "authority": "iso6523-actorid-upis"}}]
    )
    assert create(client, auth, as_customer).status_code == 200
    as_supplier = digital(
        sender=[{"identifier": {"value": "0192:923609016", "authority": "iso6523-actorid-upis"}}]
    )
    assert_error(create(client, auth, as_supplier), 400, "ConstraintViolationException")
    assert Conversation.objects.get().organisation == customer


def test_the_sender_must_be_the_authenticated_organisation(client, kari, auth):
    sbd = digital(sender=[{"identifier": {"value": "0192:964201013", "authority": "iso6523-actorid-upis"}}])
    body = assert_error(create(client, auth, sbd), 400, "ConstraintViolationException")
    assert body["errors"][0]["code"] == "SenderValue"
    assert nothing_stored()


def test_the_organisations_own_sender_value_is_accepted(client, kari, auth):
    sbd = digital(sender=[{"identifier": {"value": "0192:974312344", "authority": "iso6523-actorid-upis"}}])
    assert create(client, auth, sbd).status_code == 200


def test_another_organisation_does_not_see_the_message(client, kari, auth):
    mid = message_id(create(client, auth, digital()))
    other = Credential(organisation=citizen_free_org(), username="annen")
    other.set_password("annet-passord-som-er-langt")
    other.save()
    other_auth = {"HTTP_AUTHORIZATION": basic("annen", "annet-passord-som-er-langt")}
    assert_error(client.get(f"{OUT}/{mid}", **other_auth), 404, "MessageNotFoundException")
    assert client.get(f"/api/statuses/{mid}", **other_auth).json()["content"] == []


def citizen_free_org():
    from virksomheter.models import Organisation, ScopeGrant

    organisation = Organisation.objects.create(
        organisasjonsnummer="964201013", name_nb="Annen etat", kind="municipality"
    )
    ScopeGrant.objects.create(organisation=organisation, scope=ScopeGrant.Scope.DIGITAL_POST_SEND)
    return organisation


# Capabilities


def test_a_citizen_with_a_mailbox_can_get_digital_post_in_both_processes(client, kari, auth):
    answer = client.get(f"/api/capabilities/{EXAMPLE_RECEIVER}", **auth).json()["capabilities"]
    assert [(c["process"], c["documentTypes"][0]["type"]) for c in answer] == [
        (INFO, "digital"),
        (VEDTAK, "digital"),
    ]
    # As the service registry's DPI records (RD "Get capabilities" Example 4): the addresses come with
    # digital records too.
    assert all(c["postAddress"]["name"] == "Kari Nordmann" for c in answer)
    assert all(c["returnAddress"] == {"name": "Velferdsetaten"} for c in answer)


def test_a_reserved_citizen_gets_print_with_the_registered_address(client, ola, auth):
    answer = client.get(f"/api/capabilities/{ola.identity_number}?process={VEDTAK}", **auth).json()
    assert answer == {
        "capabilities": [
            {
                "process": VEDTAK,
                "serviceIdentifier": "DPI",
                "postAddress": {
                    "name": "Ola Nordmann",
                    "street": "Storgata 1",
                    "postalCode": "0150",
                    "postalArea": "OSLO",
                    "country": "Norway",
                },
                "returnAddress": {"name": "Velferdsetaten"},
                "documentTypes": [{"type": "print", "standard": "urn:no:difi:digitalpost:xsd:fysisk::print"}],
            }
        ]
    }


def test_an_organisation_has_no_capabilities_and_cannot_be_sent_digital_post(client, kari, auth):
    assert client.get("/api/capabilities/0192:964201013", **auth).json() == {"capabilities": []}
    assert_error(
        create(client, auth, digital("0192:964201013")), 400, "ReceiverDoesNotAcceptProcessException"
    )
    assert nothing_stored()


def test_capabilities_of_an_invalid_number_and_of_an_unknown_person(client, kari, auth):
    assert_error(client.get("/api/capabilities/123", **auth), 400, "IllegalArgumentException")
    unknown = unique_identity_number()
    assert_error(client.get(f"/api/capabilities/{unknown}", **auth), 404, "IdentifierNotFoundException")


# Bad input: Digdir's error body, nothing stored


def test_malformed_json_is_refused(client, kari, auth):
    response = create(client, auth, '{"standardBusinessDocumentHeader": {')
    assert_error(response, 400, "HttpMessageNotReadableException")
    assert response.json()["message"].startswith("JSON parse error")
    assert nothing_stored()


def test_an_unknown_document_type_is_a_constraint_violation(client, kari, auth):
    sbd = digital()
    sbd["standardBusinessDocumentHeader"]["documentIdentification"]["type"] = "strange"
    body = assert_error(
        create(client, auth, sbd),
        400,
        "jakarta.validation.ConstraintViolationException",
        "standardBusinessDocumentHeader.documentIdentification.type: Must be a NextMove message type",
    )
    assert body["errors"] == [
        {
            "codes": ["MessageType"],
            "defaultMessage": "Must be a NextMove message type",
            "objectName": "standardBusinessDocumentHeader.documentIdentification.type",
            "field": "standardBusinessDocumentHeader.documentIdentification.type",
            "rejectedValue": "strange",
            "bindingFailure": False,
            "code": "MessageType",
        }
    ]
    assert nothing_stored()


def test_missing_header_fields_are_listed(client, kari, auth):
    sbd = digital()
    del sbd["standardBusinessDocumentHeader"]["headerVersion"]
    sbd["standardBusinessDocumentHeader"]["receiver"] = []
    body = assert_error(create(client, auth, sbd), 400, "ConstraintViolationException")
    assert {error["field"] for error in body["errors"]} == {
        "standardBusinessDocumentHeader.headerVersion",
        "standardBusinessDocumentHeader.receiver",
    }
    assert nothing_stored()


def test_an_unknown_process_is_not_accepted_by_the_receiver(client, kari, auth):
    sbd = digital()
    sbd["standardBusinessDocumentHeader"]["businessScope"]["scope"][0]["identifier"] = (
        "urn:no:difi:profile:ukjent:ver1.0"
    )
    body = assert_error(
        create(client, auth, sbd),
        400,
        "ReceiverDoesNotAcceptProcessException",
        "Receiver do not accept the document process urn:no:difi:profile:ukjent:ver1.0",
    )
    assert body["description"].startswith(
        "Error looking up service record with document type 'urn:no:difi:digitalpost:xsd:digital::digital'"
    )
    assert nothing_stored()


@pytest.mark.parametrize(
    ("kind", "standard"),
    [
        ("digital_dpv", "urn:no:difi:digitalpost:xsd:digital::digital_dpv"),
        ("arkivmelding", "urn:no:difi:meldingsutveksling:2.0"),
        ("print", "urn:no:difi:digitalpost:xsd:fysisk::print"),  # kari has a mailbox: no print record
    ],
)
def test_a_document_type_felles_cannot_deliver_is_refused(client, kari, auth, kind, standard):
    sbd = digital()
    sbd["standardBusinessDocumentHeader"]["documentIdentification"].update(type=kind, standard=standard)
    assert_error(create(client, auth, sbd), 400, "ReceiverDoesNotAcceptProcessException")
    assert nothing_stored()


def test_a_type_that_does_not_fit_the_standard_is_refused(client, kari, auth):
    sbd = digital()
    sbd["standardBusinessDocumentHeader"]["documentIdentification"]["type"] = "arkivmelding"
    assert_error(
        create(client, auth, sbd),
        400,
        "MessageTypeDoesNotFitDocumentTypeException",
        "Message type arkivmelding does not match the document type urn:no:difi:digitalpost:xsd:digital::digital",
    )
    assert nothing_stored()


@pytest.mark.parametrize("receiver", ["123", "06068700603", "0192:97431234"])
def test_a_receiver_that_is_not_a_valid_identity_number_is_refused(client, kari, auth, receiver):
    assert_error(
        create(client, auth, digital(receiver)),
        400,
        "java.lang.IllegalArgumentException",
        f"Unable to parse identifier = '{receiver}'",
    )
    assert nothing_stored()


def test_the_digital_body_is_checked_with_the_dpi_limits(client, kari, auth):
    sbd = digital()
    sbd["digital"]["varsler"]["smsTekst"] = "x" * 161
    sbd["digital"]["sikkerhetsnivaa"] = 2
    del sbd["digital"]["tittel"]
    body = assert_error(create(client, auth, sbd), 400, "ConstraintViolationException")
    assert {error["field"] for error in body["errors"]} == {
        "digital.varsler.smsTekst",
        "digital.sikkerhetsnivaa",
        "digital.tittel",
    }
    assert nothing_stored()


def test_a_past_delivery_deadline_is_refused(client, kari, auth):
    sbd = digital()
    past = (timezone.now() - timedelta(minutes=1)).isoformat()
    sbd["standardBusinessDocumentHeader"]["businessScope"]["scope"][0]["scopeInformation"] = [
        {"expectedResponseDateTime": past}
    ]
    body = assert_error(create(client, auth, sbd), 400, "ConstraintViolationException")
    assert body["errors"][0]["code"] == "Future"
    assert nothing_stored()


# The same messageId twice


def test_the_same_message_id_twice_gives_the_first_message_and_one_letter(client, kari, auth):
    first = create(client, auth, digital())
    mid = message_id(first)
    again = digital()
    again["standardBusinessDocumentHeader"]["documentIdentification"]["instanceIdentifier"] = mid
    again["digital"]["tittel"] = "Et annet brev"
    second = create(client, auth, again)
    assert second.status_code == 200 and second.json() == first.json()
    assert upload(client, auth, mid).status_code == 200
    assert send(client, auth, mid).status_code == 200
    # Created again after it was sent: still the first message, never a second letter.
    third = create(client, auth, again)
    assert third.status_code == 200 and third.json()["digital"]["tittel"] == "Vedtak om bostøtte"
    assert Conversation.objects.count() == 1 and Letter.objects.count() == 1


# Files and send


def test_send_without_a_file_is_refused_and_the_message_stays(client, kari, auth):
    mid = message_id(create(client, auth, digital()))
    assert_error(
        send(client, auth, mid), 400, "MissingFileException", "There must always be at least one attachment"
    )
    assert status_names(client, auth, mid) == ["OPPRETTET"] and not Letter.objects.exists()
    assert OutgoingMessage.objects.count() == 1


def test_send_without_the_main_document_is_refused(client, kari, auth):
    mid = message_id(create(client, auth, digital()))
    assert upload(client, auth, mid, filename="vedlegg.pdf", name="Vedlegg").status_code == 200
    assert_error(send(client, auth, mid), 400, "MissingPrimaryDocumentException")
    assert not Letter.objects.exists()


def test_a_metadata_file_named_but_not_uploaded_is_404(client, kari, auth):
    sbd = digital()
    sbd["digital"]["metadataFiler"] = {"vedtak.pdf": "lenke.xml"}
    mid = message_id(create(client, auth, sbd))
    upload(client, auth, mid)
    assert_error(
        send(client, auth, mid), 404, "FileNotFoundException", "File(s) named lenke.xml was not found"
    )
    assert not Letter.objects.exists()


def test_a_file_for_a_message_already_sent_is_404(client, kari, auth):
    mid = created_and_sent(client, auth)
    assert_error(
        upload(client, auth, mid, filename="sent.pdf"),
        404,
        "MessageNotFoundException",
        f"Message with messageId = {mid} was not found",
    )
    assert Letter.objects.get().documents.count() == 1


def test_file_rules_duplicate_name_missing_title_not_a_pdf_and_no_disposition(client, kari, auth):
    mid = message_id(create(client, auth, digital()))
    assert upload(client, auth, mid).status_code == 200
    assert_error(
        upload(client, auth, mid),
        400,
        "DuplicateFilenameException",
        "Filename already exists in message: vedtak.pdf.",
    )
    assert_error(upload(client, auth, mid, filename="vedlegg.pdf", name=""), 400, "MissingFileTitleException")
    assert_error(
        upload(client, auth, mid, filename="bilde.png", content=b"\x89PNG", content_type="image/png"),
        400,
        "InvalidContentTypeException",
    )
    no_header = client.put(f"{OUT}/{mid}", pdf(), content_type="application/pdf", **auth)
    assert_error(
        no_header, 400, "MissingHttpHeaderException", "Expected a HTTP header named 'Content-Disposition'"
    )
    assert OutgoingFile.objects.count() == 1


def test_a_file_name_or_title_longer_than_postkasse_keeps_is_refused(client, kari, auth):
    mid = message_id(create(client, auth, digital()))
    body = assert_error(
        upload(client, auth, mid, filename="x" * 197 + ".pdf"), 400, "ConstraintViolationException"
    )
    assert body["errors"][0]["field"] == "filename"
    assert_error(upload(client, auth, mid, name="T" * 201), 400, "ConstraintViolationException")
    assert not OutgoingFile.objects.exists()


def test_a_document_postkasse_refuses_stores_no_letter_and_keeps_the_message(client, kari, auth):
    mid = message_id(create(client, auth, digital()))
    upload(client, auth, mid, content=b"%PDF-1.4 not really")
    assert_error(send(client, auth, mid), 400, "InvalidDocumentException")
    assert not Letter.objects.exists() and OutgoingMessage.objects.count() == 1
    assert status_names(client, auth, mid) == ["OPPRETTET"]


def test_a_deadline_passed_before_send_gives_levetid_utlopt(client, kari, auth):
    mid = message_id(create(client, auth, digital()))
    upload(client, auth, mid)
    Conversation.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    assert_error(send(client, auth, mid), 400, "TimeToLiveException")
    assert status_names(client, auth, mid) == ["OPPRETTET", "LEVETID_UTLOPT"]
    assert not Letter.objects.exists()


def test_a_sent_message_not_routed_by_its_deadline_expires(client, kari, auth, settings):
    # Queued for a worker that does not come: the letter stays accepted in postkasse.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    mid = created_and_sent(client, auth)
    assert status_names(client, auth, mid) == ["OPPRETTET", "SENDT"]
    Conversation.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    Letter.objects.update(expires_at=timezone.now() - timedelta(seconds=1))  # postkasse has the same deadline
    assert status_names(client, auth, mid) == ["OPPRETTET", "SENDT", "LEVETID_UTLOPT"]
    assert client.get(f"/api/conversations/messageId/{mid}", **auth).json()["finished"] is True


def test_a_print_letter_in_the_print_channel_does_not_expire_waiting_for_its_batch(client, ola, auth):
    sbd = digital(ola.identity_number)
    sbd["standardBusinessDocumentHeader"]["documentIdentification"].update(
        type="print", standard="urn:no:difi:digitalpost:xsd:fysisk::print"
    )
    sbd["print"] = {"hoveddokument": "vedtak.pdf"}
    mid = created_and_sent(client, auth, sbd)
    Conversation.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    assert status_names(client, auth, mid) == ["OPPRETTET", "SENDT", "MOTTATT"]


def test_a_returned_print_letter_ends_in_feil(client, ola, auth):
    sbd = digital(ola.identity_number)
    sbd["standardBusinessDocumentHeader"]["documentIdentification"].update(
        type="print", standard="urn:no:difi:digitalpost:xsd:fysisk::print"
    )
    sbd["print"] = {"hoveddokument": "vedtak.pdf", "posttype": "A_PRIORITERT", "utskriftsfarge": "FARGE"}
    mid = created_and_sent(client, auth, sbd)
    letter = Letter.objects.get()
    assert letter.post_class == "A" and letter.colour
    printing.close_batch(letter.print_job.batch, closed_by="trykkeri")
    printing.mark_batch_printed(letter.print_job.batch, printed_by="trykkeri")
    printing.mark_returned(letter, returned_by="trykkeri", reason="Ukjent adresse")
    rows = statuses(client, auth, mid)
    assert [row["status"] for row in rows] == ["OPPRETTET", "SENDT", "MOTTATT", "LEVERT", "FEIL"]
    assert rows[-1]["description"].startswith(
        "Kvittering fra utskrift og forsendelsestjenesten om at posten ikke"
    )


# Reading and deleting outgoing messages


def test_outgoing_messages_are_paged_filtered_read_and_deleted(client, kari, auth):
    ids = [message_id(create(client, auth, digital())) for _ in range(3)]
    page = client.get(f"{OUT}?page=1&size=2", **auth).json()
    assert list(page) == [
        "content", "pageable", "totalElements", "last", "totalPages", "sort", "numberOfElements", "first",
        "size", "number", "empty",
    ]  # fmt: skip
    assert page["totalElements"] == 3 and page["totalPages"] == 2 and page["numberOfElements"] == 1
    assert page["last"] is True and page["first"] is False and page["pageable"]["offset"] == 2
    assert page["sort"] == {"sorted": False, "unsorted": True, "empty": True}
    filtered = client.get(f"{OUT}?messageId={ids[1]}", **auth).json()["content"]
    assert [message_id_of(sbd) for sbd in filtered] == [ids[1]]
    assert message_id_of(client.get(f"{OUT}/{ids[0]}", **auth).json()) == ids[0]
    assert client.delete(f"{OUT}/{ids[0]}", **auth).status_code == 200
    assert client.delete(f"{OUT}/{ids[0]}", **auth).status_code == 200  # nothing to delete: no error
    assert_error(client.get(f"{OUT}/{ids[0]}", **auth), 404, "MessageNotFoundException")
    assert client.get(OUT, **auth).json()["totalElements"] == 2


def message_id_of(sbd) -> str:
    return sbd["standardBusinessDocumentHeader"]["documentIdentification"]["instanceIdentifier"]


def test_there_is_no_delete_of_all_outgoing_messages(client, kari, auth):
    create(client, auth, digital())
    assert_error(client.delete(OUT, **auth), 405, "HttpRequestMethodNotSupportedException")
    assert OutgoingMessage.objects.count() == 1


# Statuses, the status queue and conversations


def test_statuses_are_filtered_and_peeked_then_deleted_from_the_queue(client, kari, auth):
    mid = created_and_sent(client, auth)
    everything = client.get("/api/statuses", **auth).json()
    assert [row["status"] for row in everything["content"]] == ["OPPRETTET", "SENDT", "MOTTATT", "LEVERT"]
    assert everything["sort"]["sorted"] is True
    levert = client.get(f"/api/statuses?messageId={mid}&status=LEVERT", **auth).json()["content"]
    assert [row["status"] for row in levert] == ["LEVERT"]
    assert client.get("/api/statuses?status=LEST", **auth).json()["content"] == []
    seen = []
    while (peeked := client.get("/api/statuses/peek", **auth)).status_code == 200:
        seen.append(peeked.json()["status"])
        assert client.delete(f"/api/statuses/{peeked.json()['id']}", **auth).status_code == 200
    assert seen == ["OPPRETTET", "SENDT", "MOTTATT", "LEVERT"]
    # Digdir's 204 has its error body; HTTP clients (and the test client) drop a 204's body.
    assert peeked.status_code == 204 and peeked["Content-Type"] == "application/json"
    assert client.delete(f"/api/statuses/{levert[0]['id']}", **auth).status_code == 404


def test_statuses_between_two_moments(client, kari, auth):
    created_and_sent(client, auth)
    now = timezone.now()
    around = f"fromDateTime={(now - timedelta(hours=1)).isoformat()}&toDateTime={(now + timedelta(hours=1)).isoformat()}"
    later = f"fromDateTime={(now + timedelta(hours=1)).isoformat()}&toDateTime={(now + timedelta(hours=2)).isoformat()}"
    assert (
        client.get(f"/api/statuses?{around}", **auth).json()["totalElements"] == 4
    )  # "+00:00" read as " 00:00"
    assert client.get(f"/api/statuses?{later}", **auth).json()["totalElements"] == 0
    only_from = f"fromDateTime={(now + timedelta(hours=1)).isoformat()}"
    assert client.get(f"/api/statuses?{only_from}", **auth).json()["totalElements"] == 4  # both, or no filter


def test_statuses_of_an_unknown_message_are_an_empty_page(client, kari, auth):
    page = client.get("/api/statuses/7c5b1c04-7b2e-4d4e-9b6f-2d6a3b9c0d11", **auth).json()
    assert page["content"] == [] and page["totalElements"] == 0 and page["empty"] is True


def test_conversations_show_the_message_and_its_statuses(client, kari, auth):
    mid = created_and_sent(client, auth)
    [conversation] = client.get("/api/conversations", **auth).json()["content"]
    assert conversation["messageId"] == mid and conversation["processIdentifier"] == VEDTAK
    assert conversation["receiverIdentifier"] == EXAMPLE_RECEIVER
    assert [s["status"] for s in conversation["messageStatuses"]] == [
        "OPPRETTET",
        "SENDT",
        "MOTTATT",
        "LEVERT",
    ]
    assert client.get(f"/api/conversations/{conversation['id']}", **auth).json()["messageId"] == mid
    assert client.get("/api/conversations?finished=false", **auth).json()["content"] == []
    assert client.get("/api/conversations/queue", **auth).json()["content"] == []  # delivered: not pollable
    assert_error(client.get("/api/conversations/999999", **auth), 404, "ConversationNotFoundException")
    assert client.delete(f"/api/conversations/messageId/{mid}", **auth).status_code == 200
    assert_error(client.get(f"/api/conversations/messageId/{mid}", **auth), 404, "MessageNotFoundException")


def test_lest_after_the_citizen_opens_the_letter(client, kari, auth):
    mid = created_and_sent(client, auth)
    letter = Letter.objects.get()
    postkasse.open_letter(kari.identity_number, letter.pk, acr="idporten-loa-substantial")
    assert status_names(client, auth, mid)[-1] == "LEST"
    assert MessageStatus.objects.filter(status="LEST").count() == 1
    assert status_names(client, auth, mid).count("LEST") == 1


# Multipart


def test_multipart_creates_attaches_and_sends_in_one_request(client, kari, auth):
    response = client.post(
        f"{OUT}/multipart",
        {"sbd": json.dumps(digital()), "Vedtak": upload_file("vedtak.pdf", pdf())},
        **auth,
    )
    assert response.status_code == 200, response.content
    mid = message_id(response)
    assert status_names(client, auth, mid) == ["OPPRETTET", "SENDT", "MOTTATT", "LEVERT"]
    assert Letter.objects.get().title == "Vedtak om bostøtte"


def test_multipart_with_a_bad_file_stores_nothing(client, kari, auth):
    response = client.post(
        f"{OUT}/multipart",
        {"sbd": json.dumps(digital()), "Bilde": upload_file("bilde.png", b"\x89PNG", "image/png")},
        **auth,
    )
    assert_error(response, 400, "InvalidContentTypeException")
    assert nothing_stored()


def upload_file(name, content, content_type="application/pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def test_following_many_letters_costs_no_more_queries_than_following_few(client, kari, auth):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_statuses() -> int:
        client.get("/api/statuses", **auth)  # registers what is new
        with CaptureQueriesContext(connection) as captured:
            client.get("/api/statuses", **auth)
        return len(captured)

    for _ in range(2):
        created_and_sent(client, auth)
    few = queries_for_statuses()
    for _ in range(4):
        created_and_sent(client, auth)
    assert queries_for_statuses() == few


def test_unknown_properties_are_ignored_neither_kept_nor_answered(client, kari, auth):
    sbd = digital()
    sbd["standardBusinessDocumentHeader"]["businessScope"]["scope"].append(
        {"type": "ReceiverRef", "identfier": "x"}
    )
    sbd["standardBusinessDocumentHeader"]["unknown"] = 1
    sbd["digital"]["ikkeSensitivTittel"] = "not a field of the digital body"
    sbd["somethingElse"] = {}
    answer = create(client, auth, sbd).json()
    assert set(answer) == {"standardBusinessDocumentHeader", "digital"}
    assert "unknown" not in answer["standardBusinessDocumentHeader"]
    assert "ikkeSensitivTittel" not in answer["digital"]
    assert answer["standardBusinessDocumentHeader"]["businessScope"]["scope"][1]["type"] == "ReceiverRef"
    assert Conversation.objects.get().sbd == answer


def test_a_notice_that_cannot_be_sent_is_feil_after_levert(client, digipost, auth):
    unreachable = citizen(mailbox_provider=digipost, mobile="", email="")
    sbd = digital(unreachable.identity_number)
    sbd["standardBusinessDocumentHeader"]["businessScope"]["scope"][0]["identifier"] = INFO
    mid = created_and_sent(client, auth, sbd)
    rows = statuses(client, auth, mid)
    assert [row["status"] for row in rows] == ["OPPRETTET", "SENDT", "MOTTATT", "LEVERT", "FEIL"]
    assert rows[-1]["description"] == "Kvittering for at en spesifisert varsling ikke har blitt sendt"


def test_a_multipart_file_over_5_mb_is_refused(client, kari, auth):
    large = upload_file("vedtak.pdf", b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024))
    response = client.post(f"{OUT}/multipart", {"sbd": json.dumps(digital()), "Vedtak": large}, **auth)
    assert_error(
        response,
        400,
        "MultipartFileToLargeException",
        "The attachment named 'Vedtak' is too large. The maximum size for multipart requests is 5,242,880 bytes. "
        "Please use the non-multipart API to avoid such problems.",
    )
    assert nothing_stored()
