"""The agency API of Sikker digital post: POST /api/post/v1/forsendelser, the letter's state and
receipts, and the receipt feed, with a Maskinporten token carrying the send scope."""

import base64
import json
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command

from postkasse import services
from postkasse.api import views
from postkasse.models import Letter, Receipt
from tests.kontaktregister.test_lookup import agency_token
from tests.postkasse.factories import citizen, pdf, providers, send, sender
from virksomheter import services as virksomheter
from virksomheter.demo import seed_demo_organisations
from virksomheter.models import Organisation

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
import maskinporten_client  # noqa: E402
import post_client  # noqa: E402

from maskinporten import services as maskinporten_services  # noqa: E402

pytestmark = pytest.mark.django_db
URL = "/api/post/v1/forsendelser"
FEED = "/api/post/v1/kvitteringer"
SCOPE = "digitalpostinnbygger:send"
OTHER_AGENCY = "964201013"


@pytest.fixture
def digipost(settings, tmp_path):
    sender()
    return providers(settings, tmp_path)[0]


@pytest.fixture
def person(digipost):
    return citizen(mailbox_provider=digipost)


def auth(scope=SCOPE, organisation_number="974312344") -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {agency_token(scope, organisation_number=organisation_number)}"}


def document(content: bytes = b"", **fields) -> dict:
    return {
        "tittel": "Vedtak",
        "filnavn": "vedtak.pdf",
        "innhold": base64.b64encode(content or pdf()).decode(),
        **fields,
    }


def body(person, **fields) -> dict:
    return {"mottaker": person.identity_number, "tittel": "Vedtak", "dokumenter": [document()], **fields}


def post(client, data, *, key="key-1", headers=None, **kwargs):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    raw = data if isinstance(data, (bytes, str)) else json.dumps(data)
    return client.post(
        URL, raw, content_type="application/json", **extra, **(auth(**kwargs) if headers is None else headers)
    )


def nothing_stored(private_files_in_tmp) -> bool:
    files = [path for path in private_files_in_tmp.rglob("*") if path.is_file()]
    return not Letter.objects.exists() and not files


# Sending


def test_a_new_letter_answers_201_with_its_id_status_and_receipts(client, person):
    response = post(client, body(person))
    assert response.status_code == 201
    answer = response.json()
    letter = Letter.objects.get()
    assert answer["id"] == str(letter.pk) and response["Location"] == f"{URL}/{letter.pk}"
    # As accepted: routing follows in a task (here inline, after the answer was made).
    assert answer["status"] == "accepted" and answer["kanal"] is None and answer["kvitteringer"] == []
    assert answer["mottatt"] and answer["pris_oere"] is None
    now = client.get(response["Location"], **auth()).json()
    assert now["status"] == "delivered" and now["kanal"] == "digital" and now["pris_oere"] == 800
    assert [receipt["type"] for receipt in now["kvitteringer"]] == ["levert"]
    assert letter.sender.organisasjonsnummer == "974312344" and letter.idempotency_key == "key-1"


def test_every_field_reaches_the_letter(client, person):
    response = post(
        client,
        body(
            person,
            tittel="Brev fra Velferdsetaten",
            sensitiv_tittel="Vedtak om bostøtte",
            dokumenter=[document(), document(pdf("Vedlegg"), tittel="Vedlegg", filnavn="vedlegg.pdf")],
            sikkerhetsnivaa=4,
            virkningsdato="2030-01-01T08:00:00+01:00",
            prioritet="prioritert",
            varsling={"sms": False, "epost": True, "paaminnelse_etter_dager": [7, 3]},
            aapningskvittering=True,
            utskrift={
                "tillatt": False,
                "postklasse": "A",
                "farge": True,
                "returadresse": ["Postboks 1", "0101 Oslo"],
            },
        ),
    )
    assert response.status_code == 201
    letter = Letter.objects.get()
    assert (letter.title, letter.sensitive_title) == ("Brev fra Velferdsetaten", "Vedtak om bostøtte")
    assert letter.security_level == 4 and letter.priority == "prioritert"
    assert letter.virkningsdato.isoformat() == "2030-01-01T07:00:00+00:00"
    assert (letter.notify_sms, letter.notify_email, letter.reminder_days) == (False, True, [3, 7])
    assert letter.opening_receipt and not letter.print_fallback
    assert (letter.post_class, letter.colour, letter.return_address) == (
        "A",
        True,
        ["Postboks 1", "0101 Oslo"],
    )
    documents = list(letter.documents.values_list("position", "title", "filename", "size"))
    assert documents == [
        (0, "Vedtak", "vedtak.pdf", len(pdf())),
        (1, "Vedlegg", "vedlegg.pdf", len(pdf("Vedlegg"))),
    ]


def test_left_out_options_keep_the_defaults(client, person):
    assert post(client, body(person)).status_code == 201
    letter = Letter.objects.get()
    assert letter.security_level == 3 and letter.priority == "normal" and letter.virkningsdato is None
    assert letter.notify_sms and letter.notify_email and letter.reminder_days == []
    assert not letter.opening_receipt and letter.print_fallback and letter.post_class == "B"


def test_retrying_with_the_same_key_answers_200_with_the_same_letter(client, person):
    first = post(client, body(person), key="retry-1")
    again = post(client, body(person), key="retry-1")
    assert (first.status_code, again.status_code) == (201, 200)
    # The same letter: as accepted the first time, as it is now (routed inline here) the second.
    assert again.json()["id"] == first.json()["id"] and again.json()["mottatt"] == first.json()["mottatt"]
    assert (first.json()["status"], again.json()["status"]) == ("accepted", "delivered")
    assert Letter.objects.count() == 1


def test_the_same_key_from_another_organisation_is_another_letter(client, person):
    Organisation.objects.create(organisasjonsnummer=OTHER_AGENCY, name_nb="Lånefondet", kind="state_agency")
    first = post(client, body(person), key="shared")
    other = post(client, body(person), key="shared", organisation_number=OTHER_AGENCY)
    assert (first.status_code, other.status_code) == (201, 201)
    assert first.json()["id"] != other.json()["id"]


@pytest.mark.parametrize("key", [None, "", "   ", "x" * 101])
def test_without_a_usable_idempotency_key_nothing_is_sent(client, person, key, private_files_in_tmp):
    response = post(client, body(person), key=key)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"
    assert "Idempotency-Key" in response.json()["detail"]
    assert nothing_stored(private_files_in_tmp)


def test_invalid_base64_is_a_field_error_and_nothing_is_stored(client, person, private_files_in_tmp):
    response = post(client, body(person, dokumenter=[{"filnavn": "vedtak.pdf", "innhold": "JVBER i0x@"}]))
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "invalid_letter"
    assert answer["detail"] == "dokumenter.0.innhold: Ikke gyldig base64."
    assert answer["field_errors"]["dokumenter"]["0"]["innhold"] == ["Ikke gyldig base64."]
    assert nothing_stored(private_files_in_tmp)


def test_missing_and_wrong_fields_are_named(client, person, private_files_in_tmp):
    data = body(person, sikkerhetsnivaa=5, utskrift={"postklasse": "C"})
    del data["mottaker"]
    response = post(client, data)
    assert response.status_code == 400
    errors = response.json()["field_errors"]
    assert set(errors) == {"mottaker", "sikkerhetsnivaa", "utskrift"}
    assert "mottaker: Dette feltet er påkrevd." in response.json()["detail"]
    assert nothing_stored(private_files_in_tmp)


def test_a_document_that_is_not_a_pdf_is_refused_with_the_service_message(
    client, person, private_files_in_tmp
):
    response = post(client, body(person, dokumenter=[document(b"not a pdf at all", filnavn="brev.pdf")]))
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_letter", "detail": "brev.pdf er ikke en PDF."}
    assert nothing_stored(private_files_in_tmp)


def test_an_invalid_recipient_is_refused(client, digipost, private_files_in_tmp):
    response = post(client, {"mottaker": "12345678901", "tittel": "Vedtak", "dokumenter": [document()]})
    assert response.status_code == 400 and response.json()["code"] == "invalid_letter"
    assert nothing_stored(private_files_in_tmp)


def test_a_letter_without_documents_is_refused(client, person):
    response = post(client, body(person, dokumenter=[]))
    assert response.status_code == 400
    assert "hoveddokument" in response.json()["detail"]


def test_malformed_json_is_refused(client, person):
    response = post(client, '{"mottaker": ')
    assert response.status_code == 400 and response.json()["code"] == "invalid_json"
    assert not Letter.objects.exists()


def test_a_body_above_the_letter_limit_is_refused_before_it_is_read(
    client, person, settings, private_files_in_tmp
):
    settings.POSTKASSE_MAX_LETTER_BYTES = 1000
    response = post(client, body(person, tittel="x" * (views.max_body_bytes() + 1)))
    assert response.status_code == 413
    assert response.json()["code"] == "letter_too_large"
    assert "1000" in response.json()["detail"]
    assert nothing_stored(private_files_in_tmp)


def test_the_limit_allows_for_base64(client, person, settings, monkeypatch):
    settings.POSTKASSE_MAX_LETTER_BYTES = len(pdf())
    monkeypatch.setattr(views, "JSON_ALLOWANCE_BYTES", 1024)
    assert post(client, body(person)).status_code == 201


def test_without_a_token_the_answer_is_401(client, person):
    response = post(client, body(person), headers={})
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_without_the_send_scope_the_answer_is_403(client, person):
    response = post(client, body(person), scope="krr:kontaktinformasjon")
    assert response.status_code == 403 and response.json()["error"] == "insufficient_scope"
    assert not Letter.objects.exists()


def test_a_token_stops_working_when_the_organisation_loses_the_scope(client, person, settings):
    settings.MASKINPORTEN_REVOCATION_CHECK_SECONDS = 0
    headers = auth()
    virksomheter.withdraw_scope(
        Organisation.objects.get(organisasjonsnummer="974312344"), SCOPE, withdrawn_by="test"
    )
    response = post(client, body(person), headers=headers)
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"
    assert not Letter.objects.exists()


# The letter


def test_the_sender_reads_a_failed_letter_with_its_reason(client, digipost):
    letter, _created = send(citizen(), print_fallback=False)
    answer = client.get(f"{URL}/{letter.pk}", **auth()).json()
    assert answer["status"] == "failed" and answer["kanal"] is None and answer["pris_oere"] is None
    assert "ingen digital postkasse" in answer["aarsak"]
    [receipt] = answer["kvitteringer"]
    assert receipt["type"] == "feilet" and receipt["forsendelse"] == str(letter.pk)
    assert (
        "ingen digital postkasse" in receipt["aarsak"]
        and receipt["tidspunkt"]
        and receipt["bekreftet"] is None
    )


def test_another_organisation_does_not_see_the_letter(client, person):
    Organisation.objects.create(organisasjonsnummer=OTHER_AGENCY, name_nb="Lånefondet", kind="state_agency")
    letter, _created = send(person)
    response = client.get(f"{URL}/{letter.pk}", **auth(organisation_number=OTHER_AGENCY))
    assert response.status_code == 404 and response.json()["code"] == "letter_not_found"


def test_an_unknown_letter_is_404(client, digipost):
    response = client.get(f"{URL}/{uuid.uuid4()}", **auth())
    assert response.status_code == 404 and response.json()["code"] == "letter_not_found"


def test_reading_a_letter_needs_the_send_scope(client, person):
    letter, _created = send(person)
    assert client.get(f"{URL}/{letter.pk}").status_code == 401
    assert client.get(f"{URL}/{letter.pk}", **auth(scope="krr:digitalpost")).status_code == 403


# The receipt feed


def test_the_feed_lists_own_unacknowledged_receipts_oldest_first(client, person):
    other = Organisation.objects.create(
        organisasjonsnummer=OTHER_AGENCY, name_nb="Lånefondet", kind="state_agency"
    )
    first, _created = send(person)
    services.accept_letter(
        other,
        idempotency_key="other",
        recipient=person.identity_number,
        title="Vedtak",
        documents=[services.DocumentIn("Vedtak", "vedtak.pdf", pdf())],
    )
    second, _created = send(citizen(), print_fallback=False)
    feed = client.get(FEED, **auth()).json()["kvitteringer"]
    assert [(receipt["forsendelse"], receipt["type"]) for receipt in feed] == [
        (str(first.pk), "levert"),
        (str(second.pk), "feilet"),
    ]
    assert "ingen digital postkasse" in feed[1]["aarsak"]


def test_the_feed_gives_at_most_100_receipts(client, digipost):
    organisation = sender()
    letters = Letter.objects.bulk_create(
        Letter(sender=organisation, idempotency_key=f"k{i}", recipient="01010112345", title="Vedtak")
        for i in range(101)
    )
    Receipt.objects.bulk_create(
        Receipt(letter=letter, sender=organisation, kind="levert") for letter in letters
    )
    feed = client.get(FEED, **auth()).json()["kvitteringer"]
    assert len(feed) == 100
    assert feed[0]["id"] == Receipt.objects.order_by("created", "pk").first().pk


def test_acknowledging_takes_a_receipt_off_the_feed_and_again_changes_nothing(client, person):
    letter, _created = send(person)
    receipt = letter.receipts.get()
    first = client.post(f"{FEED}/{receipt.pk}/bekreft", **auth())
    again = client.post(f"{FEED}/{receipt.pk}/bekreft", **auth())
    assert first.status_code == again.status_code == 200
    assert first.json()["bekreftet"] and again.json() == first.json()
    assert client.get(FEED, **auth()).json()["kvitteringer"] == []
    receipt.refresh_from_db()
    assert receipt.acknowledged_at is not None


def test_another_organisations_receipt_cannot_be_acknowledged(client, person):
    Organisation.objects.create(organisasjonsnummer=OTHER_AGENCY, name_nb="Lånefondet", kind="state_agency")
    letter, _created = send(person)
    receipt = letter.receipts.get()
    response = client.post(f"{FEED}/{receipt.pk}/bekreft", **auth(organisation_number=OTHER_AGENCY))
    assert response.status_code == 404 and response.json()["code"] == "receipt_not_found"
    receipt.refresh_from_db()
    assert receipt.acknowledged_at is None
    assert client.post(f"{FEED}/999999/bekreft", **auth()).status_code == 404


def test_the_feed_needs_the_send_scope(client, digipost):
    assert client.get(FEED).status_code == 401
    assert client.get(FEED, **auth(scope="krr:kontaktinformasjon")).status_code == 403
    assert client.post(f"{FEED}/1/bekreft", **auth(scope="krr:kontaktinformasjon")).status_code == 403


def test_the_openapi_schema_documents_the_send_api(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (URL, f"{URL}/{{letter_id}}", FEED, f"{FEED}/{{receipt_id}}/bekreft"):
        assert f"{path}:" in schema
    for field in ("sensitiv_tittel", "paaminnelse_etter_dager", "aapningskvittering", "Idempotency-Key"):
        assert field in schema


# End to end


@pytest.mark.django_db(transaction=True)
def test_agency_sends_a_letter_with_its_certificate_and_follows_the_receipts(live_server, settings, tmp_path):
    settings.DEBUG = True  # the demo certificates are made in development only
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo_organisations()
    digipost = providers(settings, tmp_path)[0]
    call_command("seed_demo_certificates", verbosity=0)
    folder = tmp_path / "demo-certificates"
    person = citizen(mailbox_provider=digipost)
    registered = maskinporten_services.register_client(
        Organisation.objects.get(organisasjonsnummer="974312344"),
        name="Velferdsetaten maskin",
        scopes=[post_client.SCOPE],
        registered_by="test",
    )
    credentials = maskinporten_client.Credentials.from_files(
        registered.client_id, folder / "974312344.key", certificate_path=folder / "974312344.pem"
    )
    client = maskinporten_client.MaskinportenClient(f"{live_server.url}/maskinporten/", credentials)
    session, token = client.session, client.token(post_client.SCOPE).access_token
    letter = {
        "idempotency_key": "vedtak-2026-0001",
        "recipient": person.identity_number,
        "title": "Vedtak om bostøtte",
        "documents": [("vedtak.pdf", pdf())],
        "aapningskvittering": True,
    }

    sent, created = post_client.send_letter(session, live_server.url, token, **letter)
    again, created_again = post_client.send_letter(session, live_server.url, token, **letter)
    read = post_client.get_letter(session, live_server.url, token, sent["id"])
    feed = post_client.pending_receipts(session, live_server.url, token)
    acknowledged = post_client.acknowledge(session, live_server.url, token, feed[0]["id"])

    assert created and not created_again and again["id"] == sent["id"]
    assert Letter.objects.count() == 1
    assert read["status"] == "delivered" and read["kanal"] == "digital"
    assert [receipt["type"] for receipt in read["kvitteringer"]] == ["levert"]
    assert [(receipt["forsendelse"], receipt["type"]) for receipt in feed] == [(sent["id"], "levert")]
    assert acknowledged["bekreftet"]
    assert post_client.pending_receipts(session, live_server.url, token) == []
    with pytest.raises(post_client.PostError) as refused:
        post_client.get_letter(session, live_server.url, token, str(uuid.uuid4()))
    assert refused.value.status == 404
