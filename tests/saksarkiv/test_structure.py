"""The archive's structure through its services: reassignment with its history, units, classes and
secondary classes, the K-kode import, periods, and the standard's entities beside the records."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.models import AuditEvent
from folkeregister.identity import make_identity_number
from saksarkiv import services
from saksarkiv.models import AdministrativEnhet, Arkivdel, Gradering, Klasse, Klassifikasjonssystem, Merknad
from saksarkiv.services import classification, entities, periods, units
from saksarkiv.services.archive import active_arkivdel
from saksarkiv.services.errors import InvalidInput, NotFound, RecordFinalised
from saksarkiv.services.structure import NotAllowed, case_history, reassign
from tests.saksarkiv.factories import enhet, handler, organisation

pytestmark = pytest.mark.django_db

K_KODER = "demo/data/k-koder-utdrag.csv"


def fnr() -> str:
    return next(
        n for i in range(100, 200) if (n := make_identity_number(date(1990, 1, 1), i, synthetic=False))
    )


# Reassignment


def test_reassignment_changes_handler_and_unit_and_is_in_the_case_history(leader):
    owner = handler()
    other = handler(first_name="Per", last_name="Hansen")
    other.administrativ_enhet = enhet(kortnavn="BYG", navn="Byggesak")
    other.administrativ_enhet.journalenhet = "BYG"
    other.administrativ_enhet.save()
    other.save()
    case = services.create_saksmappe(owner, tittel="Søknad om bostøtte")

    reassign(case, owner, to_handler=other, reason="Ferie")

    case.refresh_from_db()
    assert case.saksansvarlig == other and case.administrativ_enhet.kortnavn == "BYG"
    assert case.journalenhet == "BYG"
    event = AuditEvent.objects.get(action="saksarkiv.case_reassigned")
    assert event.details["changes"]["saksansvarlig"] == [str(owner), str(other)]
    assert event.details["changes"]["administrativ_enhet"] == ["Helse", "Byggesak"]
    assert event.details["system_id"] == str(case.system_id)
    history = case_history(case)
    assert [entry.action for entry in history] == ["saksarkiv.case_created", "saksarkiv.case_reassigned"]
    assert history[-1].reason == "Ferie"


def test_reassignment_stays_within_the_organisation(leader):
    case = services.create_saksmappe(leader, tittel="Sak")
    stranger = handler(organisation("974760673", "Et annet organ"))
    with pytest.raises(NotFound):
        reassign(case, leader, to_handler=stranger, reason="Feil")
    with pytest.raises(NotFound):
        reassign(
            case, leader, to_handler=leader, to_unit=enhet(stranger.organisation, "X", "X"), reason="Feil"
        )
    case.refresh_from_db()
    assert case.saksansvarlig == leader


def test_only_the_saksansvarlig_or_archive_leader_hands_a_case_over(leader):
    owner, bystander = handler(), handler()
    case = services.create_saksmappe(owner, tittel="Sak")
    with pytest.raises(NotAllowed):
        reassign(case, bystander, to_handler=bystander, reason="Tar den")
    reassign(case, leader, to_handler=bystander, reason="Fordelt av leder")
    assert services.cases_for(leader).get(pk=case.pk).saksansvarlig == bystander


def test_reassignment_needs_a_reason_and_an_open_case(leader):
    case = services.create_saksmappe(leader, tittel="Sak")
    with pytest.raises(InvalidInput):
        reassign(case, leader, to_handler=handler(), reason="  ")
    services.close_case(case, leader)
    with pytest.raises(RecordFinalised):
        reassign(case, leader, to_handler=handler(), reason="For sent")


# Units


def test_units_form_a_hierarchy_without_cycles(leader):
    top = units.create_unit(leader, kortnavn="hov", navn="Helse og velferd", journalenhet="sen")
    child = units.create_unit(leader, kortnavn="NAV", navn="Sosialtjenesten", overordnet=top)
    assert top.kortnavn == "HOV" and child.journalenhet == "SEN"
    with pytest.raises(InvalidInput):
        units.change_unit(top, leader, overordnet=child)
    with pytest.raises(InvalidInput):
        units.change_unit(top, leader, overordnet=top)
    top.refresh_from_db()
    assert top.overordnet is None


def test_unit_rename_is_audited_and_a_unit_with_people_stays_open(leader):
    unit = units.create_unit(leader, kortnavn="OKO", navn="Økonomi")
    units.change_unit(unit, leader, navn="Økonomi og innkjøp")
    event = AuditEvent.objects.get(action="saksarkiv.unit_changed")
    assert event.details["changes"] == {"navn": ["Økonomi", "Økonomi og innkjøp"]}
    worker = handler()
    units.move_handler(worker, leader, to_unit=unit)
    with pytest.raises(InvalidInput):
        units.close_unit(unit, leader)
    units.move_handler(worker, leader, to_unit=enhet())
    units.close_unit(unit, leader)
    unit.refresh_from_db()
    assert not unit.aktiv
    with pytest.raises(InvalidInput):
        units.move_handler(worker, leader, to_unit=unit)


def test_only_the_archive_leader_changes_units():
    with pytest.raises(NotAllowed):
        units.create_unit(handler(), kortnavn="X", navn="X")
    assert not AdministrativEnhet.objects.filter(kortnavn="X").exists()


def test_a_unit_short_name_is_unique_in_the_organisation(leader):
    units.create_unit(leader, kortnavn="PLAN", navn="Plan")
    with pytest.raises(InvalidInput):
        units.create_unit(leader, kortnavn="plan", navn="Plan igjen")


# Classes


def test_classes_nest_and_cannot_loop(leader):
    system = classification.create_system(leader, tittel="K-koder", klassifikasjonstype="KK")
    a = classification.add_class(system, leader, klasse_id="A", tittel="Opplæring")
    a0 = classification.add_class(system, leader, klasse_id="A0", tittel="Felles", forelder=a)
    a01 = classification.add_class(system, leader, klasse_id="A01", tittel="Fjernundervisning", forelder=a0)
    assert [(k.klasse_id, level) for k, level in classification.tree(system)] == [
        ("A", 0),
        ("A0", 1),
        ("A01", 2),
    ]
    with pytest.raises(InvalidInput):
        classification.move_class(a, leader, forelder=a01)
    with pytest.raises(InvalidInput):
        classification.add_class(system, leader, klasse_id="A0", tittel="Igjen")
    other = classification.create_system(leader, tittel="Annen", klassifikasjonstype="EH")
    with pytest.raises(InvalidInput):
        classification.add_class(other, leader, klasse_id="X", tittel="X", forelder=a)
    a.refresh_from_db()
    assert a.forelder is None


def test_case_handlers_do_not_change_classification():
    with pytest.raises(NotAllowed):
        classification.create_system(handler(), tittel="Min nøkkel", klassifikasjonstype="EH")


@pytest.fixture
def secondary(leader):
    arkivdel = active_arkivdel(leader.organisation)
    gbn = classification.create_system(leader, tittel="Gårds- og bruksnummer", klassifikasjonstype="GBN")
    pnr = classification.create_system(leader, tittel="Fødselsnummer", klassifikasjonstype="PNR")
    arkivdel.sekundaere_klassifikasjonssystemer.set([gbn, pnr])
    return gbn, pnr


def test_a_case_is_classified_by_gbnr_made_on_the_fly(leader, secondary):
    gbn, _pnr = secondary
    case = services.create_saksmappe(leader, tittel="Byggesøknad")
    klasse = classification.classify_secondarily(case, leader, system=gbn, value="12 / 0345")
    assert klasse.klasse_id == "12/345" and klasse.skjerming is None
    assert list(case.sekundaerklasser.all()) == [klasse]
    again = classification.classify_secondarily(services.create_saksmappe(leader, tittel="Nabovarsel"), leader,
                                                system=gbn, value="12/345")  # fmt: skip
    assert again == klasse
    for bad in ("12-345", "tolv/345", "12/"):
        with pytest.raises(InvalidInput):
            classification.classify_secondarily(case, leader, system=gbn, value=bad)
    assert Klasse.objects.filter(klassifikasjonssystem=gbn).count() == 1


def test_an_identity_number_class_is_checked_and_screened_out_of_the_public_journal(
    client, leader, secondary
):
    _gbn, pnr = secondary
    number = fnr()
    case = services.create_saksmappe(leader, tittel="Søknad om plass i barnehage")
    post = services.add_journalpost(case, leader, journalposttype="I", tittel="Søknad")
    with pytest.raises(InvalidInput):
        classification.classify_secondarily(
            case, leader, system=pnr, value=number[:10] + str((int(number[10]) + 1) % 10)
        )
    klasse = classification.classify_secondarily(case, leader, system=pnr, value=number)
    assert klasse.klasse_id == number and number not in klasse.tittel
    assert set(klasse.skjerming.skjerming_metadata) >= {"KID", "TKL"}
    url = reverse("innsyn:journal", kwargs={"organisasjonsnummer": leader.organisation.organisasjonsnummer})
    page = client.get(url).content.decode()
    assert f"{case.saksnummer}-{post.journalpostnummer}" in page
    assert number not in page and number[:6] not in page


def test_secondary_class_only_from_the_parts_secondary_systems(leader):
    other = classification.create_system(leader, tittel="Fødselsnummer", klassifikasjonstype="PNR")
    case = services.create_saksmappe(leader, tittel="Sak")
    with pytest.raises(InvalidInput):
        classification.classify_secondarily(case, leader, system=other, value=fnr())
    assert not case.sekundaerklasser.exists()


# K-koder


def test_k_koder_load_from_the_shipped_file_as_a_hierarchy():
    org = organisation()
    call_command("load_klassifikasjon", K_KODER, org=org.organisasjonsnummer)
    system = Klassifikasjonssystem.objects.get(arkiv__organisation=org, tittel="K-koder")
    assert system.klassifikasjonstype == "KK"
    a01 = system.klasser.get(klasse_id="A01")
    assert a01.forelder.klasse_id == "A0" and a01.forelder.forelder.klasse_id == "A"
    assert system.klasser.get(klasse_id="F").tittel == "Sosial- og omsorgstjenester"
    count = system.klasser.count()
    call_command("load_klassifikasjon", K_KODER, org=org.organisasjonsnummer)
    assert system.klasser.count() == count


def test_a_bad_key_file_loads_nothing(tmp_path):
    org = organisation()
    path = tmp_path / "k.csv"
    path.write_text("klasseID;tittel;forelder\nA;Opplæring;\nA0;Felles;Z\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Z"):
        call_command("load_klassifikasjon", str(path), org=org.organisasjonsnummer)
    assert not Klasse.objects.filter(klasse_id="A").exists()
    path.write_text("A;B\nC\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_klassifikasjon", str(path), org=org.organisasjonsnummer)
    path.write_text("A;Opplæring;B\nB;Skole;A\n", encoding="utf-8")
    with pytest.raises(CommandError, match="går i ring"):
        call_command("load_klassifikasjon", str(path), org=org.organisasjonsnummer)


# Periods


def test_closing_a_period_without_open_cases_closes_it_and_opens_the_successor(leader):
    old = active_arkivdel(leader.organisation)
    case = services.create_saksmappe(leader, tittel="Sak")
    services.close_case(case, leader)
    start = date(old.arkivperiode_start.year + 1, 1, 1)

    new = periods.close_period(old, leader, new_title="Sakarkiv neste år", start=start)

    old.refresh_from_db()
    assert new.referanse_forloeper == old and new.arkivdelstatus == Arkivdel.Status.AKTIV
    assert new.klassifikasjonssystem == old.klassifikasjonssystem
    assert old.arkivdelstatus == Arkivdel.Status.AVSLUTTET
    assert old.arkivperiode_slutt == start - timedelta(days=1)
    assert old.avsluttet_dato is not None and old.avsluttet_av == leader.user.get_username()
    assert active_arkivdel(leader.organisation) == new
    assert services.create_saksmappe(leader, tittel="Ny sak").arkivdel == new
    event = AuditEvent.objects.filter(action="saksarkiv.period_closed").get()
    assert event.details["changes"]["arkivdelstatus"] == ["A", "P"]


def test_open_cases_make_an_overlapping_period_and_move_on_when_it_ends(leader):
    old = active_arkivdel(leader.organisation)
    first = services.create_saksmappe(leader, tittel="Åpen sak")
    second = services.create_saksmappe(leader, tittel="Også åpen")
    new = periods.close_period(
        old, leader, new_title="Neste", start=old.arkivperiode_start + timedelta(days=366)
    )
    old.refresh_from_db()
    assert old.arkivdelstatus == Arkivdel.Status.OVERLAPPING and old.avsluttet_dato is None
    assert set(periods.open_cases(old)) == {first, second}

    periods.transfer_on_registration(first, leader)
    first.refresh_from_db()
    assert first.arkivdel == new
    with pytest.raises(InvalidInput):
        periods.finish_period(old, leader)
    assert periods.finish_period(old, leader, move_open=True) == 1
    old.refresh_from_db()
    second.refresh_from_db()
    assert second.arkivdel == new and old.arkivdelstatus == Arkivdel.Status.AVSLUTTET
    moved = AuditEvent.objects.filter(
        action="saksarkiv.case_moved_to_successor", object_id=str(second.pk)
    ).get()
    assert moved.details["changes"]["arkivdel"] == [str(old.system_id), str(new.system_id)]


def test_only_an_active_period_closes_and_only_once(leader):
    old = active_arkivdel(leader.organisation)
    with pytest.raises(NotAllowed):
        periods.close_period(old, handler(), new_title="X", start=date(2100, 1, 1))
    with pytest.raises(InvalidInput):
        periods.close_period(old, leader, new_title="X", start=old.arkivperiode_start)
    periods.close_period(old, leader, new_title="Neste", start=date(2100, 1, 1))
    with pytest.raises(InvalidInput):
        periods.close_period(old, leader, new_title="Igjen", start=date(2101, 1, 1))
    assert Arkivdel.objects.count() == 2


# Remarks, cross-references, precedents, disposal, grading


def test_remarks_on_records_and_the_archive_remark_is_the_leaders(leader):
    owner = handler()
    case = services.create_saksmappe(owner, tittel="Sak")
    merknad = entities.add_merknad(case, owner, merknadstekst="Ring søker før vedtak.")
    assert merknad.saksmappe == case and merknad.merknad_registrert_av == owner.user.get_username()
    with pytest.raises(NotAllowed):
        entities.add_merknad(case, owner, merknadstekst="Arkiv", merknadstype=Merknad.Type.ARKIVANSVARLIG)
    entities.add_merknad(case, leader, merknadstekst="Arkivert etter ordning", merknadstype="MA")
    with pytest.raises(NotFound):
        entities.add_merknad(case, handler(organisation("974760673", "Et annet organ")), merknadstekst="Hei")
    assert case.merknader.count() == 2


def test_cross_references_stay_in_the_archive(leader):
    case = services.create_saksmappe(leader, tittel="Sak")
    related = services.create_saksmappe(leader, tittel="Tidligere sak")
    post = services.add_journalpost(related, leader, journalposttype="I", tittel="Brev")
    entities.add_kryssreferanse(case, leader, target=related)
    entities.add_kryssreferanse(case, leader, target=post)
    assert case.kryssreferanser.count() == 2
    with pytest.raises(InvalidInput):
        entities.add_kryssreferanse(case, leader, target=case)
    stranger = handler(organisation("974760673", "Et annet organ"))
    foreign = services.create_saksmappe(stranger, tittel="Annen kommunes sak")
    with pytest.raises(NotFound):
        entities.add_kryssreferanse(case, leader, target=foreign)
    assert case.kryssreferanser.count() == 2


def test_a_precedent_links_its_case(leader):
    case = services.create_saksmappe(leader, tittel="Klage på vedtak")
    presedens = entities.create_presedens(leader, tittel="Bostøtte ved delt bosted", presedens_dato=date(2026, 3, 1),
                                          rettskildefaktor="Forvaltningspraksis", records=[case])  # fmt: skip
    assert list(presedens.saksmapper.all()) == [case]
    with pytest.raises(InvalidInput):
        entities.create_presedens(
            leader, tittel="Uten kilde", presedens_dato=date(2026, 3, 1), rettskildefaktor=""
        )


def test_disposal_date_counts_from_the_closing_of_the_case(leader):
    case = services.create_saksmappe(leader, tittel="Sak")
    open_kassasjon = entities.set_kassasjon(case, leader, kassasjonsvedtak="K", bevaringstid=10)
    assert open_kassasjon.kassasjonsdato is None
    services.close_case(case, leader)
    case.refresh_from_db()
    assert entities.kassasjonsdato(case) == entities.years_after(case.avsluttet_dato, 10)
    kassasjon = entities.set_kassasjon(
        case, leader, kassasjonsvedtak="K", bevaringstid=5, kassasjonshjemmel="Bevaringsplan"
    )
    assert kassasjon.kassasjonsdato == entities.years_after(case.avsluttet_dato, 5)
    given = entities.set_kassasjon(
        case, leader, kassasjonsvedtak="K", bevaringstid=5, kassasjonsdato=date(2040, 1, 1)
    )
    assert given.kassasjonsdato == date(2040, 1, 1)
    event = AuditEvent.objects.filter(action="saksarkiv.kassasjon_set").order_by("id").last()
    assert event.details["changes"]["kassasjonsdato"][1] == "2040-01-01"
    assert entities.years_after(datetime(2028, 2, 29, tzinfo=UTC), 1) == date(2029, 2, 28)


def test_disposal_of_a_part_or_class_is_the_leaders_and_bad_values_are_refused(leader):
    arkivdel = active_arkivdel(leader.organisation)
    with pytest.raises(NotAllowed):
        entities.set_kassasjon(arkivdel, handler(), kassasjonsvedtak="B", bevaringstid=0)
    entities.set_kassasjon(arkivdel, leader, kassasjonsvedtak="B", bevaringstid=0)
    case = services.create_saksmappe(leader, tittel="Sak")
    for bad in ({"kassasjonsvedtak": "X", "bevaringstid": 5}, {"kassasjonsvedtak": "K", "bevaringstid": -1}):
        with pytest.raises(InvalidInput):
            entities.set_kassasjon(case, leader, **bad)
    case.refresh_from_db()
    assert case.kassasjon is None


def test_grading_is_stamped_and_only_the_leader_downgrades(leader):
    owner = handler()
    case = services.create_saksmappe(owner, tittel="Beredskapsplan")
    gradering = entities.grade(case, owner, grad=Gradering.Grad.KONFIDENSIELT)
    assert gradering.gradert_av == owner.user.get_username() and gradering.graderingsdato is not None
    with pytest.raises(NotAllowed):
        entities.grade(case, owner, grad=Gradering.Grad.BEGRENSET)
    with pytest.raises(NotAllowed):
        entities.downgrade(case, owner)
    lower = entities.grade(case, leader, grad=Gradering.Grad.BEGRENSET)
    gradering.refresh_from_db()
    assert lower.grad == "B" and gradering.nedgradert_av == leader.user.get_username()
    case.refresh_from_db()
    assert case.gradering == lower


def test_the_demo_archive_has_a_closed_2025_period_before_the_active_one(settings, tmp_path):
    from django.core.management import call_command as run

    from folkeregister.seeding import seed_population
    from saksarkiv.models import Journalpost, Saksmappe
    from virksomheter.demo import seed_demo_organisations

    settings.DEBUG, settings.VAR_DIR = True, tmp_path
    seed_population(50, seed=3)
    seed_demo_organisations()
    quiet = open("/dev/null", "w")  # noqa: SIM115
    run("seed_demo_admin", stdout=quiet)
    run("seed_demo_archive", stdout=quiet)
    closed = Arkivdel.objects.get(tittel="Sakarkiv 2025")
    active = Arkivdel.objects.get(tittel="Sakarkiv 2026")
    assert closed.arkivdelstatus == Arkivdel.Status.AVSLUTTET and active.referanse_forloeper == closed
    assert (closed.arkivperiode_start, closed.arkivperiode_slutt) == (date(2025, 1, 1), date(2025, 12, 31))
    assert closed.klassifikasjonssystem.klassifikasjonstype == "KK"
    assert active_arkivdel(closed.arkiv.organisation) == active
    cases = Saksmappe.objects.filter(arkivdel=closed)
    assert cases.count() == 2 and all(c.saksaar == 2025 and c.avsluttet_dato.year == 2025 for c in cases)
    posts = Journalpost.objects.filter(saksmappe__arkivdel=closed)
    assert {p.journalstatus for p in posts} == {"A"} and all(p.arkivert_dato.year == 2025 for p in posts)
    assert (
        cases.filter(merknader__isnull=False).exists()
        and cases.filter(kryssreferanser__isnull=False).exists()
    )
    assert cases.filter(sekundaerklasser__klasse_id="12/345").exists()
