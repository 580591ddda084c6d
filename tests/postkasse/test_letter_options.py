"""What a sender may say about a letter beyond its documents (eFormidling's digital and print
bodies): its own notice texts, its language, the print address, colour, post type and returned
mail handling, and a deadline after which it is never delivered."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from core.models import OutboundSms
from postkasse import services
from postkasse.models import Document, Letter, PrintJob, Provider, Receipt
from postkasse.services import printing, sending
from tests.postkasse.factories import citizen, send

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}}
ADDRESS = {
    "name": "Ola Nordmann",
    "lines": ["c/o Fjellheimen kommune", "Langtoppilia 1", "", ""],
    "postal_code": "9999",
    "postal_area": "FJELL",
    "country": "NO",
}


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_senders_own_notice_texts_reach_the_citizen(digipost):
    person = citizen(mailbox_provider=digipost)
    send(
        person,
        title="Vedtak",
        notice_sms_text="Du har fått svar på søknaden om barnehageplass.",
        notice_email_text="Du har fått svar på søknaden om barnehageplass fra Fjellheimen kommune.",
    )

    assert OutboundSms.objects.get(to="+4791234567").text == "Du har fått svar på søknaden om barnehageplass."
    [email] = mail.outbox
    assert email.body.startswith("Du har fått svar på søknaden om barnehageplass fra Fjellheimen kommune.")
    assert "http://" in email.body  # where to read it follows the sender's text


def test_without_own_texts_the_notice_is_felles_default_with_the_non_sensitive_title(digipost):
    send(citizen(mailbox_provider=digipost), title="Svar på søknad", sensitive_title="Barnevern")

    sms = OutboundSms.objects.get(to="+4791234567").text
    assert "Svar på søknad" in sms and "Barnevern" not in sms


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"notice_sms_text": "x" * 161}, "160"),
        ({"notice_email_text": "x" * 501}, "500"),
        ({"sensitive_title": "Barnevernssak", "notice_sms_text": "Om din barnevernssak"}, "sensitive"),
        ({"sensitive_title": "Barnevernssak", "notice_email_text": "BARNEVERNSSAK: nytt brev"}, "sensitive"),
        ({"language": "norsk"}, "ISO 639-1"),
    ],
)
def test_notice_texts_over_the_limits_or_with_the_sensitive_title_are_refused(digipost, options, message):
    with pytest.raises(services.InvalidLetter) as refused:
        send(citizen(mailbox_provider=digipost), **options)
    assert message in refused.value.message
    assert not Letter.objects.exists() and not Document.objects.exists()


def test_texts_at_the_limits_are_taken(digipost):
    letter, _created = send(
        citizen(mailbox_provider=digipost), notice_sms_text="s" * 160, notice_email_text="e" * 500
    )
    assert OutboundSms.objects.get().text == "s" * 160
    assert mail.outbox[0].body.startswith("e" * 500)


def test_the_letters_language_is_the_notices_language_where_felles_has_it(digipost):
    norwegian, english, sami = (citizen(mailbox_provider=digipost, mobile=f"+479123450{n}") for n in range(3))
    send(norwegian)
    send(english, language="EN")
    letter, _created = send(sami, language="SE")

    assert OutboundSms.objects.get(to="+4791234500").text.startswith("Du har fått brev fra")
    assert OutboundSms.objects.get(to="+4791234501").text.startswith("You have a letter from")
    # Felles writes no notices in Northern Sámi: the recipient's own language (Bokmål here).
    assert OutboundSms.objects.get(to="+4791234502").text.startswith("Du har fått brev fra")
    letter.refresh_from_db()
    assert letter.language == "se"


def test_an_explicit_print_letter_goes_to_the_given_address_not_the_registers(digipost):
    # The citizen has a mailbox and an address in the register; the sender asked for print to this address.
    person = citizen(mailbox_provider=digipost, given_name="Kari", family_name="Registersen")
    letter, _created = send(
        person,
        paper_only=True,
        print_address=ADDRESS,
        colour=True,
        post_class="A",
        return_handling=Letter.ReturnHandling.SHRED,
    )
    letter.refresh_from_db()
    assert letter.status == Letter.Status.AWAITING_PRINT

    job = letter.print_job
    page = text_of(printing.print_job_pdf(job)).split("\n")
    text = "\n".join(page)
    assert "Ola Nordmann" in text and "Langtoppilia 1" in text and "9999 FJELL" in text
    assert "Registersen" not in text
    assert (job.batch.colour, job.batch.post_class) == (True, "A")
    [row] = printing.batch_manifest(job.batch)
    assert row["postal_code"] == "9999" and row["return_handling"] == "MAKULERING_MED_MELDING"
    assert row["colour"] is True and row["post_class"] == "A"


def test_a_print_address_without_a_name_or_a_norwegian_postal_code_is_refused(digipost):
    person = citizen(mailbox_provider=digipost)
    for address in ({**ADDRESS, "name": ""}, {**ADDRESS, "postal_code": ""}, {**ADDRESS, "lines": []}):
        with pytest.raises(services.InvalidLetter):
            send(person, paper_only=True, print_address=address)
    assert not Letter.objects.exists()
    # Abroad there are no Norwegian postal codes.
    letter, _created = send(
        person,
        paper_only=True,
        print_address={**ADDRESS, "postal_code": "", "postal_area": "", "country": "Sverige"},
    )
    letter.refresh_from_db()
    assert "Sverige" in text_of(printing.print_job_pdf(letter.print_job))


def test_a_letter_routed_after_its_deadline_is_never_delivered(digipost):
    letter, _created = send(
        citizen(mailbox_provider=digipost), expires_at=timezone.now() - timedelta(seconds=1)
    )
    letter.refresh_from_db()
    assert letter.status == Letter.Status.EXPIRED and letter.mailbox is None
    assert list(letter.receipts.values_list("kind", flat=True)) == [Receipt.Kind.EXPIRED]
    assert not OutboundSms.objects.exists() and not mail.outbox


def test_a_letter_whose_provider_is_down_past_its_deadline_expires_rather_than_goes_to_print(
    digipost, settings
):
    settings.TASKS = DUMMY_TASKS  # the retries are run by hand below
    Provider.objects.filter(pk=digipost.pk).update(available=False)
    letter, _created = send(
        citizen(mailbox_provider=digipost), expires_at=timezone.now() + timedelta(hours=1)
    )
    statuses, unavailable = services.route_letters([str(letter.pk)])
    assert statuses == {str(letter.pk): "accepted"} and str(letter.pk) in unavailable

    Letter.objects.filter(pk=letter.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    sending.give_up(str(letter.pk), "Digipost er utilgjengelig.")  # the last retry's print fallback
    assert services.route_letters([str(letter.pk)])[0] == {str(letter.pk): "expired"}
    letter.refresh_from_db()
    assert letter.status == Letter.Status.EXPIRED and not PrintJob.objects.exists()
    assert list(letter.receipts.values_list("kind", flat=True)) == ["utlopt"]


def test_overdue_letters_waiting_for_routing_are_expired_and_routing_then_does_nothing(digipost, settings):
    settings.TASKS = DUMMY_TASKS  # accepted, the routing not yet run
    person = citizen(mailbox_provider=digipost)
    overdue, _created = send(person, expires_at=timezone.now() + timedelta(hours=1))
    in_time, _created = send(person, expires_at=timezone.now() + timedelta(hours=1))
    no_deadline, _created = send(person)
    Letter.objects.filter(pk=overdue.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    expired = services.expire_overdue([overdue.pk, in_time.pk, no_deadline.pk])

    assert expired == [str(overdue.pk)]
    statuses, _unavailable = services.route_letters(
        [str(letter.pk) for letter in (overdue, in_time, no_deadline)]
    )
    assert statuses == {
        str(overdue.pk): "expired",
        str(in_time.pk): "delivered",
        str(no_deadline.pk): "delivered",
    }
    assert Receipt.objects.filter(letter=overdue).get().kind == "utlopt"
    assert services.expire_overdue([overdue.pk, in_time.pk]) == []  # a delivered letter never expires
