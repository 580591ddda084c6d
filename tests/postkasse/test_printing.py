"""The print channel through its services: batches as one PDF with a manifest, marking printed,
held letters, returned mail, and MinID's PIN letters going through it end to end."""

import datetime
import io
import json

import pytest
from django.utils import timezone
from pypdf import PdfReader

from core.models import AuditEvent
from folkeregister.models import AddressProtection, Status
from minid import services as minid
from minid.models import PinLetter
from minid.services.pin_letters import mark_sent_manually as minid_mark_sent_manually
from minid.services.pin_letters import print_key
from postkasse import services
from postkasse.models import Letter, Price, PrintBatch, Receipt
from postkasse.services import printing
from tests.postkasse.factories import citizen, pdf, providers, send
from virksomheter import services as virksomheter

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def paper_letter(**person):
    """A letter to a citizen reserved against digital post: it goes to today's batch."""
    letter, _created = send(citizen(reserved=True, **person))
    letter.refresh_from_db()
    return letter


def closed(batch: PrintBatch) -> PrintBatch:
    """The batch as it is the next morning, when it takes no more letters."""
    PrintBatch.objects.filter(pk=batch.pk).update(day=timezone.localdate() - datetime.timedelta(days=1))
    batch.refresh_from_db()
    return batch


def test_a_batch_downloads_as_one_pdf_in_queue_order_with_the_expected_pages():
    first = paper_letter(given_name="Astrid")
    second, _created = send(
        citizen(reserved=True, given_name="Bjørn"),
        documents=[
            services.DocumentIn("a", "a.pdf", pdf()),
            services.DocumentIn("b", "b.pdf", pdf("Vedlegg")),
        ],
    )
    batch = first.print_job.batch

    content = printing.batch_pdf(batch, downloaded_by="trykkeri")

    pages = PdfReader(io.BytesIO(content)).pages
    assert len(pages) == 2 + 3
    assert "Astrid" in pages[0].extract_text() and "Bjørn" in pages[2].extract_text()
    manifest = printing.batch_manifest(batch)
    assert [(m["letter"], m["first_page"], m["last_page"]) for m in manifest] == [
        (str(first.pk), 1, 2),
        (str(second.pk), 3, 5),
    ]


def test_the_manifest_has_postal_codes_but_no_names_or_identity_numbers():
    letter = paper_letter(given_name="Astrid", family_name="Sørbø")

    manifest = printing.batch_manifest(letter.print_job.batch)

    assert manifest == [
        {
            "letter": str(letter.pk),
            "sender": "974312344",
            "post_class": "B",
            "colour": False,
            "return_handling": "DIREKTE_RETUR",
            "pages": 2,
            "first_page": 1,
            "last_page": 2,
            "postal_code": "0150",
        }
    ]
    text = json.dumps(manifest, ensure_ascii=False)
    assert letter.recipient not in text and "Astrid" not in text and "Sørbø" not in text
    assert "Storgata" not in text


def test_downloading_a_batch_is_audited():
    letter = paper_letter()

    printing.batch_pdf(letter.print_job.batch, downloaded_by="trykkeri")

    event = AuditEvent.objects.get(action="postkasse.print_batch_downloaded")
    assert event.object_id == str(letter.print_job.batch_id) and event.details == {"letters": 1, "pages": 2}


def test_an_open_batch_cannot_be_marked_printed_and_nothing_changes():
    letter = paper_letter()

    with pytest.raises(services.PostkasseError, match="tar fortsatt imot brev"):
        printing.mark_batch_printed(letter.print_job.batch, printed_by="trykkeri")

    letter.refresh_from_db()
    assert letter.status == Letter.Status.AWAITING_PRINT and not letter.receipts.exists()
    assert PrintBatch.objects.get().printed_at is None


def test_marking_a_closed_batch_printed_prices_each_letter_and_gives_a_printed_receipt():
    letter = paper_letter()
    batch = closed(letter.print_job.batch)

    assert printing.mark_batch_printed(batch, printed_by="trykkeri") == 1

    letter.refresh_from_db()
    batch.refresh_from_db()
    assert letter.status == Letter.Status.PRINTED and letter.price_ore == 2500
    assert list(letter.receipts.values_list("kind", flat=True)) == [Receipt.Kind.PRINTED]
    assert batch.printed_at is not None
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "postkasse.letter_printed",
        "postkasse.letter_receipt_printet",
        "postkasse.print_batch_printed",
    } <= actions


def test_the_price_is_the_table_at_the_moment_of_printing():
    letter = paper_letter()
    Price.objects.filter(channel="print", max_bytes=1024 * 1024).update(price_ore=2700)

    printing.mark_batch_printed(closed(letter.print_job.batch), printed_by="trykkeri")

    letter.refresh_from_db()
    assert letter.price_ore == 2700


def test_marking_a_batch_printed_twice_does_not_double_receipts():
    letter = paper_letter()
    batch = closed(letter.print_job.batch)
    printing.mark_batch_printed(batch, printed_by="trykkeri")

    assert printing.mark_batch_printed(batch, printed_by="trykkeri") == 0

    assert Receipt.objects.filter(letter=letter).count() == 1
    assert AuditEvent.objects.filter(action="postkasse.print_batch_printed").count() == 1


@pytest.mark.parametrize(
    "person",
    [{"address_protection": AddressProtection.STRENGT_FORTROLIG}, {"address_protection": AddressProtection.FORTROLIG},
     {"status": Status.DOED}],
)  # fmt: skip
def test_held_letters_never_appear_in_a_batch(person):
    printed = paper_letter()
    held = paper_letter(**person)

    assert held.status == Letter.Status.HELD
    assert list(printing.held_letters()) == [held]
    batch = printed.print_job.batch
    assert [m["letter"] for m in printing.batch_manifest(batch)] == [str(printed.pk)]
    assert len(PdfReader(io.BytesIO(printing.batch_pdf(batch, downloaded_by="trykkeri"))).pages) == 2
    printing.mark_batch_printed(closed(batch), printed_by="trykkeri")
    held.refresh_from_db()
    assert held.status == Letter.Status.HELD and not held.receipts.exists()


def test_a_held_letters_documents_come_without_any_address():
    held = paper_letter(given_name="Hemmelig", address_protection=AddressProtection.STRENGT_FORTROLIG)

    text = text_of(printing.held_documents(held, downloaded_by="saksbehandler"))

    assert "Vedtak om bostøtte" in text
    assert "Hemmelig" not in text and "Storgata" not in text
    assert AuditEvent.objects.filter(action="postkasse.letter_held_documents_downloaded").exists()


def test_only_held_letters_give_their_documents_for_manual_handling():
    with pytest.raises(services.PostkasseError, match="manuelt"):
        printing.held_documents(paper_letter(), downloaded_by="saksbehandler")


def test_a_held_letter_sent_by_hand_is_priced_and_gets_one_printed_receipt():
    held = paper_letter(address_protection=AddressProtection.STRENGT_FORTROLIG)

    services.mark_sent_manually(held, handled_by="saksbehandler")
    services.mark_sent_manually(held, handled_by="saksbehandler")

    held.refresh_from_db()
    assert held.status == Letter.Status.PRINTED and held.price_ore == 2500
    receipt = held.receipts.get()
    assert receipt.kind == Receipt.Kind.PRINTED and receipt.reason == "Sendt etter manuell behandling."


def test_a_letter_in_a_batch_cannot_be_marked_sent_by_hand():
    letter = paper_letter()

    with pytest.raises(services.PostkasseError, match="manuelt"):
        services.mark_sent_manually(letter, handled_by="saksbehandler")

    letter.refresh_from_db()
    assert letter.status == Letter.Status.AWAITING_PRINT


def test_a_printed_letter_returned_to_sender_gets_a_returpost_receipt_once():
    letter = paper_letter()
    printing.mark_batch_printed(closed(letter.print_job.batch), printed_by="trykkeri")

    printing.mark_returned(letter, returned_by="trykkeri", reason="Ukjent på adressen")
    printing.mark_returned(letter, returned_by="trykkeri")

    letter.refresh_from_db()
    assert letter.status == Letter.Status.RETURNED
    assert list(letter.receipts.values_list("kind", "reason")) == [
        ("printet", ""),
        ("returpost", "Ukjent på adressen"),
    ]


def test_a_letter_not_yet_printed_cannot_be_returned():
    letter = paper_letter()

    with pytest.raises(services.PostkasseError, match="returpost"):
        printing.mark_returned(letter, returned_by="trykkeri")

    assert not letter.receipts.exists()


def test_a_paper_letter_goes_to_print_with_its_return_address_even_to_a_mailbox(settings, tmp_path):
    digipost = providers(settings, tmp_path)[0]
    person = citizen(mailbox_provider=digipost)
    sender = virksomheter.operator_organisation()

    letter = services.submit_paper_letter(
        sender, recipient=person.identity_number, pdf=pdf(), title="Brev", idempotency_key="papir-1",
        return_address=["MinID", "Postboks 1", "0101 OSLO"],
    )  # fmt: skip

    letter.refresh_from_db()
    assert letter.status == Letter.Status.AWAITING_PRINT and letter.post_class == "A" and letter.paper_only
    address_page = PdfReader(io.BytesIO(printing.batch_pdf(letter.print_job.batch, downloaded_by="t"))).pages[
        0
    ]
    assert "MinID, Postboks 1, 0101 OSLO" in address_page.extract_text()
    assert services.letter_status(sender, "papir-1") == Letter.Status.AWAITING_PRINT
    assert services.letter_status(sender, "ukjent") is None


def test_a_pin_letter_is_printed_through_the_print_channel_end_to_end():
    person = citizen(given_name="Ingrid", family_name="Bakken")
    pin_letter = minid.order_pin_letter(person.identity_number, ordered_by="test")
    operator = virksomheter.operator_organisation()

    letter = services.find_letter(operator, print_key(pin_letter))

    assert letter.status == Letter.Status.AWAITING_PRINT and letter.post_class == "A"
    batch = letter.print_job.batch
    text = text_of(printing.batch_pdf(batch, downloaded_by="trykkeri"))
    assert (
        text.count("Storgata") == 1 and text.count("Ingrid Bakken") == 1
    )  # one address, on the address page
    assert "PIN" in text
    pdf_name = pin_letter.pdf.name
    printing.mark_batch_printed(closed(batch), printed_by="trykkeri")
    pin_letter.refresh_from_db()
    assert pin_letter.print_status == PinLetter.PrintStatus.PRINTED and not pin_letter.pdf
    assert not pin_letter.pdf.storage.exists(pdf_name)
    assert letter.receipts.get().kind == Receipt.Kind.PRINTED


def test_a_pin_letter_to_a_protected_address_is_held_in_the_print_channel_too():
    person = citizen(address_protection=AddressProtection.STRENGT_FORTROLIG)
    pin_letter = minid.order_pin_letter(person.identity_number, ordered_by="test")
    letter = services.find_letter(virksomheter.operator_organisation(), print_key(pin_letter))
    assert letter.status == Letter.Status.HELD

    minid_mark_sent_manually(pin_letter, handled_by="saksbehandler")

    letter.refresh_from_db()
    pin_letter.refresh_from_db()
    assert letter.status == Letter.Status.PRINTED and letter.receipts.get().kind == Receipt.Kind.PRINTED
    assert pin_letter.print_status == PinLetter.PrintStatus.PRINTED


def test_a_held_pin_letter_sent_from_the_print_channel_is_printed_in_minid():
    person = citizen(address_protection=AddressProtection.STRENGT_FORTROLIG)
    pin_letter = minid.order_pin_letter(person.identity_number, ordered_by="test")

    services.mark_sent_manually(
        services.find_letter(virksomheter.operator_organisation(), print_key(pin_letter)),
        handled_by="saksbehandler",
    )

    pin_letter.refresh_from_db()
    assert pin_letter.print_status == PinLetter.PrintStatus.PRINTED and not pin_letter.pdf


def test_another_senders_letter_with_a_pin_letters_key_leaves_the_pin_letter_alone():
    pin_letter = minid.order_pin_letter(citizen().identity_number, ordered_by="test")
    other, _created = send(citizen(reserved=True), key=print_key(pin_letter))

    printing.mark_batch_printed(closed(other.print_job.batch), printed_by="trykkeri")

    pin_letter.refresh_from_db()
    other.refresh_from_db()
    assert other.status == Letter.Status.PRINTED
    assert pin_letter.print_status == PinLetter.PrintStatus.QUEUED and pin_letter.pdf


def test_the_address_page_is_laid_out_once_and_stamped_for_each_letter():
    first, second = paper_letter(given_name="Åse"), paper_letter(given_name="Bjørn")
    pages = [printing.address_page(letter, [f"{name} Nordmann", "Storgata 1", "0150 OSLO"])
             for letter, name in ((first, "Åse"), (second, "Bjørn"))]  # fmt: skip
    for page, letter, name in zip(pages, (first, second), ("Åse", "Bjørn"), strict=True):
        assert page.count(b"%%EOF") == 2  # the shared page and this letter's stamp
        text = text_of(page)
        assert f"{name} Nordmann" in text and "0150 OSLO" in text and str(letter.pk) in text


def test_an_address_the_font_cannot_stamp_is_laid_out_on_its_own():
    letter = paper_letter()
    page = printing.address_page(letter, ["王小明", "Storgata 1", "0150 OSLO"])
    assert page.count(b"%%EOF") == 1 and len(PdfReader(io.BytesIO(page)).pages) == 1


def test_the_print_room_closes_todays_batch_early_and_new_letters_go_to_a_new_one():
    first = paper_letter()
    batch = first.print_job.batch
    printing.close_batch(batch, closed_by="trykkeri")
    printing.close_batch(batch, closed_by="trykkeri")  # twice: nothing more
    later = paper_letter()
    assert later.print_job.batch != batch
    assert printing.mark_batch_printed(batch, printed_by="trykkeri") == 1
    first.refresh_from_db()
    later.refresh_from_db()
    assert first.status == Letter.Status.PRINTED and later.status == Letter.Status.AWAITING_PRINT
    assert AuditEvent.objects.filter(action="postkasse.print_batch_closed").count() == 1
