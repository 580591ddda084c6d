"""Answers from the mailbox: the citizen answers a letter the case archive dispatched, through the
mailbox pages; the answer is filed as an incoming journal post on the same case with the citizen
as sender, and a receipt arrives in the citizen's mailbox. Letters nobody files answers for offer
no answer, and bad input changes nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from core.models import AuditEvent
from idporten.models import LOA_HIGH
from postkasse.models import Letter
from saksarkiv import services as saksarkiv
from saksarkiv.models import Journalpost, Korrespondansepart, Skjerming
from tests.idporten.factories import query
from tests.postkasse.factories import citizen, pdf, send
from tests.postkasse.test_mailbox import log_in
from tests.saksarkiv.factories import handler

pytestmark = pytest.mark.django_db
ANSWER = "Takk for vedtaket.\n\nJeg legger ved kvitteringen for husleien."


@pytest.fixture
def case_handler():
    return handler()


def dispatched(case_handler, person, **fields) -> tuple[Journalpost, Letter]:
    """A letter from the case archive, delivered to the person's mailbox."""
    case = saksarkiv.create_saksmappe(
        case_handler, tittel="Bostøtte – Kari Nordmann", offentlig_tittel="Søknad om bostøtte"
    )
    journalpost = saksarkiv.add_journalpost(
        case, case_handler, journalposttype="U", tittel="Vedtak om bostøtte", **fields
    )
    saksarkiv.add_document(
        journalpost, case_handler, tittel="Vedtak", content=pdf(), filnavn="vedtak.pdf", hoveddokument=True
    )
    party = saksarkiv.add_party(journalpost, case_handler, identity_number=person.identity_number)
    saksarkiv.dispatch(journalpost, case_handler)
    party.refresh_from_db()
    letter = Letter.objects.get(pk=party.forsendelse_id)
    assert letter.status == Letter.Status.DELIVERED
    return journalpost, letter


def reply_url(letter) -> str:
    return f"/postkasse/brev/{letter.pk}/svar/"


def upload(name="kvittering.pdf", content=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf("Kvittering for husleie") if content is None else content)


def answer(client, letter, *, text=ANSWER, files=()):
    return client.post(reply_url(letter), {"text": text, "attachments": list(files)})


def text_of(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def incoming(journalpost) -> Journalpost | None:
    return journalpost.saksmappe.journalposter.filter(journalposttype="I").first()


def test_a_letter_from_the_case_archive_offers_an_answer(client, kari, case_handler):
    _original, letter = dispatched(case_handler, kari)
    log_in(client, kari)
    page = client.get(f"/postkasse/brev/{letter.pk}/").content.decode()
    assert f'href="{reply_url(letter)}">Svar på brevet</a>' in page
    form = client.get(reply_url(letter)).content.decode()
    assert 'enctype="multipart/form-data"' in form
    assert 'accept="application/pdf"' in form and "multiple" in form
    assert "Fjordvik kommune" in form and "Vedtak om bostøtte" in form


def test_the_answer_is_filed_on_the_same_case_with_the_citizen_as_sender(client, kari, case_handler):
    original, letter = dispatched(case_handler, kari)
    log_in(client, kari)
    response = answer(client, letter, files=[upload()])
    assert response.url == f"/postkasse/brev/{letter.pk}/"
    filed = incoming(original)
    assert filed.journalpostnummer == original.journalpostnummer + 1
    assert filed.tittel == "Svar fra Kari Nordmann: Vedtak om bostøtte"
    assert filed.offentlig_tittel == "Svar: Vedtak om bostøtte"
    assert filed.journalstatus == Journalpost.Status.REGISTRERT and filed.mottatt_dato
    [sender] = filed.korrespondanseparter.all()
    assert sender.korrespondanseparttype == Korrespondansepart.Type.AVSENDER
    assert (sender.foedselsnummer, sender.navn) == (kari.identity_number, "Kari Nordmann")
    main, attachment = [(dokument, content) for dokument, content in saksarkiv.current_files(filed)]
    assert main[0].tilknyttet_registrering_som == "H" and main[0].tittel == "Svar på: Vedtak om bostøtte"
    reply_text = text_of(main[1])
    assert "Takk for vedtaket." in reply_text and "Jeg legger ved kvitteringen for husleien." in reply_text
    assert "Kari Nordmann" in reply_text and "Fjordvik kommune" in reply_text
    assert attachment[0].tilknyttet_registrering_som == "V" and attachment[0].tittel == "kvittering"
    assert attachment[1] == pdf("Kvittering for husleie")
    reference = f"{original.saksmappe.saksnummer}-{filed.journalpostnummer}"
    shown = client.get(response.url).content.decode()
    assert f"Svaret ditt er sendt til Fjordvik kommune og journalført som {reference}." in shown
    assert "Du får en kvittering i postkassen." in shown


def test_the_citizen_gets_a_receipt_in_the_mailbox(client, kari, case_handler):
    original, letter = dispatched(case_handler, kari)
    log_in(client, kari)
    answer(client, letter)
    filed = incoming(original)
    receipt = Letter.objects.get(idempotency_key=f"saksarkiv:reply-receipt:{filed.system_id}")
    assert receipt.recipient == kari.identity_number and receipt.sender == letter.sender
    assert receipt.status == Letter.Status.DELIVERED and not receipt.replies_allowed
    assert "Vi har mottatt svaret ditt" in client.get("/postkasse/").content.decode()
    content = client.get(f"/postkasse/brev/{receipt.pk}/dokument/0/").content
    assert (
        f"Vi har mottatt svaret ditt i sak {original.saksmappe.saksnummer}, journalpost {filed.journalpostnummer},"
        in text_of(content)
    )
    assert "Svar på brevet" not in client.get(f"/postkasse/brev/{receipt.pk}/").content.decode()


def test_a_screened_original_keeps_the_name_out_of_the_public_title(client, kari, case_handler):
    screening = Skjerming.objects.create(
        tilgangsrestriksjon="13",
        skjermingshjemmel="Offl. § 13 jf. fvl. § 13",
        skjerming_metadata=["korrespondansepart"],
    )
    original, letter = dispatched(case_handler, kari, skjerming=screening)
    log_in(client, kari)
    answer(client, letter)
    filed = incoming(original)
    assert filed.tittel == "Svar fra Kari Nordmann: Vedtak om bostøtte"
    assert filed.offentlig_tittel == "Svar: Vedtak om bostøtte"
    assert filed.skjerming == screening


def test_the_answer_and_its_filing_are_in_the_audit_trail(client, kari, case_handler):
    original, letter = dispatched(case_handler, kari)
    log_in(client, kari)
    answer(client, letter, files=[upload()])
    filed = incoming(original)
    reference = f"{original.saksmappe.saksnummer}-{filed.journalpostnummer}"
    event = AuditEvent.objects.get(action="postkasse.letter_answered")
    assert event.actor == kari.identity_number and event.object_id == str(letter.pk)
    assert event.details["reference"] == reference and event.details["attachments"] == 1
    archived = AuditEvent.objects.get(action="saksarkiv.reply_received")
    assert archived.object_id == str(filed.pk) and archived.details["letter"] == str(letter.pk)


def test_another_citizen_gets_404_and_nothing_is_filed(client, kari, case_handler, digipost):
    original, letter = dispatched(case_handler, kari)
    log_in(client, citizen(mailbox_provider=digipost, given_name="Ola"))
    assert client.get(reply_url(letter)).status_code == 404
    assert answer(client, letter).status_code == 404
    assert incoming(original) is None


def test_a_letter_sent_through_the_api_offers_no_answer(client, kari):
    letter, _created = send(kari)
    log_in(client, kari)
    assert "Svar på brevet" not in client.get(f"/postkasse/brev/{letter.pk}/").content.decode()
    assert client.get(reply_url(letter)).status_code == 404
    assert answer(client, letter).status_code == 404
    assert not Journalpost.objects.exists()
    assert not AuditEvent.objects.filter(action="postkasse.letter_answered").exists()


def test_an_answer_no_archive_files_is_refused_and_audited(client, kari):
    letter, _created = send(kari, replies_allowed=True)  # an API sender that asked for answers
    log_in(client, kari)
    page = answer(client, letter).content.decode()
    assert "Dette brevet kan ikke besvares her." in page
    assert not Journalpost.objects.exists()
    refused = AuditEvent.objects.get(action="postkasse.letter_answer_refused")
    assert refused.outcome == AuditEvent.Outcome.FAILURE and refused.actor == kari.identity_number


@pytest.mark.parametrize(
    ("text", "files", "message"),
    [
        (ANSWER, [upload("notat.pdf", b"Bare tekst, ikke en PDF")], "notat.pdf er ikke en PDF."),
        (ANSWER, [upload("bilde.pdf", b"\x89PNG\r\n\x1a\n")], "bilde.pdf er ikke en PDF."),
        ("x" * 5001, [], "Svaret kan være på høyst 5000 tegn."),
        ("  \r\n ", [], "Skriv svaret ditt."),
    ],
)
def test_bad_input_gives_a_clear_message_and_nothing_is_filed(
    client, kari, case_handler, text, files, message
):
    original, letter = dispatched(case_handler, kari)
    letters = Letter.objects.count()
    log_in(client, kari)
    response = answer(client, letter, text=text, files=files)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert incoming(original) is None and Letter.objects.count() == letters
    assert not AuditEvent.objects.filter(action="postkasse.letter_answered").exists()


def test_an_oversized_attachment_is_refused(client, kari, case_handler, settings):
    original, letter = dispatched(case_handler, kari)
    settings.POSTKASSE_MAX_DOCUMENT_BYTES = 1000
    log_in(client, kari)
    page = answer(client, letter, files=[upload()]).content.decode()
    assert "kvittering.pdf er større enn 1000\xa0byte." in page
    assert incoming(original) is None


def test_5000_characters_are_enough(client, kari, case_handler):
    original, letter = dispatched(case_handler, kari)
    log_in(client, kari)
    assert answer(client, letter, text=("ord " * 1250)[:-1] + "!").status_code == 302
    assert incoming(original) is not None


def test_a_failure_while_filing_leaves_nothing_behind(client, kari, case_handler, monkeypatch):
    original, letter = dispatched(case_handler, kari)
    letters = Letter.objects.count()

    def refuse(*args, **kwargs):
        raise saksarkiv.InvalidInput("The receipt cannot be sent.")

    monkeypatch.setattr("saksarkiv.services.replies._send_receipt", refuse)
    log_in(client, kari)
    page = answer(client, letter, files=[upload()]).content.decode()
    assert "Dette brevet kan ikke besvares her." in page
    assert incoming(original) is None and Letter.objects.count() == letters
    assert not Korrespondansepart.objects.filter(korrespondanseparttype="EA").exists()


def test_an_answer_to_a_closed_case_is_refused(client, kari, case_handler):
    original, letter = dispatched(case_handler, kari)
    saksarkiv.close_case(original.saksmappe, case_handler)
    log_in(client, kari)
    assert "Dette brevet kan ikke besvares her." in answer(client, letter).content.decode()
    assert incoming(original) is None


def test_a_level_4_letter_needs_a_level_4_login_to_answer(client, kari):
    letter, _created = send(kari, security_level=4, replies_allowed=True)
    log_in(client, kari)
    for response in (client.get(reply_url(letter)), answer(client, letter)):
        assert response.url.startswith("/postkasse/logg-inn/?")
    authorize = client.get(client.get(reply_url(letter)).url)
    assert query(authorize.url)["acr_values"] == LOA_HIGH
    assert not AuditEvent.objects.filter(action__startswith="postkasse.letter_answer").exists()
