"""What the SBD says beyond receiver and files reaches postkasse: the agency's notice texts
(varsler), the letter's language (spraak), an explicit print address with colour, post type and
returned mail handling (print), and the message's lifetime (expectedResponseDateTime)."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from core.models import OutboundSms
from eformidling.models import Conversation
from postkasse import services as postkasse
from postkasse.models import Letter
from postkasse.services import printing
from tests.eformidling.helpers import created_and_sent, digital, statuses

pytestmark = pytest.mark.django_db

PRINT_ADDRESS = {
    "navn": "Ola Hytteeier",
    "adresselinje1": "c/o Fjellheimen kommune",
    "adresselinje2": "Langtoppilia 1",
    "adresselinje3": "",
    "adresselinje4": "",
    "postnummer": "9999",
    "poststed": "FJELL",
    "land": "NO",
}


def status_names(client, auth, mid) -> list[str]:
    return [row["status"] for row in statuses(client, auth, mid)]


def print_sbd(receiver: str, **body) -> dict:
    sbd = digital(receiver)
    sbd["standardBusinessDocumentHeader"]["documentIdentification"].update(
        type="print", standard="urn:no:difi:digitalpost:xsd:fysisk::print"
    )
    del sbd["digital"]
    sbd["print"] = {"hoveddokument": "vedtak.pdf", **body}
    return sbd


def test_the_agencys_notice_texts_reach_the_citizen_never_the_title(client, kari, auth):
    sbd = digital()
    sbd["digital"]["varsler"] = {
        "smsTekst": "Fjellheimen kommune har sendt deg et brev.",
        "epostTekst": "Fjellheimen kommune har sendt deg et brev i den digitale postkassen.",
    }
    created_and_sent(client, auth, sbd)

    sms = OutboundSms.objects.get(to="+4791234567").text
    assert sms == "Fjellheimen kommune har sendt deg et brev."
    [email] = mail.outbox
    assert email.body.startswith("Fjellheimen kommune har sendt deg et brev i den digitale postkassen.")
    assert "Vedtak om bostøtte" not in sms and "Vedtak om bostøtte" not in email.body


def test_without_varsler_the_default_notice_is_in_the_letters_language(client, kari, auth):
    sbd = digital()
    del sbd["digital"]["varsler"]
    sbd["digital"]["spraak"] = "EN"
    created_and_sent(client, auth, sbd)

    assert Letter.objects.get().language == "en"
    assert OutboundSms.objects.get(to="+4791234567").text.startswith("You have a letter from")


def test_an_explicit_print_letter_goes_to_the_address_the_case_system_gave(client, ola, auth):
    # Ola is reserved against digital post (so print is what the API offers him) and has an address in
    # the population register; the case system gives another one.
    sbd = print_sbd(
        ola.identity_number,
        mottaker=PRINT_ADDRESS,
        utskriftsfarge="FARGE",
        posttype="A_PRIORITERT",
        retur={
            "mottaker": {
                "navn": "Fjellheimen kommune",
                "adresselinje1": "Luftigveien 1",
                "postnummer": "9999",
                "poststed": "FJELL",
                "land": "NO",
            },
            "returhaandtering": "MAKULERING_MED_MELDING",
        },
    )
    mid = created_and_sent(client, auth, sbd)

    letter = Letter.objects.get()
    assert letter.status == Letter.Status.AWAITING_PRINT and letter.mailbox is None
    assert (letter.colour, letter.post_class, letter.return_handling) == (True, "A", "MAKULERING_MED_MELDING")
    assert letter.print_address["name"] == "Ola Hytteeier"
    page = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(printing.print_job_pdf(letter.print_job))).pages
    )
    assert "Ola Hytteeier" in page and "Langtoppilia 1" in page and "9999 FJELL" in page
    assert "Storgata" not in page and "Nordmann" not in page  # not the register's address
    assert "Fjellheimen kommune, Luftigveien 1, 9999 FJELL" in page
    [row] = printing.batch_manifest(letter.print_job.batch)
    assert row["postal_code"] == "9999" and row["return_handling"] == "MAKULERING_MED_MELDING"
    assert status_names(client, auth, mid) == ["OPPRETTET", "SENDT", "MOTTATT"]


def test_a_print_letter_without_mottaker_goes_to_the_registered_address(client, ola, auth):
    created_and_sent(client, auth, print_sbd(ola.identity_number))
    letter = Letter.objects.get()
    assert letter.print_address == {} and letter.return_handling == "DIREKTE_RETUR"
    assert (
        "Storgata 1"
        in PdfReader(io.BytesIO(printing.print_job_pdf(letter.print_job))).pages[0].extract_text()
    )


def test_a_letter_not_routed_by_its_deadline_is_never_delivered_and_ends_levetid_utlopt(
    client, kari, auth, settings
):
    # Queued for a worker that comes only after the deadline.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    mid = created_and_sent(client, auth)
    letter = Letter.objects.get()
    assert letter.expires_at == Conversation.objects.get().expiry
    Conversation.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    Letter.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert status_names(client, auth, mid) == ["OPPRETTET", "SENDT", "LEVETID_UTLOPT"]
    assert Letter.objects.get().status == Letter.Status.EXPIRED

    # The worker comes: nothing is delivered, no notice goes out, and the status stays final.
    assert postkasse.route_letter(str(letter.pk)) == "expired"
    letter.refresh_from_db()
    assert letter.mailbox is None and letter.delivered_at is None and not OutboundSms.objects.exists()
    assert status_names(client, auth, mid) == ["OPPRETTET", "SENDT", "LEVETID_UTLOPT"]


def test_a_letter_routed_after_its_deadline_expires_in_postkasse_and_in_eformidling(
    client, kari, auth, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    mid = created_and_sent(client, auth)
    letter = Letter.objects.get()
    Letter.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert postkasse.route_letter(str(letter.pk)) == "expired"  # the worker, just after the deadline

    Conversation.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    rows = statuses(client, auth, mid)
    assert [row["status"] for row in rows] == ["OPPRETTET", "SENDT", "LEVETID_UTLOPT"]
    assert rows[-1]["description"] == "Levetiden for meldingen er utgått. Må sendes på nytt"
    assert not OutboundSms.objects.exists()
