"""The case handler's whole way in the admin: new case, journal post from a template, recipients,
preview, dispatch, receipts; and never a glimpse of another organisation's records."""

import pytest

from core.models import AuditEvent
from folkeregister.models import AddressProtection, Person
from postkasse.models import Letter
from saksarkiv import services
from saksarkiv.models import Journalpost, Saksmappe
from tests.postkasse.factories import citizen, pdf, providers
from tests.saksarkiv.factories import brevmal, handler, organisation

pytestmark = pytest.mark.django_db


def test_case_handler_goes_from_new_case_to_a_delivered_letter(client, case_handler, settings, tmp_path):
    digipost = providers(settings, tmp_path)[0]
    template = brevmal(case_handler.organisation)
    response = client.post(
        "/admin/saksarkiv/saksmappe/add/",
        {"tittel": "Bostøtte – Kari Nordmann", "offentlig_tittel": "Bostøtte", "journalposter-TOTAL_FORMS": 0,
         "journalposter-INITIAL_FORMS": 0},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Saksmappe.objects.get()
    response = client.post(
        "/admin/saksarkiv/journalpost/add/",
        {"saksmappe": case.pk, "journalposttype": "U", "tittel": "Vedtak om bostøtte", "offentlig_tittel": "Vedtak",
         "dokumentdato": "2026-11-25", "brevmal": template.pk},
    )  # fmt: skip
    journalpost = Journalpost.objects.get()
    assert response.url == f"/admin/saksarkiv/journalpost/{journalpost.pk}/change/"
    person = citizen(mailbox_provider=digipost, given_name="Kari")
    client.post(
        f"/admin/saksarkiv/journalpost/{journalpost.pk}/mottaker/",
        {"identity_number": person.identity_number},
    )
    page = client.get(response.url).content.decode()
    assert "Kari Nordmann" in page and "Storgata 1" in page
    preview = client.get(f"/admin/saksarkiv/journalpost/{journalpost.pk}/forhandsvis/")
    assert preview["Content-Type"] == "application/pdf" and preview.content.startswith(b"%PDF")
    client.post(f"/admin/saksarkiv/journalpost/{journalpost.pk}/ekspeder/")
    journalpost.refresh_from_db()
    assert journalpost.journalstatus == Journalpost.Status.EKSPEDERT
    assert Letter.objects.get().status == Letter.Status.DELIVERED
    page = client.get(response.url).content.decode()
    assert "Levert" in page


def test_dispatch_errors_are_shown_and_nothing_changes(client, case_handler):
    case = services.create_saksmappe(case_handler, tittel="Sak")
    journalpost = services.add_journalpost(case, case_handler, journalposttype="U", tittel="Brev")
    response = client.post(f"/admin/saksarkiv/journalpost/{journalpost.pk}/ekspeder/", follow=True)
    assert "Legg til en mottaker før du ekspederer." in response.content.decode()
    journalpost.refresh_from_db()
    assert journalpost.journalstatus == Journalpost.Status.REGISTRERT


def test_a_non_pdf_upload_is_refused_with_a_message(client, case_handler):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = services.create_saksmappe(case_handler, tittel="Sak")
    journalpost = services.add_journalpost(case, case_handler, journalposttype="I", tittel="Søknad")
    response = client.post(
        f"/admin/saksarkiv/journalpost/{journalpost.pk}/dokument/",
        {"tittel": "Søknad", "fil": SimpleUploadedFile("brev.pdf", b"not a pdf"), "hoveddokument": "on"},
        follow=True,
    )
    assert "Brev.pdf er ikke en PDF." in response.content.decode()  # the admin capitalises messages
    ok = client.post(
        f"/admin/saksarkiv/journalpost/{journalpost.pk}/dokument/",
        {"tittel": "Søknad", "fil": SimpleUploadedFile("s.pdf", pdf()), "hoveddokument": "on"},
        follow=True,
    )
    assert "Dokumentet er lagt til." in ok.content.decode() and journalpost.dokumenter.count() == 1
    version = journalpost.dokumenter.get().versjoner.get()
    opened = client.get(f"/admin/saksarkiv/journalpost/{journalpost.pk}/dokument/{version.pk}/")
    assert opened.status_code == 200 and opened.content == pdf()
    read = AuditEvent.objects.get(action="saksarkiv.document_read")
    assert read.actor_user == case_handler.user and read.object_id == str(version.pk)


def test_another_organisations_records_answer_404(client, case_handler):
    other = handler(organisation("974312344", "Velferdsetaten"))
    case = services.create_saksmappe(other, tittel="Hemmelig sak")
    journalpost = services.add_journalpost(case, other, journalposttype="I", tittel="Hemmelig")
    assert client.get(f"/admin/saksarkiv/journalpost/{journalpost.pk}/change/").status_code == 404
    assert client.get(f"/admin/saksarkiv/saksmappe/{case.pk}/change/").status_code in (302, 404)
    assert "Hemmelig" not in client.get("/admin/saksarkiv/saksmappe/").content.decode()
    assert "Hemmelig" not in client.get("/admin/saksarkiv/journalpost/").content.decode()
    assert client.post(f"/admin/saksarkiv/journalpost/{journalpost.pk}/ekspeder/").status_code == 404


def test_a_template_with_an_unknown_field_cannot_be_saved(client, case_handler):
    response = client.post(
        "/admin/saksarkiv/brevmal/add/", {"navn": "x", "emne": "Hei", "tekst": "{{ fnr }}"}
    )
    assert response.status_code == 200 and "Feltet {{ fnr }} finnes ikke" in response.content.decode()


def test_staff_without_a_case_handler_registration_see_no_archive(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/admin/saksarkiv/journalpost/").status_code == 403


def test_case_number_search(client, case_handler):
    first = services.create_saksmappe(case_handler, tittel="Første")
    services.create_saksmappe(case_handler, tittel="Andre")
    page = client.get("/admin/saksarkiv/saksmappe/", {"q": first.saksnummer}).content.decode()
    assert "Første" in page and "Andre" not in page


def test_mass_dispatch_adds_many_recipients_and_runs_in_the_background(
    client, case_handler, settings, tmp_path
):
    settings.SAKSARKIV_BACKGROUND_DISPATCH_FROM = 3
    providers(settings, tmp_path)
    case = services.create_saksmappe(case_handler, tittel="Renovasjonsgebyr 2027")
    journalpost = services.add_journalpost(case, case_handler, journalposttype="U", tittel="Faktura")
    journalpost.brevmal = brevmal(case_handler.organisation)
    journalpost.save()
    people = [citizen() for _ in range(4)]
    numbers = "\n".join(person.identity_number for person in people)
    response = client.post(
        f"/admin/saksarkiv/journalpost/{journalpost.pk}/mottakere/",
        {"identity_numbers": numbers},
        follow=True,
    )
    assert "4 mottakere er lagt til." in response.content.decode()
    # Many recipients: the first click asks, with the count, and sends nothing.
    response = client.post(f"/admin/saksarkiv/journalpost/{journalpost.pk}/ekspeder/")
    assert response.status_code == 200 and 'name="confirmed"' in response.content.decode()
    assert not Letter.objects.exists()
    response = client.post(
        f"/admin/saksarkiv/journalpost/{journalpost.pk}/ekspeder/", {"confirmed": "yes"}, follow=True
    )
    assert "Masseutsendelsen er satt i kø" in response.content.decode()
    journalpost.refresh_from_db()
    assert journalpost.journalstatus == Journalpost.Status.EKSPEDERT  # the immediate task backend ran it
    assert Letter.objects.count() == 4


def test_mass_recipients_are_all_or_nothing(client, case_handler):
    case = services.create_saksmappe(case_handler, tittel="Sak")
    journalpost = services.add_journalpost(case, case_handler, journalposttype="U", tittel="Faktura")
    good = citizen().identity_number
    response = client.post(
        f"/admin/saksarkiv/journalpost/{journalpost.pk}/mottakere/",
        {"identity_numbers": f"{good}\n12345678901"},
        follow=True,
    )
    assert "12345678901" in response.content.decode()
    assert not journalpost.korrespondanseparter.exists()


def test_dashboard_shows_this_months_digital_and_paper_and_the_saving(
    client, case_handler, settings, tmp_path
):
    digipost = providers(settings, tmp_path)[0]
    case = services.create_saksmappe(case_handler, tittel="Sak")
    journalpost = services.add_journalpost(case, case_handler, journalposttype="U", tittel="Vedtak")
    services.add_document(
        journalpost, case_handler, tittel="Vedtak", content=pdf(), filnavn="v.pdf", hoveddokument=True
    )
    for person in (citizen(mailbox_provider=digipost), citizen(mailbox_provider=digipost), citizen()):
        services.add_party(journalpost, case_handler, identity_number=person.identity_number)
    services.dispatch(journalpost, case_handler)
    page = client.get("/admin/saksarkiv/saksmappe/oversikt/").content.decode()
    cells = [
        cell.strip()
        for cell in page.split("<tbody><tr>")[1].split("</tr>")[0].replace("</td>", "").split("<td>")[1:]
    ]
    assert cells[:4] == ["2", "1", "0", "67 %"]
    assert cells[5] == "34"  # 2 × (25 kr on paper − 8 kr digital)


def test_list_filters_offer_only_the_handlers_own_organisations_case_handlers(client):
    nordas = handler(organisation("974312344", "Nordås kommune"), first_name="Nora", last_name="Nordås")
    fjordvik = handler(organisation(), first_name="Frode", last_name="Fjordvik")
    for own in (nordas, fjordvik):
        case = services.create_saksmappe(own, tittel="Sak")
        services.add_journalpost(case, own, journalposttype="I", tittel="Brev")
    client.force_login(nordas.user)

    for changelist in ("/admin/saksarkiv/saksmappe/", "/admin/saksarkiv/journalpost/"):
        page = client.get(changelist).content.decode()
        assert "Nora Nordås" in page, changelist  # the filter is there, with the own handler
        assert "Frode Fjordvik" not in page, changelist


def test_templates_are_saved_through_the_service_that_audits_them(client, case_handler):
    response = client.post(
        "/admin/saksarkiv/brevmal/add/",
        {"navn": "Vedtak", "emne": "Vedtak", "tekst": "Hei {{ mottaker_navn }}"},
    )
    assert response.status_code == 302
    template = case_handler.organisation.brevmal_set.get()
    created = AuditEvent.objects.get(action="saksarkiv.template_created")
    assert created.actor_user == case_handler.user and created.object_id == str(template.pk)

    response = client.post(
        f"/admin/saksarkiv/brevmal/{template.pk}/change/",
        {"navn": "Vedtak", "emne": "Vedtak", "tekst": "Hei {{ mottaker_navn }}, innvilget."},
    )
    assert response.status_code == 302
    changed = AuditEvent.objects.get(action="saksarkiv.template_changed")
    assert changed.details["changed"] == {
        "tekst": ["Hei {{ mottaker_navn }}", "Hei {{ mottaker_navn }}, innvilget."]
    }


def test_a_template_name_already_used_in_the_organisation_is_a_form_error(client, case_handler):
    brevmal(case_handler.organisation, navn="Vedtak")
    response = client.post(
        "/admin/saksarkiv/brevmal/add/", {"navn": "Vedtak", "emne": "Vedtak", "tekst": "Hei"}
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert case_handler.organisation.brevmal_set.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="saksarkiv.template").exists()


def test_another_organisations_template_cannot_be_changed(client, case_handler):
    theirs = brevmal(organisation("974312344", "Velferdsetaten"), tekst="Deres tekst")
    response = client.post(
        f"/admin/saksarkiv/brevmal/{theirs.pk}/change/", {"navn": "Mine", "emne": "Mine", "tekst": "Mine"}
    )
    assert response.status_code in (302, 404)
    theirs.refresh_from_db()
    assert theirs.tekst == "Deres tekst"


def test_every_bad_pasted_line_is_named_with_its_reason_and_the_list_is_kept(client, case_handler):
    case = services.create_saksmappe(case_handler, tittel="Sak")
    journalpost = services.add_journalpost(case, case_handler, journalposttype="U", tittel="Faktura")
    good = citizen().identity_number
    pasted = f"{good}\n12345\n\n13097248022\n{good}; \nikke et nummer"
    response = client.post(
        f"/admin/saksarkiv/journalpost/{journalpost.pk}/mottakere/", {"identity_numbers": pasted}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert page.count("<li>Linje ") == 3
    assert "Linje 2 (12345)" in page and "Linje 4 (13097248022): finnes ikke i folkeregisteret" in page
    assert "Linje 6 (ikke et nummer)" in page
    assert f">\n{pasted}</textarea>" in page
    assert not journalpost.korrespondanseparter.exists()


def test_a_pasted_list_of_absurd_length_is_refused_without_a_lookup(client, case_handler):
    case = services.create_saksmappe(case_handler, tittel="Sak")
    journalpost = services.add_journalpost(case, case_handler, journalposttype="U", tittel="Faktura")
    response = client.post(
        f"/admin/saksarkiv/journalpost/{journalpost.pk}/mottakere/", {"identity_numbers": "1\n" * 100_001}
    )
    assert response.status_code == 400
    assert not journalpost.korrespondanseparter.exists()


def test_dispatch_to_many_asks_first_with_the_channel_split(client, case_handler, settings, tmp_path):
    digipost = providers(settings, tmp_path)[0]
    case = services.create_saksmappe(case_handler, tittel="Sak")
    journalpost = services.add_journalpost(case, case_handler, journalposttype="U", tittel="Varsel")
    services.add_document(
        journalpost, case_handler, tittel="Varsel", content=pdf(), filnavn="v.pdf", hoveddokument=True
    )
    people = [citizen(mailbox_provider=digipost), citizen(mailbox_provider=digipost), citizen(), citizen()]
    Person.objects.filter(identity_number=people[3].identity_number).update(
        address_protection=AddressProtection.FORTROLIG
    )
    services.add_recipients(journalpost, case_handler, [p.identity_number for p in people])

    assert services.expected_channels(journalpost) == services.ChannelSplit(digital=2, paper=1, held=1)
    response = client.post(f"/admin/saksarkiv/journalpost/{journalpost.pk}/ekspeder/")
    assert response.status_code == 200
    assert "Ekspeder til 4 mottakere" in response.content.decode()
    assert not Letter.objects.exists()
    journalpost.refresh_from_db()
    assert journalpost.journalstatus == Journalpost.Status.REGISTRERT


def test_a_new_case_is_announced_with_its_case_number(client, case_handler):
    response = client.post(
        "/admin/saksarkiv/saksmappe/add/",
        {"tittel": "Byggesak", "journalposter-TOTAL_FORMS": 0, "journalposter-INITIAL_FORMS": 0},
        follow=True,
    )
    case = Saksmappe.objects.get()
    assert case.offentlig_tittel == "Byggesak"
    page = response.content.decode()
    assert f"{case.saksnummer} Byggesak" in page and "None/None" not in page
