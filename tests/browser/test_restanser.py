"""A case handler works through the restanse list in Chromium: sees the incoming posts waiting, the overdue
one marked, writes one off with a code and the other by the outgoing post that answers it, sees the list
empty, and closes the case. axe checks every page and every state."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from saksarkiv import services
from saksarkiv.models import Journalpost, Saksmappe
from tests.browser.test_case_archive import log_in_as_case_handler
from tests.postkasse.factories import pdf
from tests.saksarkiv.test_avskrivning import add_required_party

pytestmark = pytest.mark.django_db(transaction=True)


def finalised(case, case_handler, journalposttype, tittel, **fields):
    journalpost = services.add_journalpost(
        case, case_handler, journalposttype=journalposttype, tittel=tittel, **fields
    )
    add_required_party(journalpost, case_handler)
    services.add_document(
        journalpost, case_handler, tittel=tittel, content=pdf(), filnavn="d.pdf", hoveddokument=True
    )
    services.finalise(journalpost, case_handler)
    return journalpost


def test_write_off_with_a_code_and_by_an_answer_empties_the_restanse_list_and_the_case_closes(page):
    case_handler = log_in_as_case_handler(page)
    case = services.create_saksmappe(case_handler, tittel="Søknad om bostøtte – Kari Nordmann")
    today = timezone.localdate()
    complaint = finalised(
        case, case_handler, "I", "Klage på saksbehandlingstid", forfallsdato=today - timedelta(days=3)
    )
    application = finalised(
        case, case_handler, "I", "Søknad om bostøtte", forfallsdato=today + timedelta(days=14)
    )
    decision = finalised(case, case_handler, "U", "Vedtak om bostøtte")

    page.goto("/admin/saksarkiv/journalpost/")
    page.follow(page.locator("a[href$='/journalpost/restanser/']"))
    rows = page.locator("#restanser tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Klage på saksbehandlingstid")
    expect(rows.nth(0)).to_have_class("saksarkiv-overdue")
    expect(rows.nth(1)).to_contain_text("Søknad om bostøtte")

    # The overdue complaint is taken into account: written off with a code.
    page.follow(rows.nth(0).get_by_role("link"))
    expect(page.locator("#writeoff-status")).not_to_contain_text(case_handler.user.username)
    page.locator("#id_maate").select_option("TE")
    page.follow(
        page.locator("#writeoff form").filter(has=page.locator("#id_maate")).locator("input[type=submit]")
    )
    expect(page.locator("#writeoff-status")).to_contain_text(case_handler.user.username)
    assert complaint.avskrivninger.get().avskrivningsmaate == "TE"

    page.goto("/admin/saksarkiv/journalpost/restanser/")
    rows = page.locator("#restanser tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("Søknad om bostøtte")

    # The application is answered by the decision.
    page.follow(rows.nth(0).get_by_role("link"))
    page.locator("#id_svar").select_option(str(decision.pk))
    page.follow(
        page.locator("#writeoff form").filter(has=page.locator("#id_svar")).locator("input[type=submit]")
    )
    expect(page.locator("#writeoff-status a")).to_contain_text("Vedtak om bostøtte")
    avskrivning = application.avskrivninger.get()
    assert (
        avskrivning.avskrivningsmaate == "BU" and avskrivning.referanse_avskrives_av_journalpost == decision
    )

    page.goto("/admin/saksarkiv/journalpost/restanser/")
    expect(page.locator("#restanser-empty")).to_be_visible()

    # Nothing waits any more: the case closes and its posts are archived.
    page.goto("/admin/saksarkiv/saksmappe/")
    page.locator(f"input[name=_selected_action][value='{case.pk}']").check()
    page.locator("select[name=action]").select_option("close_cases")
    page.check()
    page.follow(page.locator("#changelist-form .actions button[type=submit]"))
    expect(page.locator(".messagelist .success")).to_contain_text(case.saksnummer)
    case.refresh_from_db()
    assert case.saksstatus == Saksmappe.Status.AVSLUTTET
    assert set(case.journalposter.values_list("journalstatus", flat=True)) == {Journalpost.Status.ARKIVERT}


def test_the_case_does_not_close_while_a_post_waits_and_the_message_names_it(page):
    case_handler = log_in_as_case_handler(page)
    case = services.create_saksmappe(case_handler, tittel="Byggesak Storgata 1")
    finalised(case, case_handler, "I", "Nabovarsel Storgata 1")

    page.goto("/admin/saksarkiv/saksmappe/")
    page.locator(f"input[name=_selected_action][value='{case.pk}']").check()
    page.locator("select[name=action]").select_option("close_cases")
    page.follow(page.locator("#changelist-form .actions button[type=submit]"))
    expect(page.locator(".messagelist .error")).to_contain_text("Nabovarsel Storgata 1")
    case.refresh_from_db()
    assert case.saksstatus == Saksmappe.Status.UNDER_BEHANDLING
