"""Digital post in the admin: providers, prices, letters and receipts without content, print
batches and held letters for the print room, and use and cost per organisation and month."""

import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from folkeregister.models import AddressProtection
from postkasse import services
from postkasse.models import Letter, Price, PrintBatch, Receipt
from postkasse.services import printing, statistics
from tests.permissions import grant
from tests.postkasse.factories import citizen, pdf, send
from virksomheter.models import Organisation

pytestmark = pytest.mark.django_db

BATCHES = reverse("admin:postkasse_printbatch_changelist")
HELD = reverse("admin:postkasse_printbatch_held")
USE = reverse("admin:postkasse_letter_use")


@pytest.fixture
def print_room(client, staff_user):
    grant(staff_user, "postkasse.view_printbatch", "postkasse.change_printbatch")
    client.force_login(staff_user)
    return client


def paper_letter(**person) -> Letter:
    letter, _created = send(citizen(reserved=True, **person))
    letter.refresh_from_db()
    return letter


def close(batch: PrintBatch) -> None:
    PrintBatch.objects.filter(pk=batch.pk).update(day=timezone.localdate() - datetime.timedelta(days=1))


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_providers_show_the_certificate_fingerprint_and_never_a_key(admin_client, digipost):
    response = admin_client.get(reverse("admin:postkasse_provider_change", args=[digipost.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "SHA-256" in html and "BEGIN CERTIFICATE" not in html and "PRIVATE KEY" not in html
    assert admin_client.get(reverse("admin:postkasse_provider_add")).status_code == 403


def test_the_price_table_is_editable_and_prices_follow_it(admin_client):
    band = Price.objects.get(channel="digital", max_bytes=1024 * 1024)

    response = admin_client.post(
        reverse("admin:postkasse_price_change", args=[band.pk]),
        {"channel": "digital", "max_bytes": band.max_bytes, "price_ore": 750},
    )

    assert response.status_code == 302
    band.refresh_from_db()
    assert band.price_ore == 750


def test_letters_show_metadata_but_not_the_recipient_or_the_sensitive_title(admin_client):
    letter, _created = send(citizen(reserved=True, given_name="Astrid"), sensitive_title="Barnevernssak")

    listing = admin_client.get(reverse("admin:postkasse_letter_changelist"))
    detail = admin_client.get(reverse("admin:postkasse_letter_change", args=[letter.pk]))

    assert list(listing.context["cl"].result_list) == [letter]
    html = detail.content.decode()
    assert detail.status_code == 200 and "Venter på utskrift" in html
    assert letter.recipient not in html and "Barnevernssak" not in html and "Astrid" not in html


def test_letters_search_by_id_only(admin_client):
    letter = paper_letter()
    url = reverse("admin:postkasse_letter_changelist")

    assert list(admin_client.get(url, {"q": str(letter.pk)}).context["cl"].result_list) == [letter]
    assert list(admin_client.get(url, {"q": letter.recipient}).context["cl"].result_list) == []


@pytest.mark.parametrize("model", ["letter", "receipt"])
def test_letters_and_receipts_are_for_superusers_only(client, staff_user, model):
    grant(staff_user, f"postkasse.view_{model}")
    client.force_login(staff_user)

    assert client.get(reverse(f"admin:postkasse_{model}_changelist")).status_code == 403
    assert client.get(USE).status_code == 403


def test_receipts_are_read_only(admin_client):
    letter = paper_letter()
    close(letter.print_job.batch)
    printing.mark_batch_printed(letter.print_job.batch, printed_by="trykkeri")
    receipt = Receipt.objects.get()

    listing = admin_client.get(reverse("admin:postkasse_receipt_changelist"))
    detail = admin_client.get(reverse("admin:postkasse_receipt_change", args=[receipt.pk]))

    assert list(listing.context["cl"].result_list) == [receipt]
    assert 'name="kind"' not in detail.content.decode()
    assert admin_client.get(reverse("admin:postkasse_receipt_add")).status_code == 403


def test_the_print_room_downloads_a_batch_pdf_and_its_manifest(print_room):
    letter = paper_letter(given_name="Astrid")
    batch = letter.print_job.batch

    pdf = print_room.get(reverse("admin:postkasse_printbatch_pdf", args=[batch.pk]))
    manifest = print_room.get(reverse("admin:postkasse_printbatch_manifest", args=[batch.pk]))

    assert pdf["Content-Type"] == "application/pdf" and pdf["Content-Disposition"].startswith("attachment;")
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 2
    assert [entry["letter"] for entry in json.loads(manifest.content)] == [str(letter.pk)]
    assert b"Astrid" not in manifest.content and letter.recipient.encode() not in manifest.content


def test_downloads_need_the_change_permission(client, staff_user):
    grant(staff_user, "postkasse.view_printbatch")
    client.force_login(staff_user)
    batch = paper_letter().print_job.batch

    assert client.get(reverse("admin:postkasse_printbatch_pdf", args=[batch.pk])).status_code == 403
    assert client.get(reverse("admin:postkasse_printbatch_manifest", args=[batch.pk])).status_code == 403
    assert client.get(BATCHES).status_code == 200


def test_marking_a_closed_batch_printed_from_the_list(print_room):
    letter = paper_letter()
    close(letter.print_job.batch)

    response = print_room.post(
        BATCHES, {"action": "mark_printed", "_selected_action": [letter.print_job.batch_id]}, follow=True
    )

    letter.refresh_from_db()
    assert letter.status == Letter.Status.PRINTED
    assert messages_of(response)[0].endswith("1 brev merket som skrevet ut.")


def test_an_open_batch_is_not_marked_printed_and_the_print_room_is_told_why(print_room):
    letter = paper_letter()

    response = print_room.post(
        BATCHES, {"action": "mark_printed", "_selected_action": [letter.print_job.batch_id]}, follow=True
    )

    letter.refresh_from_db()
    assert letter.status == Letter.Status.AWAITING_PRINT
    assert "tar fortsatt imot brev" in messages_of(response)[0]


def test_held_letters_are_listed_without_any_address_or_name(print_room):
    held = paper_letter(given_name="Hemmelig", address_protection=AddressProtection.STRENGT_FORTROLIG)

    response = print_room.get(HELD)

    html = response.content.decode()
    assert str(held.pk) in html
    assert "Hemmelig" not in html and "Storgata" not in html and held.recipient not in html
    assert "Merk som sendt" not in html  # handling needs the protected-address permission


def test_handling_a_held_letter_needs_the_protected_address_permission(print_room):
    held = paper_letter(address_protection=AddressProtection.STRENGT_FORTROLIG)

    assert print_room.post(HELD, {"letter": held.pk}).status_code == 403
    assert print_room.get(reverse("admin:postkasse_held_documents", args=[held.pk])).status_code == 403
    held.refresh_from_db()
    assert held.status == Letter.Status.HELD


def test_a_handler_with_the_permission_downloads_and_marks_a_held_letter_sent(print_room, staff_user):
    grant(staff_user, "folkeregister.view_protected_address")
    held = paper_letter(address_protection=AddressProtection.STRENGT_FORTROLIG)

    documents = print_room.get(reverse("admin:postkasse_held_documents", args=[held.pk]))
    response = print_room.post(HELD, {"letter": held.pk}, follow=True)

    assert documents.content.startswith(b"%PDF")
    held.refresh_from_db()
    assert held.status == Letter.Status.PRINTED and held.receipts.get().kind == "printet"
    assert messages_of(response) == [f"Brevet {held.pk} er merket som sendt."]
    assert list(response.context["letters"]) == []


def test_a_printed_letter_is_marked_returned_from_the_letter_list(admin_client):
    letter = paper_letter()
    close(letter.print_job.batch)
    printing.mark_batch_printed(letter.print_job.batch, printed_by="trykkeri")

    admin_client.post(
        reverse("admin:postkasse_letter_changelist"),
        {"action": "mark_returned", "_selected_action": [letter.pk]},
    )

    letter.refresh_from_db()
    assert letter.status == Letter.Status.RETURNED
    assert list(letter.receipts.values_list("kind", flat=True)) == ["printet", "returpost"]


@pytest.fixture
def known_mix(digipost):
    """Velferdsetaten: two digital letters (one in the 10 MB band), one printed, one failed, one
    waiting for print, and a letter from last month; Skatteetaten: one digital letter."""
    small, _created = send(citizen(mailbox_provider=digipost))
    large, _created = send(citizen(mailbox_provider=digipost))
    Letter.objects.filter(pk=large.pk).update(size=2 * 1024 * 1024, price_ore=1000)
    printed = paper_letter()
    close(printed.print_job.batch)
    printing.mark_batch_printed(printed.print_job.batch, printed_by="trykkeri")
    send(citizen(), print_fallback=False)
    paper_letter()
    old, _created = send(citizen(mailbox_provider=digipost))
    Letter.objects.filter(pk=old.pk).update(accepted_at=timezone.now() - datetime.timedelta(days=40))
    other = Organisation.objects.create(
        organisasjonsnummer="974761076", name_nb="Skatteetaten", kind="state_agency"
    )
    services.accept_letter(
        other, idempotency_key="s-1", recipient=citizen(mailbox_provider=digipost).identity_number, title="Skatt",
        documents=[services.DocumentIn("Skatt", "skatt.pdf", pdf())],
    )  # fmt: skip
    return other


def test_monthly_use_counts_costs_and_savings_on_a_known_mix(known_mix):
    rows = statistics.monthly_use(timezone.localdate())

    assert [
        (r.organisation.name_nb, r.digital, r.print, r.failed, r.cost_ore, r.saved_ore) for r in rows
    ] == [
        # 800 + 1000 digital + 2500 printed; saved (2500 - 800) + (3500 - 1000)
        ("Velferdsetaten", 2, 2, 1, 4300, 4200),
        ("Skatteetaten", 1, 0, 0, 800, 1700),
    ]


def test_monthly_use_of_a_month_without_letters_is_empty(known_mix):
    assert statistics.monthly_use(datetime.date(2001, 1, 1)) == []


def test_the_use_and_cost_page_shows_the_numbers_per_organisation(admin_client, known_mix):
    response = admin_client.get(USE, {"month": timezone.localdate().strftime("%Y-%m")})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Velferdsetaten" in html and "43,00" in html and "42,00" in html
    assert "Skatteetaten" in html and "17,00" in html
    assert "Ingen brev denne måneden." in admin_client.get(USE, {"month": "2001-01"}).content.decode()


@pytest.mark.parametrize("model", ["provider", "price", "letter", "receipt", "printbatch"])
def test_every_list_renders_for_a_superuser(admin_client, digipost, model):
    letter = paper_letter()
    close(letter.print_job.batch)
    printing.mark_batch_printed(letter.print_job.batch, printed_by="trykkeri")

    response = admin_client.get(reverse(f"admin:postkasse_{model}_changelist"))

    assert response.status_code == 200 and len(response.context["cl"].result_list) >= 1
