"""The structure in the admin: pages load and are scoped to the organisation; handlers read, the archive
leader changes; every change goes through the services (and so is checked and audited)."""

import re

import pytest

from core.models import AuditEvent
from saksarkiv import services
from saksarkiv.models import AdministrativEnhet, Arkivdel, Klasse, Merknad
from saksarkiv.services import classification
from saksarkiv.services.archive import active_arkivdel
from tests.saksarkiv.factories import enhet, handler, organisation

pytestmark = pytest.mark.django_db


def action(client, url, name, pks, **data):
    return client.post(url, {"action": name, "_selected_action": [str(pk) for pk in pks], **data})


def test_structure_pages_load_for_a_handler_and_show_only_their_organisation(client):
    own = handler()
    stranger = handler(organisation("974760673", "Et annet organ"))
    active_arkivdel(stranger.organisation).tittel  # noqa: B018 (makes the other archive)
    Arkivdel.objects.filter(arkiv__organisation=stranger.organisation).update(tittel="Fremmed arkivdel")
    active_arkivdel(own.organisation)
    client.force_login(own.user)
    for url in (
        "/admin/saksarkiv/arkivdel/",
        "/admin/saksarkiv/klassifikasjonssystem/",
        "/admin/saksarkiv/klasse/",
        "/admin/saksarkiv/administrativenhet/",
        "/admin/saksarkiv/presedens/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Fremmed arkivdel" not in response.content.decode()
    foreign = Arkivdel.objects.get(arkiv__organisation=stranger.organisation)
    assert client.get(f"/admin/saksarkiv/arkivdel/{foreign.pk}/change/").status_code == 302


def test_a_handler_reads_the_structure_but_cannot_change_it(client):
    own = handler()
    arkivdel = active_arkivdel(own.organisation)
    client.force_login(own.user)
    assert client.get("/admin/saksarkiv/administrativenhet/add/").status_code == 403
    assert client.get("/admin/saksarkiv/klasse/add/").status_code == 403
    assert "close_period" not in client.get("/admin/saksarkiv/arkivdel/").content.decode()
    action(client, "/admin/saksarkiv/arkivdel/", "close_period", [arkivdel.pk], new_title="X",
           start="2100-01-01", apply="1")  # fmt: skip
    arkivdel.refresh_from_db()
    assert arkivdel.arkivdelstatus == Arkivdel.Status.AKTIV and Arkivdel.objects.count() == 1


def test_the_archive_leader_closes_a_period_from_the_list(client, leader):
    arkivdel = active_arkivdel(leader.organisation)
    client.force_login(leader.user)
    form = action(client, "/admin/saksarkiv/arkivdel/", "close_period", [arkivdel.pk])
    assert form.status_code == 200 and 'name="new_title"' in form.content.decode()
    bad = action(client, "/admin/saksarkiv/arkivdel/", "close_period", [arkivdel.pk], new_title="Neste",
                 start=arkivdel.arkivperiode_start.isoformat(), apply="1")  # fmt: skip
    assert bad.status_code == 302
    assert "må starte etter" in client.get("/admin/saksarkiv/arkivdel/").content.decode()
    done = action(client, "/admin/saksarkiv/arkivdel/", "close_period", [arkivdel.pk], new_title="Sakarkiv 2100",
                  start="2100-01-01", apply="1")  # fmt: skip
    assert done.status_code == 302
    arkivdel.refresh_from_db()
    assert arkivdel.arkivdelstatus == Arkivdel.Status.AVSLUTTET
    assert Arkivdel.objects.get(referanse_forloeper=arkivdel).tittel == "Sakarkiv 2100"
    assert "make_deposit" in client.get("/admin/saksarkiv/arkivdel/").content.decode()


def test_classes_show_as_a_tree_without_screened_classes(client, leader):
    system = classification.create_system(leader, tittel="K-koder", klassifikasjonstype="KK")
    a = classification.add_class(system, leader, klasse_id="A", tittel="Opplæring")
    classification.add_class(system, leader, klasse_id="A0", tittel="Felles", forelder=a)
    pnr = classification.create_system(leader, tittel="Fødselsnummer", klassifikasjonstype="PNR")
    arkivdel = active_arkivdel(leader.organisation)
    arkivdel.sekundaere_klassifikasjonssystemer.add(pnr)
    case = services.create_saksmappe(leader, tittel="Sak")
    klasse = classification.classify_secondarily(case, leader, system=pnr, value=_fnr())
    client.force_login(leader.user)
    page = client.get(f"/admin/saksarkiv/klassifikasjonssystem/{system.pk}/change/").content.decode()
    assert "<ul><li>A Opplæring<ul><li>A0 Felles</li></ul></li></ul>" in page
    listing = client.get("/admin/saksarkiv/klasse/").content.decode()
    assert "\u2003\u2003A0 Felles" in listing and klasse.klasse_id not in listing


def _fnr():
    from datetime import date

    from folkeregister.identity import make_identity_number

    return next(
        n for i in range(100, 200) if (n := make_identity_number(date(1990, 1, 1), i, synthetic=False))
    )


def test_the_leader_adds_classes_and_a_loop_is_a_form_error(client, leader):
    system = classification.create_system(leader, tittel="K-koder", klassifikasjonstype="KK")
    a = classification.add_class(system, leader, klasse_id="A", tittel="Opplæring")
    client.force_login(leader.user)
    response = client.post("/admin/saksarkiv/klasse/add/", {"klassifikasjonssystem": system.pk, "klasse_id": "A0",
                                                           "tittel": "Felles", "forelder": a.pk})  # fmt: skip
    assert response.status_code == 302
    a0 = Klasse.objects.get(klasse_id="A0")
    assert a0.forelder == a and AuditEvent.objects.filter(action="saksarkiv.class_created").count() == 2
    response = client.post(f"/admin/saksarkiv/klasse/{a.pk}/change/", {"forelder": a0.pk})
    assert response.status_code == 200 and "under seg selv" in response.content.decode()
    a.refresh_from_db()
    assert a.forelder is None


def test_the_leader_makes_units_and_a_duplicate_short_name_is_a_form_error(client, leader):
    client.force_login(leader.user)
    response = client.post("/admin/saksarkiv/administrativenhet/add/", {"kortnavn": "hov", "navn": "Helse og velferd",
                                                                        "journalenhet": "SEN"})  # fmt: skip
    assert response.status_code == 302
    unit = AdministrativEnhet.objects.get(kortnavn="HOV")
    assert AuditEvent.objects.filter(action="saksarkiv.unit_created", object_id=str(unit.pk)).exists()
    again = client.post("/admin/saksarkiv/administrativenhet/add/", {"kortnavn": "HOV", "navn": "Igjen"})
    assert again.status_code == 200 and "finnes allerede en enhet" in again.content.decode()
    child = client.post("/admin/saksarkiv/administrativenhet/add/", {"kortnavn": "NAV", "navn": "Nav",
                                                                     "overordnet": unit.pk})  # fmt: skip
    assert child.status_code == 302
    loop = client.post(f"/admin/saksarkiv/administrativenhet/{unit.pk}/change/",
                       {"navn": unit.navn, "overordnet": AdministrativEnhet.objects.get(kortnavn="NAV").pk})  # fmt: skip
    assert loop.status_code == 200 and "under seg selv" in loop.content.decode()


def test_a_case_is_handed_over_from_the_list_and_its_history_shows_it(client, leader):
    owner = handler()
    other = handler(first_name="Per", last_name="Hansen")
    other.administrativ_enhet = enhet(kortnavn="BYG", navn="Byggesak")
    other.save()
    case = services.create_saksmappe(owner, tittel="Søknad om bostøtte")
    client.force_login(owner.user)
    form = action(client, "/admin/saksarkiv/saksmappe/", "reassign_cases", [case.pk])
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    done = action(client, "/admin/saksarkiv/saksmappe/", "reassign_cases", [case.pk], to_handler=other.pk,
                  reason="Ferie", apply="1")  # fmt: skip
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.saksansvarlig == other and case.administrativ_enhet.kortnavn == "BYG"
    client.force_login(other.user)
    history = client.get(f"/admin/saksarkiv/saksmappe/{case.pk}/history/").content.decode()
    assert "Ferie" in history and "Byggesak" in history and "Helse" in history


def test_a_case_is_classified_by_gbnr_from_the_list(client, leader):
    gbn = classification.create_system(leader, tittel="Gbnr", klassifikasjonstype="GBN")
    active_arkivdel(leader.organisation).sekundaere_klassifikasjonssystemer.add(gbn)
    case = services.create_saksmappe(leader, tittel="Byggesøknad")
    client.force_login(leader.user)

    def classify(value):
        action(
            client,
            "/admin/saksarkiv/saksmappe/",
            "classify_cases",
            [case.pk],
            system=gbn.pk,
            value=value,
            apply="1",
        )

    classify("12/345")
    assert [k.klasse_id for k in case.sekundaerklasser.all()] == ["12/345"]
    classify("tolv")
    assert "gårdsnummer/bruksnummer" in client.get("/admin/saksarkiv/saksmappe/").content.decode()


def _change_form_data(page: str) -> dict:
    """The management forms of every inline on a change page, as the browser would send them back."""
    return dict(
        re.findall(r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d+)"', page)
    )


def test_a_remark_is_added_on_the_case_page_through_the_service(client):
    owner = handler()
    case = services.create_saksmappe(owner, tittel="Sak")
    client.force_login(owner.user)
    url = f"/admin/saksarkiv/saksmappe/{case.pk}/change/"
    data = _change_form_data(client.get(url).content.decode())
    assert "merknader-TOTAL_FORMS" in data
    data.update(
        {"merknader-0-merknadstekst": "Ring søker", "merknader-0-merknadstype": "MS", "_continue": "1"}
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    merknad = Merknad.objects.get()
    assert merknad.saksmappe == case and merknad.merknad_registrert_av == owner.user.get_username()
    assert AuditEvent.objects.filter(action="saksarkiv.merknad_added").exists()
    data.update({"merknader-0-merknadstekst": "Arkivets", "merknader-0-merknadstype": "MA"})
    refused = client.post(url, data)
    assert refused.status_code == 200 and Merknad.objects.count() == 1
