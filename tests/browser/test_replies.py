"""A citizen answers a letter from the municipality in their mailbox: opens it, writes an answer,
first attaches a file that is not a PDF (and is told so), then a PDF, sends it, and finds the
receipt in the inbox; the answer is on the case as an incoming journal post."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kontaktregister import services as kontaktregister
from kontaktregister.models import ContactRecord
from saksarkiv import services as saksarkiv
from tests.browser.test_idporten import log_in_with_minid
from tests.browser.test_postkasse import follow_below_the_pdf
from tests.minid.factories import registered_user
from tests.postkasse.factories import pdf, providers
from tests.saksarkiv.factories import handler

pytestmark = pytest.mark.django_db(transaction=True)


def test_citizen_answers_a_letter_from_the_mailbox(page, live_server, settings, tmp_path):
    provider = providers(settings, tmp_path)[0]
    user, _letter, _codes = registered_user()
    ContactRecord.objects.create(person=user.person, mobile="+4791234567", mobile_verified_at=timezone.now())
    kontaktregister.choose_mailbox(user.person.identity_number, provider.identifier)
    case_handler = handler()
    case = saksarkiv.create_saksmappe(case_handler, tittel="Bostøtte", offentlig_tittel="Søknad om bostøtte")
    original = saksarkiv.add_journalpost(case, case_handler, journalposttype="U", tittel="Vedtak om bostøtte")
    saksarkiv.add_document(
        original, case_handler, tittel="Vedtak", content=pdf(), filnavn="vedtak.pdf", hoveddokument=True
    )
    saksarkiv.add_party(original, case_handler, identity_number=user.person.identity_number)
    saksarkiv.dispatch(original, case_handler)

    page.goto("/postkasse/")
    page.follow(page.get_by_role("link", name="Logg inn med ID-porten"))
    log_in_with_minid(page, user)
    page.follow(page.get_by_role("button", name="Jeg samtykker, fortsett"))
    page.follow(page.get_by_role("link", name="Ulest: Vedtak om bostøtte"))
    follow_below_the_pdf(page, page.get_by_role("link", name="Svar på brevet"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Svar på brevet")
    page.get_by_label("Svaret ditt").fill("Takk for vedtaket.\n\nHer er kvitteringen for husleien.")
    attachments = page.get_by_label("Vedlegg (valgfritt)")
    attachments.set_input_files(
        [{"name": "husleie.pdf", "mimeType": "application/pdf", "buffer": b"Ikke en PDF"}]
    )
    page.follow(page.get_by_role("button", name="Send svaret"))
    expect(page.get_by_role("alert")).to_contain_text("husleie.pdf er ikke en PDF.")
    expect(page.get_by_label("Svaret ditt")).to_have_value(
        "Takk for vedtaket.\n\nHer er kvitteringen for husleien."
    )

    page.get_by_label("Vedlegg (valgfritt)").set_input_files(
        [{"name": "husleie.pdf", "mimeType": "application/pdf", "buffer": pdf("Kvittering for husleie")}]
    )
    page.follow(page.get_by_role("button", name="Send svaret"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vedtak om bostøtte")
    reference = f"{case.saksnummer}-2"
    expect(
        page.get_by_text(f"Svaret ditt er sendt til Fjordvik kommune og journalført som {reference}.")
    ).to_be_visible()

    page.follow(page.get_by_role("link", name="Tilbake"))
    expect(page.get_by_role("link", name="Ulest: Vi har mottatt svaret ditt")).to_be_visible()
    filed = case.journalposter.get(journalpostnummer=2)
    assert filed.journalposttype == "I" and filed.tittel.startswith("Svar fra ")
    assert [d.tittel for d in filed.dokumenter.order_by("dokumentnummer")] == [
        "Svar på: Vedtak om bostøtte",
        "husleie",
    ]
