"""The archive's admin flows in Chromium, as the archive leader and a case handler do them: access codes and
the groups that grant them, parties of a journal post, closing a period, the classification tree and the units,
handing a case over and reading its history, the variants of an uploaded PDF, and the deposit download. axe
checks every page and every state the person sees."""

import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from saksarkiv import services
from saksarkiv.models import Arkivdel, Korrespondansepart, Saksmappe, Tilgangsgruppe, Tilgangskode
from saksarkiv.services import archive, classification
from saksarkiv.services.access import granted_codes
from tests.saksarkiv.factories import enhet, handler
from tests.saksarkiv.test_deposit import Archive
from tests.saksarkiv.test_pdfa import ordinary_pdf

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Riktig-hest-batteri-42"


def archive_leader(**user_fields):
    leader = handler(**{"first_name": "Arne", "last_name": "Arkivar", **user_fields})
    leader.arkivleder = True
    leader.save(update_fields=["arkivleder"])
    return leader


def log_in(page, person):
    page.goto("/admin/login/")
    page.get_by_label("Brukernavn").fill(person.user.username)
    page.get_by_label("Passord").fill(PASSWORD)
    page.follow(page.get_by_role("button", name="Logg inn"))
    return person


def save(page):
    page.follow(page.locator("input[name=_save]"))


def run_action(page, pk, action):
    """Tick one row of a changelist, choose an action and run it (the action's own form is the next page)."""
    page.locator(f"input[name=_selected_action][value='{pk}']").check()
    page.locator("select[name=action]").select_option(action)
    page.check()
    page.follow(page.locator("#changelist-form .actions button[type=submit]"))


def choose(page, field, label):
    """Tick one of a many-to-many field's checkboxes."""
    page.locator(f"#id_{field}").get_by_label(label, exact=True).check()
    page.check()


def test_the_archive_leader_adds_an_access_code_and_a_group_granting_it_and_a_duplicate_code_is_refused(page):
    leader = log_in(page, archive_leader())
    colleague = handler(first_name="Kari", last_name="Lund")

    page.goto("/admin/saksarkiv/tilgangskode/add/")
    page.locator("#id_kode").fill("pv")
    page.locator("#id_navn").fill("Personalsaker")
    page.locator("#id_tilgangsrestriksjon").fill("13")
    page.locator("#id_skjermingshjemmel").fill("Offl. § 13 jf. fvl. § 13")
    save(page)
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator("#result_list")).to_contain_text("PV")
    expect(page.locator("#result_list")).to_contain_text("Personalsaker")
    code = Tilgangskode.objects.get(organisation=leader.organisation)
    assert (code.kode, code.navn) == ("PV", "Personalsaker")

    # The same code again, typed in lower case: refused, the form kept as typed.
    page.goto("/admin/saksarkiv/tilgangskode/add/")
    page.locator("#id_kode").fill("pv")
    page.locator("#id_navn").fill("Personal igjen")
    save(page)
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".errorlist")).to_contain_text("PV")
    expect(page.locator("#id_navn")).to_have_value("Personal igjen")
    assert Tilgangskode.objects.filter(organisation=leader.organisation).count() == 1

    page.goto("/admin/saksarkiv/tilgangsgruppe/add/")
    page.locator("#id_navn").fill("Personalkontoret")
    choose(page, "tilgangskoder", str(code))
    choose(page, "medlemmer", str(colleague))
    save(page)
    expect(page.locator(".messagelist .success")).to_be_visible()
    row = page.locator("#result_list tbody tr").filter(has_text="Personalkontoret")
    expect(row).to_contain_text("PV")
    gruppe = Tilgangsgruppe.objects.get(organisation=leader.organisation)
    assert list(gruppe.tilgangskoder.all()) == [code]
    assert list(gruppe.medlemmer.all()) == [colleague]
    assert granted_codes(colleague).filter(pk=code.pk).exists()


def test_a_case_handler_adds_a_typed_in_and_an_internal_party_and_a_bad_country_is_shown_with_the_form_kept(
    page,
):
    case_handler = log_in(page, handler())
    colleague = handler(first_name="Kari", last_name="Lund")
    case = services.create_saksmappe(case_handler, tittel="Byggesak Storgata 1")
    post = services.add_journalpost(case, case_handler, journalposttype="U", tittel="Svar på nabovarsel")
    party_form = page.locator("form").filter(has=page.locator("#add-party"))

    page.goto(f"/admin/saksarkiv/journalpost/{post.pk}/change/")
    party_form.locator("input[name=kind][value=typed]").check()
    party_form.locator("#id_navn").fill("Ola Nabo")
    party_form.locator("#id_postadresse").fill("Storgata 3\nLeilighet H0101")
    party_form.locator("#id_postnummer").fill("0155")
    party_form.locator("#id_poststed").fill("Oslo")
    page.check()
    page.follow(party_form.locator("input[type=submit]"))
    expect(page.locator(".messagelist .success")).to_contain_text("Ola Nabo")

    party_form.locator("input[name=kind][value=internal]").check()
    party_form.locator("#id_korrespondanseparttype").select_option("IK")
    party_form.locator("#id_saksbehandler").select_option(label=str(colleague))
    page.check()
    page.follow(party_form.locator("input[type=submit]"))
    expect(page.locator(".messagelist .success")).to_be_visible()

    parties = page.locator("#content-main table tbody tr")
    expect(parties.filter(has_text="Ola Nabo")).to_contain_text("Storgata 3, Leilighet H0101, 0155 Oslo")
    expect(parties.filter(has_text=colleague.user.get_full_name())).to_have_count(1)

    # A country code that is none: the reason beside the form, which keeps what was typed.
    party_form.locator("input[name=kind][value=typed]").check()
    party_form.locator("#id_navn").fill("Nils Utland")
    party_form.locator("#id_postadresse").fill("Kungsgatan 1")
    party_form.locator("#id_poststed").fill("Stockholm")
    party_form.locator("#id_land").fill("XX")
    page.follow(party_form.locator("input[type=submit]"))
    expect(page.locator("#party-errors")).to_contain_text("XX")
    expect(party_form.locator("#id_navn")).to_have_value("Nils Utland")
    expect(party_form.locator("#id_land")).to_have_value("XX")
    expect(party_form.locator("input[name=kind][value=typed]")).to_be_checked()
    assert sorted(post.korrespondanseparter.values_list("korrespondanseparttype", flat=True)) == [
        Korrespondansepart.Type.MOTTAKER,
        Korrespondansepart.Type.INTERN_KOPIMOTTAKER,
    ]


def test_the_archive_leader_closes_a_period_and_reads_the_classification_tree_and_the_units(page):
    leader = log_in(page, archive_leader())
    arkivdel = archive.active_arkivdel(leader.organisation)
    system = arkivdel.klassifikasjonssystem
    plan = system.klasser.get(klasse_id="900")
    classification.add_class(system, leader, klasse_id="901", tittel="Byggesaker", forelder=plan)
    enhet(leader.organisation, kortnavn="PLAN", navn="Plan og bygg")
    start = timezone.localdate() + timedelta(days=1)

    page.goto("/admin/saksarkiv/arkivdel/")
    run_action(page, arkivdel.pk, "close_period")
    page.locator("#id_new_title").fill("Sakarkiv 2027")
    page.locator("#id_start").fill(start.isoformat())
    page.follow(page.locator("input[name=apply]"))
    expect(page.locator(".messagelist .success")).to_contain_text("Sakarkiv 2027")
    successor = Arkivdel.objects.get(referanse_forloeper=arkivdel)
    assert successor.tittel == "Sakarkiv 2027" and successor.arkivdelstatus == Arkivdel.Status.AKTIV
    row = page.locator("#result_list tbody tr").filter(has_text="Sakarkiv 2027")
    expect(row).to_contain_text(arkivdel.tittel)

    page.goto(f"/admin/saksarkiv/klassifikasjonssystem/{system.pk}/change/")
    tree = page.locator(".field-class_tree")
    # The new class is in the tree under its parent.
    parent = tree.locator("li").filter(has=page.locator("xpath=./ul/li", has_text="901 Byggesaker"))
    expect(parent).to_have_count(1)
    expect(parent).to_contain_text("900 Plan og byggesaker")

    page.goto("/admin/saksarkiv/administrativenhet/")
    expect(page.locator("#result_list")).to_contain_text("Plan og bygg")
    expect(page.locator("#result_list")).to_contain_text("Helse")


def test_a_case_handler_hands_a_case_over_with_a_reason_and_sees_it_in_the_history(page):
    case_handler = log_in(page, handler())
    colleague = handler(first_name="Kari", last_name="Lund")
    case = services.create_saksmappe(case_handler, tittel="Søknad om bostøtte")

    page.goto("/admin/saksarkiv/saksmappe/")
    run_action(page, case.pk, "reassign_cases")
    page.locator("#id_to_handler").select_option(label=str(colleague))
    page.locator("#id_reason").fill("Ferieavvikling")
    page.follow(page.locator("input[name=apply]"))
    expect(page.locator(".messagelist .success")).to_contain_text(case.saksnummer)
    case.refresh_from_db()
    assert case.saksansvarlig == colleague

    page.goto(f"/admin/saksarkiv/saksmappe/{case.pk}/history/")
    entry = page.locator("#content-main tbody tr").filter(has_text="Ferieavvikling")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(str(colleague))
    expect(entry).to_contain_text(case_handler.user.username)


def test_an_uploaded_ordinary_pdf_shows_as_produced_and_as_its_archive_format(page, tmp_path):
    case_handler = log_in(page, handler())
    case = services.create_saksmappe(case_handler, tittel="Søknad om bostøtte")
    post = services.add_journalpost(case, case_handler, journalposttype="I", tittel="Søknad")
    upload = tmp_path / "soknad.pdf"
    upload.write_bytes(ordinary_pdf())

    page.goto(f"/admin/saksarkiv/journalpost/{post.pk}/change/")
    upload_form = page.locator("form[enctype='multipart/form-data']")
    upload_form.locator("#id_tittel").fill("Søknad")
    upload_form.locator("#id_fil").set_input_files(str(upload))
    upload_form.locator("#id_hoveddokument").check()
    page.follow(upload_form.locator("input[type=submit]"))
    expect(page.locator(".messagelist .success")).to_be_visible()
    rows = (
        page.locator("table").filter(has=page.get_by_role("columnheader", name="SHA-256")).locator("tbody tr")
    )
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="fmt/477")).to_contain_text("PDF/A-2b")
    expect(rows.filter(has_text="fmt/19")).to_contain_text("PDF 1.5")
    assert set(post.dokumenter.get().versjoner.values_list("variantformat", flat=True)) == {"P", "A"}


def test_the_archive_leader_downloads_the_deposit_of_a_closed_period_as_a_zip(page):
    leader = log_in(page, archive_leader())
    period = Archive(leader)

    page.goto("/admin/saksarkiv/arkivdel/")
    page.locator(f"input[name=_selected_action][value='{period.arkivdel.pk}']").check()
    page.locator("select[name=action]").select_option("make_deposit")
    page.check()
    with page.expect_download() as started:
        page.locator("#changelist-form .actions button[type=submit]").click()
    download = started.value
    assert download.suggested_filename == f"arkivuttrekk-965302026-{period.arkivdel.system_id}.zip"
    package = zipfile.ZipFile(download.path())
    top = f"arkivuttrekk-965302026-{period.arkivdel.system_id}/"
    assert top + "arkivstruktur.xml" in package.namelist()
    assert "Bostøtte 2026 – Kari Nordmann" in package.read(top + "arkivstruktur.xml").decode()
    assert Saksmappe.objects.filter(arkivdel=period.arkivdel).count() == 2
