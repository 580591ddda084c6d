"""The interface's wire (chapter 6 of the standard): the root and the package roots, the media type,
lists with count and OData, ETag and If-Match, the error body."""

import pytest

from saksarkiv import services
from saksarkiv.services.api_handler import system_handler
from tests.saksarkiv.noark5.conftest import NOARK5, REL, ROOT
from virksomheter.services import get_organisation

pytestmark = pytest.mark.django_db


def cases(number="965302026", *titles):
    handler = system_handler(get_organisation(number))
    return [services.create_saksmappe(handler, tittel=title) for title in titles]


def test_the_root_names_the_packages_and_the_login_without_a_token(client):
    answer = client.get(ROOT, HTTP_ACCEPT=NOARK5)
    assert answer.status_code == 200
    assert answer["Content-Type"] == NOARK5
    links = answer.json()["_links"]
    for rel in ("arkivstruktur/", "sakarkiv/", "metadata/", "admin/system/", "login/rfc6749/"):
        assert REL + rel in links
        assert links[REL + rel]["href"].startswith("http://testserver/")
    assert list(links) == sorted(links)


def test_plain_json_is_asked_for_and_answered_too(machine):
    answer = machine.get(ROOT, HTTP_ACCEPT="application/json")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json"


def test_a_package_root_lists_its_entities_with_their_query_template(machine):
    sakarkiv = machine.sakarkiv()
    saksmappe = sakarkiv["_links"][REL + "sakarkiv/saksmappe/"]
    assert saksmappe["templated"] is True
    assert saksmappe["href"].endswith("/sakarkiv/saksmappe/{?$filter&$orderby&$top&$skip&$search}")


def test_a_package_needs_a_token_and_answers_in_the_standards_error_body(client):
    answer = client.get(ROOT + "sakarkiv/", HTTP_ACCEPT=NOARK5)
    assert answer.status_code == 401
    assert answer.json()["feil"]["kode"] == 401
    assert "Bearer" in answer["WWW-Authenticate"]


def test_a_list_has_the_count_of_all_and_a_page_of_results(machine):
    cases("965302026", "Byggesak 1", "Byggesak 2", "Bostøtte")
    listing = machine.follow(machine.sakarkiv(), "sakarkiv/saksmappe/", {"$top": 2})
    assert listing["count"] == 3
    assert len(listing["results"]) == 2
    assert "next" in listing["_links"]
    rest = machine.get(listing["_links"]["next"]["href"]).json()
    assert rest["count"] == 3 and len(rest["results"]) == 1 and "next" not in rest["_links"]


def test_an_empty_list_has_count_zero_and_no_results(machine):
    listing = machine.follow(machine.sakarkiv(), "sakarkiv/saksmappe/")
    assert listing["count"] == 0
    assert "results" not in listing
    assert listing["_links"]["self"]["href"]


def test_filter_orderby_and_search_choose_the_cases(machine):
    cases("965302026", "Byggesak Storgata 1", "Byggesak Lillegata 2", "Bostøtte")
    sakarkiv = machine.sakarkiv()
    found = machine.follow(
        sakarkiv, "sakarkiv/saksmappe/", {"$filter": "startswith(tittel, 'Byggesak')", "$orderby": "tittel"}
    )
    assert [case["tittel"] for case in found["results"]] == ["Byggesak Lillegata 2", "Byggesak Storgata 1"]
    assert found["count"] == 2
    searched = machine.follow(sakarkiv, "sakarkiv/saksmappe/", {"$search": "Storgata"})
    assert [case["tittel"] for case in searched["results"]] == ["Byggesak Storgata 1"]
    none = machine.follow(sakarkiv, "sakarkiv/saksmappe/", {"$filter": "tittel eq 'Finnes ikke'"})
    assert none["count"] == 0


@pytest.mark.parametrize(
    "query",
    [{"$filter": "substring(tittel, 1, 3) eq 'ygg'"}, {"$expand": "journalpost"}, {"$select": "tittel"}],
)
def test_what_is_not_supported_answers_501(machine, query):
    answer = machine.get(machine.href(machine.sakarkiv(), "sakarkiv/saksmappe/"), query)
    assert answer.status_code == 501
    assert answer.json()["feil"]["kode"] == 501


@pytest.mark.parametrize("query", [{"$filter": "tittel eq"}, {"$filter": "ukjent eq 1"}, {"$top": "mange"}])
def test_a_malformed_query_answers_400(machine, query):
    answer = machine.get(machine.href(machine.sakarkiv(), "sakarkiv/saksmappe/"), query)
    assert answer.status_code == 400
    assert answer.json()["feil"]["kode"] == 400


def test_an_instance_has_an_etag_and_a_stale_one_is_refused_with_409(machine):
    (case,) = cases("965302026", "Byggesak")
    url = machine.href(machine.follow(machine.sakarkiv(), "sakarkiv/saksmappe/")["results"][0], "self")
    read = machine.get(url)
    assert read.status_code == 200 and read["ETag"]
    first = read["ETag"]
    changed = machine.patch(url, {"tittel": "Byggesak Storgata 1"}, HTTP_IF_MATCH=first)
    assert changed.status_code == 200, changed.content
    assert changed.json()["tittel"] == "Byggesak Storgata 1"
    assert changed["ETag"] != first
    stale = machine.patch(url, {"tittel": "Byggesak Storgata 2"}, HTTP_IF_MATCH=first)
    assert stale.status_code == 409
    assert stale.json()["feil"]["kode"] == 409
    case.refresh_from_db()
    assert case.tittel == "Byggesak Storgata 1"


def test_a_change_without_if_match_is_refused(machine):
    cases("965302026", "Byggesak")
    url = machine.href(machine.follow(machine.sakarkiv(), "sakarkiv/saksmappe/")["results"][0], "self")
    answer = machine.patch(url, {"tittel": "Annen"})
    assert answer.status_code == 428
    assert answer.json()["feil"]["kode"] == 428


def test_another_organisations_case_does_not_exist(machine, other_machine):
    cases("974312344", "Velferdsetatens sak")
    theirs = other_machine.follow(other_machine.sakarkiv(), "sakarkiv/saksmappe/")["results"][0]
    answer = machine.get(theirs["_links"]["self"]["href"])
    assert answer.status_code == 404
    assert answer.json() == {"feil": {"kode": 404, "beskrivelse": answer.json()["feil"]["beskrivelse"]}}
    assert machine.follow(machine.sakarkiv(), "sakarkiv/saksmappe/")["count"] == 0


def test_a_path_no_view_takes_answers_in_the_standards_error_body_too(machine):
    answer = machine.get(ROOT + "arkivstruktur/arkiv/ikke-en-systemid/")
    assert answer.status_code == 404
    assert answer.json()["feil"]["kode"] == 404
    # The v1 alias keeps the problems it always gave.
    assert machine.get(ROOT + "v1/arkivstruktur/saksmappe/ikke-en-systemid").json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["sakarkiv/presedens/", "arkivstruktur/merknad/", "sakarkiv/arkivnotat/"])
def test_a_part_of_the_standard_felles_does_not_serve_answers_501(machine, path):
    answer = machine.get(ROOT + path)
    assert answer.status_code == 501
    assert answer.json()["feil"]["kode"] == 501


def test_a_relation_of_the_standard_not_served_under_an_instance_answers_501(machine):
    cases("965302026", "Byggesak")
    url = machine.href(machine.follow(machine.sakarkiv(), "sakarkiv/saksmappe/")["results"][0], "self")
    assert machine.get(url + "ny-merknad/").status_code == 501
    assert machine.get(url + "noe-annet/").status_code == 404
