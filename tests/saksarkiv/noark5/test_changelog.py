"""loggingogsporing/endringslogg (chapter 7, LoggingOgSporing): every changed field of a record the system
may see, from the audit trail, as a list of the organisation's whole log and under each record."""

from datetime import timedelta

import pytest
from django.utils import timezone

from saksarkiv import services
from saksarkiv.models import Journalpost, Saksmappe
from saksarkiv.services import access
from saksarkiv.services import units as services_units
from saksarkiv.services.api_handler import system_handler
from tests.saksarkiv.factories import handler, organisation
from tests.saksarkiv.noark5.conftest import REL, ROOT
from virksomheter.services import get_organisation

pytestmark = pytest.mark.django_db


def changelog(machine, params=None) -> dict:
    logging = machine.follow(machine.root(), "loggingogsporing/")
    return machine.follow(logging, "loggingogsporing/endringslogg/", params)


def retitled(machine, case: dict, tittel: str) -> dict:
    href = machine.href(case, "self")
    answer = machine.patch(href, {"tittel": tittel}, HTTP_IF_MATCH=machine.get(href)["ETag"])
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_the_package_lists_the_change_log_with_its_query_template(machine):
    logging = machine.follow(machine.root(), "loggingogsporing/")
    entry = logging["_links"][REL + "loggingogsporing/endringslogg/"]
    assert entry["templated"] is True
    assert entry["href"].endswith("/loggingogsporing/endringslogg/{?$filter&$orderby&$top&$skip&$search}")


def test_a_changed_title_is_one_entry_per_field_under_the_case(machine):
    case = machine.case(tittel="Søknad om bostøtte")
    retitled(machine, case, "Søknad om bostøtte 2027")
    log = machine.follow(case, "loggingogsporing/endringslogg/")
    assert log["count"] == 2
    by_field = {entry["referanseMetadata"]: entry for entry in log["results"]}
    assert set(by_field) == {"tittel", "offentligTittel"}
    tittel = by_field["tittel"]
    assert tittel["referanseArkivenhet"] == case["systemID"]
    assert tittel["tidligereVerdi"] == "Søknad om bostøtte"
    assert tittel["nyVerdi"] == "Søknad om bostøtte 2027"
    assert tittel["endretAv"] == "api-965302026"
    assert tittel["endretDato"].endswith(("+01:00", "+02:00"))


def test_who_changed_is_a_user_the_admin_package_lists(machine):
    retitled(machine, machine.case(), "Ny tittel")
    entry = changelog(machine, {"$filter": "referanseMetadata eq 'tittel'"})["results"][0]
    users = machine.get(ROOT + "admin/bruker/", {"$filter": "brukerNavn eq 'api-965302026'"}).json()
    assert entry["referanseEndretAv"] == users["results"][0]["systemID"]


def test_an_entry_links_back_to_its_record_and_reads_alone_with_an_etag(machine):
    case = machine.case()
    retitled(machine, case, "Ny tittel")
    entry = changelog(machine, {"$filter": "referanseMetadata eq 'tittel'"})["results"][0]
    assert machine.follow(entry, "sakarkiv/saksmappe/")["systemID"] == case["systemID"]
    answer = machine.get(machine.href(entry, "self"))
    assert answer.status_code == 200 and answer["ETag"]
    assert answer.json()["systemID"] == entry["systemID"]
    assert machine.follow(entry, "loggingogsporing/endringslogg/")["systemID"] == entry["systemID"]


def test_a_status_change_recorded_by_its_object_is_listed_under_the_journal_post(machine):
    post = machine.journalpost()
    services.void(Journalpost.objects.get(system_id=post["systemID"]), _system(), reason="Feilregistrert")
    log = machine.follow(post, "loggingogsporing/endringslogg/")
    assert [entry["referanseMetadata"] for entry in log["results"]] == ["journalstatus"]
    assert log["results"][0]["referanseArkivenhet"] == post["systemID"]
    assert log["results"][0]["nyVerdi"]
    found = changelog(machine, {"$filter": f"referanseArkivenhet eq {post['systemID']}"})
    assert [entry["systemID"] for entry in found["results"]] == [log["results"][0]["systemID"]]


def test_the_whole_log_is_filtered_counted_and_paged(machine):
    first, second = machine.case(), machine.case()
    retitled(machine, first, "Første")
    retitled(machine, second, "Andre")
    assert changelog(machine)["count"] == 4
    mine = changelog(
        machine, {"$filter": f"referanseArkivenhet eq {first['systemID']} and referanseMetadata eq 'tittel'"}
    )
    assert mine["count"] == 1 and mine["results"][0]["nyVerdi"] == "Første"
    page = changelog(machine, {"$top": 3, "$orderby": "endretDato desc"})
    assert page["count"] == 4 and len(page["results"]) == 3 and "next" in page["_links"]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert changelog(machine, {"$filter": f"endretDato ge {tomorrow}"})["count"] == 0
    assert (
        changelog(machine, {"$filter": f"endretDato lt {tomorrow} and endretAv eq 'api-965302026'"})["count"]
        == 4
    )
    assert changelog(machine, {"$filter": f"not (endretDato ge {tomorrow})"})["count"] == 4
    found = changelog(machine, {"$search": "Andre"})
    assert {entry["referanseArkivenhet"] for entry in found["results"]} == {second["systemID"]}


def test_another_organisations_changes_are_never_shown(machine, other_machine):
    theirs = other_machine.case(tittel="Deres sak")
    retitled(other_machine, theirs, "Deres nye tittel")
    assert changelog(other_machine)["count"] == 2
    assert changelog(machine)["count"] == 0
    assert "results" not in changelog(machine, {"$search": "Deres"})
    entry = changelog(other_machine)["results"][0]
    assert machine.get(f"{ROOT}loggingogsporing/endringslogg/{entry['systemID']}/").status_code == 404


def test_a_change_to_a_case_coded_against_the_system_is_neither_listed_nor_counted(machine):
    org = organisation()
    leader = handler(org, first_name="Arne", last_name="Arkiv")
    leader.arkivleder = True
    leader.save()
    owner = handler(org, first_name="Siri", last_name="Sak")
    bv = access.save_tilgangskode(leader, kode="BV", navn="Barnevern", tilgangsrestriksjon="13")
    coded = services.create_saksmappe(owner, tittel="Bekymringsmelding", tilgangskode=bv)
    services.update_saksmappe(coded, owner, tittel="Bekymringsmelding Ola Hemmelig")
    open_case = services.create_saksmappe(owner, tittel="Byggesak")
    services.update_saksmappe(open_case, owner, tittel="Byggesak Storgata 1")
    log = changelog(machine)
    assert {entry["referanseArkivenhet"] for entry in log["results"]} == {str(open_case.system_id)}
    assert log["count"] == 2
    assert "Hemmelig" not in str(log)
    assert changelog(machine, {"$search": "Hemmelig"})["count"] == 0


def test_the_log_is_read_only(machine):
    case = machine.case()
    retitled(machine, case, "Ny tittel")
    entry = changelog(machine)["results"][0]
    href = machine.href(entry, "self")
    assert machine.patch(href, {"nyVerdi": "x"}, HTTP_IF_MATCH=machine.get(href)["ETag"]).status_code == 501
    assert machine.delete(href).status_code == 501
    assert machine.post(ROOT + "loggingogsporing/ny-endringslogg/", {"nyVerdi": "x"}).status_code == 501
    assert machine.get(href).json()["nyVerdi"] == entry["nyVerdi"]
    assert Saksmappe.objects.get(system_id=case["systemID"]).tittel == "Ny tittel"


def test_the_event_log_is_not_served_and_says_so(machine):
    answer = machine.get(ROOT + "loggingogsporing/hendelseslogg/")
    assert answer.status_code == 501
    assert answer.json()["feil"]["kode"] == 501


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"$filter": "referanseMetadata eq"}, 400),
        ({"$filter": "ukjent eq 'x'"}, 400),
        ({"$filter": "referanseArkivenhet eq 'ikke-en-uuid'"}, 400),
        ({"$filter": "length(referanseMetadata) eq 6"}, 501),
        ({"$expand": "x"}, 501),
        ({"$top": "-1"}, 400),
    ],
)
def test_a_bad_query_on_the_log_is_refused_in_the_standards_error_body(machine, query, status):
    retitled(machine, machine.case(), "Ny tittel")
    answer = machine.get(ROOT + "loggingogsporing/endringslogg/", query)
    assert answer.status_code == status
    assert answer.json()["feil"]["kode"] == status


def _system():
    return system_handler(get_organisation("965302026"))


def test_a_units_change_is_listed_with_its_link_back_to_the_unit(machine):
    system = _system()
    system.arkivleder = True
    system.save(update_fields=["arkivleder"])
    unit = services_units.create_unit(system, kortnavn="BYG", navn="Byggesak")
    services_units.close_unit(unit, system)
    log = changelog(machine, {"$filter": f"referanseArkivenhet eq {unit.system_id}"})
    assert log["count"] == 1
    entry = log["results"][0]
    assert (entry["tidligereVerdi"], entry["nyVerdi"]) == ("true", "false")
    assert machine.follow(entry, "admin/administrativenhet/")["administrativEnhetsstatus"] == "Passiv enhet"


@pytest.mark.parametrize(
    "name", ["not-a-uuid", "", "00000000-0000-0000-0000-000000000000", 42, None, ["x"], "UPPER"]
)
def test_an_event_naming_its_record_oddly_is_left_out_and_the_rest_still_listed(machine, name):
    from core.models import AuditEvent

    case = machine.case()
    retitled(machine, case, "Ny tittel")
    if name == "UPPER":
        name = case["systemID"].upper()
    AuditEvent.objects.create(
        actor="api-965302026",
        action="saksarkiv.saksmappe.update",
        object_type="saksarkiv.saksmappe",
        object_id="007",
        outcome="success",
        details={
            "organisation": "965302026",
            "entity": "saksmappe",
            "system_id": name,
            "changes": {"tittel": ["Hemmelig før", "Hemmelig etter"]},
        },
    )
    log = changelog(machine)
    assert log["count"] == 2
    assert {entry["referanseArkivenhet"] for entry in log["results"]} == {case["systemID"]}
    assert "Hemmelig" not in str(log)
