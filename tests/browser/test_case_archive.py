"""A case handler in the admin: creates a case and is told its real number, pastes a mass dispatch
list with bad lines and is shown every one with the list kept, and confirms before dispatching to
many. axe checks every admin page the handler sees (changelist, change form, dashboard)."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from postkasse.models import Letter
from saksarkiv import services
from saksarkiv.models import Journalpost, Saksmappe
from tests.folkeregister.factories import make_person
from tests.postkasse.factories import citizen, pdf, providers
from tests.postkasse.test_mailbox import log_in
from tests.postkasse.test_replies import answer
from tests.saksarkiv.factories import handler

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Riktig-hest-batteri-42"


def log_in_as_case_handler(page):
    case_handler = handler()
    page.goto("/admin/login/")
    page.get_by_label("Brukernavn").fill(case_handler.user.username)
    page.get_by_label("Passord").fill(PASSWORD)
    page.follow(page.get_by_role("button", name="Logg inn"))
    return case_handler


def test_new_case_is_announced_with_its_case_number(page):
    log_in_as_case_handler(page)
    page.goto("/admin/saksarkiv/saksmappe/")
    page.follow(page.locator("#content-main a.addlink"))
    page.locator("#id_tittel").fill("Byggesak Storgata 1")
    page.follow(page.get_by_role("button", name="Lagre", exact=True))

    case = Saksmappe.objects.get()
    expect(page.locator(".messagelist")).to_contain_text(f"{case.saksnummer} Byggesak Storgata 1")
    expect(page.locator(".messagelist")).not_to_contain_text("None")
    page.goto("/admin/saksarkiv/saksmappe/oversikt/")


def test_mass_dispatch_names_every_bad_line_keeps_the_list_and_asks_before_sending(page):
    case_handler = log_in_as_case_handler(page)
    case = services.create_saksmappe(case_handler, tittel="Eiendomsskatt 2026")
    post = services.add_journalpost(case, case_handler, journalposttype="U", tittel="Varsel om eiendomsskatt")
    services.add_document(
        post, case_handler, tittel="Varsel", content=pdf(), filnavn="v.pdf", hoveddokument=True
    )
    people = [make_person() for _ in range(3)]
    unknown = "13097248022"
    pasted = "\n".join([people[0].identity_number, "12345", people[1].identity_number, unknown, "abc"])

    page.goto(f"/admin/saksarkiv/journalpost/{post.pk}/change/")
    field = page.locator("#id_identity_numbers")
    field.fill(pasted)
    page.follow(page.get_by_role("button", name=re.compile("mottakere|recipients", re.I)))

    errors = page.locator("#recipients-errors li")
    expect(errors).to_have_count(3)
    expect(errors.nth(0)).to_contain_text("2")
    expect(errors.nth(0)).to_contain_text("12345")
    expect(errors.nth(1)).to_contain_text(unknown)
    expect(errors.nth(2)).to_contain_text("abc")
    expect(page.locator("#id_identity_numbers")).to_have_value(pasted)
    assert not post.korrespondanseparter.exists()

    field = page.locator("#id_identity_numbers")
    field.fill("\n".join(p.identity_number for p in people))
    page.follow(page.get_by_role("button", name=re.compile("mottakere|recipients", re.I)))
    assert post.korrespondanseparter.count() == 3

    # Three recipients without a mailbox: "Dispatch" first shows the count and the split.
    page.follow(page.get_by_role("button", name=re.compile("^(Ekspeder|Dispatch)$")))
    expect(page.locator("#content-main")).to_contain_text("3")
    rows = page.locator("#content-main table tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator("td")).to_have_text("0")
    expect(rows.nth(1).locator("td")).to_have_text("3")
    expect(rows.nth(2).locator("td")).to_have_text("0")
    post.refresh_from_db()
    assert post.journalstatus != Journalpost.Status.EKSPEDERT

    page.follow(page.get_by_role("button", name=re.compile("3")))
    post.refresh_from_db()
    assert post.journalstatus == Journalpost.Status.EKSPEDERT
    page.goto("/admin/saksarkiv/journalpost/")


def test_public_journal_names_no_person_of_a_mass_dispatch_until_marked_public(page, settings, tmp_path):
    provider = providers(settings, tmp_path)[0]
    kari = citizen(mailbox_provider=provider, given_name="Kari", family_name="Nordmann")
    others = [citizen(mailbox_provider=provider, given_name=n, family_name="Hansen") for n in ("Ola", "Per")]
    case_handler = log_in_as_case_handler(page)
    case = services.create_saksmappe(
        case_handler, tittel="Eiendomsskatt – Kari Nordmann m.fl.", offentlig_tittel="Eiendomsskatt 2026"
    )
    post = services.add_journalpost(case, case_handler, journalposttype="U", tittel="Varsel om eiendomsskatt")
    services.add_document(
        post, case_handler, tittel="Varsel", content=pdf(), filnavn="v.pdf", hoveddokument=True
    )
    services.add_recipients(post, case_handler, [p.identity_number for p in (kari, *others)])
    services.dispatch(post, case_handler)
    letter = post.korrespondanseparter.get(foedselsnummer=kari.identity_number).forsendelse_id
    citizen_client = Client()
    log_in(citizen_client, kari)
    assert answer(citizen_client, Letter.objects.get(pk=letter)).status_code == 302

    page.goto(f"/innsyn/{case_handler.organisation.organisasjonsnummer}/")
    main = page.locator("main")
    expect(main).to_contain_text("Varsel om eiendomsskatt")
    expect(main).to_contain_text("Svar: Varsel om eiendomsskatt")
    for name in ("Kari", "Nordmann", "Ola Hansen", "Per Hansen"):
        expect(main).not_to_contain_text(name)

    # The handler decides that this post's recipients may be named.
    page.goto(f"/admin/saksarkiv/journalpost/{post.pk}/change/")
    page.follow(page.locator("#public-names input[type=submit]"))
    page.goto(f"/innsyn/{case_handler.organisation.organisasjonsnummer}/")
    expect(page.locator("main")).to_contain_text("Ola Hansen")
    # The reply stays as it was filed: its sender is not named.
    expect(page.locator("main")).not_to_contain_text("Svar fra")


def best_practice_violations(page) -> list[str]:
    """axe's best-practice rules beside WCAG's (the harness checks WCAG): label-title-only and
    page-has-heading-one live there. Serious and critical only, as the harness."""
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: ['best-practice']}});
            return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
        }"""
    )


def test_the_case_handlers_admin_pages_pass_axe_best_practice_too(page):
    case_handler = log_in_as_case_handler(page)
    case = services.create_saksmappe(case_handler, tittel="Eiendomsskatt 2026")
    post = services.add_journalpost(case, case_handler, journalposttype="U", tittel="Varsel om eiendomsskatt")
    for path in (
        "/admin/saksarkiv/saksmappe/",
        "/admin/saksarkiv/saksmappe/?q=Eiendomsskatt",
        "/admin/saksarkiv/saksmappe/add/",
        f"/admin/saksarkiv/saksmappe/{case.pk}/change/",
        "/admin/saksarkiv/saksmappe/oversikt/",
        "/admin/saksarkiv/journalpost/",
        "/admin/saksarkiv/journalpost/add/",
        f"/admin/saksarkiv/journalpost/{post.pk}/change/",
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        assert best_practice_violations(page) == [], path
