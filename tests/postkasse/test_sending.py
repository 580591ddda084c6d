"""The send chain through its services: accept, route, encrypt, deliver or print, notify, receipts."""

import subprocess

import pytest
from django.core import mail

from core.models import AuditEvent, OutboundSms
from folkeregister.models import AddressProtection, Status
from postkasse import services
from postkasse.models import Letter, PrintJob, Provider, Receipt
from tests.postkasse.factories import citizen, pdf, send

pytestmark = pytest.mark.django_db


def receipts(letter) -> list[str]:
    return list(letter.receipts.values_list("kind", flat=True))


def test_letter_to_a_citizen_with_a_mailbox_is_encrypted_to_the_provider_and_delivered(digipost, tmp_path):
    person = citizen(mailbox_provider=digipost)
    letter, created = send(person, title="Vedtak om bostøtte")
    letter.refresh_from_db()
    assert created and letter.status == Letter.Status.DELIVERED and letter.channel == "digital"
    assert letter.mailbox.identity_number == person.identity_number
    assert receipts(letter) == ["levert"]
    assert letter.price_ore == 800
    envelope = letter.documents.get().envelope.read()
    assert b"bost" not in envelope and b"%PDF" not in envelope
    (tmp_path / "letter.p7m").write_bytes(envelope)
    decrypted = subprocess.run(
        ["openssl", "cms", "-decrypt", "-inform", "DER", "-binary", "-in", str(tmp_path / "letter.p7m"),
         "-recip", str(tmp_path / "demo-providers" / "921000006.pem"),
         "-inkey", str(tmp_path / "demo-providers" / "921000006.key")],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    assert decrypted == pdf()
    assert "Vedtak om bostøtte" in OutboundSms.objects.get(to="+4791234567").text
    assert "Vedtak om bostøtte" in mail.outbox[0].body


def test_the_same_idempotency_key_returns_the_same_letter(digipost):
    person = citizen(mailbox_provider=digipost)
    first, created = send(person, key="abc-1")
    again, created_again = send(person, key="abc-1")
    assert created and not created_again and first.pk == again.pk
    assert Letter.objects.count() == 1 and OutboundSms.objects.count() == 1


def test_a_reserved_citizen_gets_paper(digipost):
    person = citizen(mailbox_provider=digipost, reserved=True)
    letter, _created = send(person)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.AWAITING_PRINT and letter.channel == "print"
    assert PrintJob.objects.get(letter=letter).pages == 2  # address page and the one-page document


def test_digital_only_to_a_citizen_without_mailbox_fails_with_a_reason(digipost):
    person = citizen()
    letter, _created = send(person, print_fallback=False)
    letter.refresh_from_db()
    receipt = letter.receipts.get()
    assert letter.status == Letter.Status.FAILED and receipt.kind == Receipt.Kind.FAILED
    assert "ingen digital postkasse" in receipt.reason


def test_protected_address_is_held_for_manual_handling_not_printed(digipost):
    person = citizen(address_protection=AddressProtection.STRENGT_FORTROLIG)
    letter, _created = send(person)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.HELD and not PrintJob.objects.filter(letter=letter).exists()


def test_a_deceased_recipient_never_gets_digital_post(digipost):
    person = citizen(mailbox_provider=digipost, status=Status.DOED)
    letter, _created = send(person)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.HELD


def test_an_unavailable_provider_is_retried_then_the_letter_goes_to_print(digipost):
    Provider.objects.filter(pk=digipost.pk).update(available=False)
    person = citizen(mailbox_provider=digipost)
    letter, _created = send(person)
    letter.refresh_from_db()
    assert letter.attempts == 6 and letter.status == Letter.Status.AWAITING_PRINT


def test_an_unavailable_provider_and_digital_only_ends_in_a_failed_receipt(digipost):
    Provider.objects.filter(pk=digipost.pk).update(available=False)
    letter, _created = send(citizen(mailbox_provider=digipost), print_fallback=False)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.FAILED and "utilgjengelig" in letter.failure_reason


def test_routing_twice_delivers_once(digipost):
    letter, _created = send(citizen(mailbox_provider=digipost))
    assert services.route_letter(str(letter.pk)) == Letter.Status.DELIVERED
    assert services.notify_recipient(str(letter.pk)) is False
    assert Receipt.objects.filter(letter=letter).count() == 1 and OutboundSms.objects.count() == 1


def test_without_contact_information_the_notification_fails_with_a_receipt(digipost):
    letter, _created = send(citizen(mailbox_provider=digipost, mobile="", email=""))
    assert receipts(letter) == ["levert", "varsling_feilet"]


@pytest.mark.parametrize(
    ("documents", "message"),
    [
        ([], "hoveddokument"),
        ([services.DocumentIn("x", "x.pdf", b"not a pdf at all")], "er ikke en PDF"),
        ([services.DocumentIn("x", "x.pdf", b"%PDF-1.7 broken")], "ikke en lesbar PDF"),
    ],
)
def test_bad_documents_are_refused_and_nothing_is_stored(digipost, documents, message):
    person = citizen(mailbox_provider=digipost)
    with pytest.raises(services.InvalidLetter, match=message):
        services.accept_letter(
            person and __import__("tests.postkasse.factories", fromlist=["sender"]).sender(),
            idempotency_key="k", recipient=person.identity_number, title="Vedtak", documents=documents,
        )  # fmt: skip
    assert not Letter.objects.exists()


def test_too_large_letters_are_refused(digipost, settings):
    settings.POSTKASSE_MAX_LETTER_BYTES = len(pdf()) + 10
    person = citizen(mailbox_provider=digipost)
    two = [services.DocumentIn("a", "a.pdf", pdf()), services.DocumentIn("b", "b.pdf", pdf())]
    with pytest.raises(services.InvalidLetter, match="større enn"):
        send(person, documents=two)
    assert not Letter.objects.exists()


def test_every_state_change_is_in_the_audit_trail(digipost):
    letter, _created = send(citizen(mailbox_provider=digipost))
    actions = set(AuditEvent.objects.filter(object_id=str(letter.pk)).values_list("action", flat=True))
    assert {"postkasse.letter_accepted", "postkasse.letter_receipt_levert"} <= actions
