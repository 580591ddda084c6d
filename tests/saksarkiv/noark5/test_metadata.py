"""metadata/ (chapter 7, "Kodelister"): every code list of the standard with its published codes and names, the
organisation's own additions through ny-<kodeliste>, which only it sees and only it may change or remove."""

import json

import pytest

from core.models import AuditEvent
from saksarkiv.models import Kodeverdi
from saksarkiv.noark5 import codes
from tests.saksarkiv.noark5.conftest import NOARK5, READ, REL, ROOT, Machine
from virksomheter.services import get_organisation

pytestmark = pytest.mark.django_db

META = REL + "metadata/"
# The lists chapter 7 tells an implementation of each package to name under metadata/.
STANDARD_LISTS = {
    "arkivdelstatus", "arkivstatus", "avskrivningsmaate", "dokumentmedium", "dokumentstatus", "dokumenttype",
    "elektronisksignatursikkerhetsnivaa", "elektronisksignaturverifisert", "flytstatus", "format",
    "graderingskode", "hendelsetype", "journalposttype", "journalstatus", "kassasjonsvedtak",
    "klassifikasjonstype", "koordinatsystem", "korrespondanseparttype", "land", "merknadstype", "partrolle",
    "postnummer", "presedensstatus", "saksstatus", "skjermingdokument", "skjermingmetadata", "slettingstype",
    "tilgangskategori", "tilgangsrestriksjon", "tilknyttetregistreringsom", "variantformat",
}  # fmt: skip


def metadata(machine) -> dict:
    return machine.follow(machine.root(), "metadata/")


def code_list(machine, name, params=None) -> dict:
    return machine.follow(metadata(machine), f"metadata/{name}/", params)


def names(listing) -> dict:
    return {value["kode"]: value["kodenavn"] for value in listing.get("results", [])}


def add(machine, name, fields):
    return machine.post(machine.href(metadata(machine), f"metadata/ny-{name}/"), fields)


def test_metadata_names_every_code_list_and_where_to_add_to_it_sorted_by_rel(machine):
    links = metadata(machine)["_links"]

    for name in STANDARD_LISTS:
        assert links[META + f"{name}/"]["templated"] is True
        assert links[META + f"{name}/"]["href"].endswith(
            f"/metadata/{name}/{{?$filter&$orderby&$top&$skip&$search}}"
        )
        assert links[META + f"ny-{name}/"]["href"].endswith(f"/metadata/ny-{name}/")
    assert list(links) == sorted(links)


def test_a_token_that_may_only_read_is_not_offered_to_add(client, machine):
    reader = Machine(client, scope=READ)

    links = metadata(reader)["_links"]

    assert META + "saksstatus/" in links
    assert not [key for key in links if key.startswith(META + "ny-")]


def test_the_root_links_to_metadata(machine):
    assert machine.root()["_links"][META]["href"] == "http://testserver/api/noark5/metadata/"


def test_saksstatus_has_the_standards_codes_and_names(machine):
    listing = code_list(machine, "saksstatus")

    assert listing["count"] == 7
    assert names(listing) == {
        "B": "Under behandling",
        "A": "Avsluttet",
        "U": "Utgår",
        "R": "Opprettet av saksbehandler",
        "S": "Avsluttet av saksbehandler",
        "P": "Unntatt prosesstyring",
        "F": "Ferdig fra saksbehandler",
    }
    assert [value["kode"] for value in listing["results"]] == ["B", "A", "U", "R", "S", "P", "F"]


def test_a_value_links_to_itself_under_its_list(machine):
    listing = code_list(machine, "journalposttype")

    utgaaende = next(value for value in listing["results"] if value["kode"] == "U")
    assert utgaaende["kodenavn"] == "Utgående dokument"
    href = utgaaende["_links"]["self"]["href"]
    assert href == "http://testserver/api/noark5/metadata/journalposttype/U/"
    assert utgaaende["_links"][META + "journalposttype/"]["href"] == href
    assert META + "journalposttype/" in listing["_links"]


@pytest.mark.parametrize(
    ("name", "kode", "kodenavn"),
    [
        ("journalstatus", "J", "Journalført"),
        ("korrespondanseparttype", "IS", "Medavsender"),
        ("skjermingmetadata", "TR1", "Skjerming tittel registrering - unntatt første linje"),
        ("tilgangsrestriksjon", "5a", "Unntatt etter offentlighetsloven § 5a"),
        ("elektronisksignatursikkerhetsnivaa", "PS", 'Sendt med PKI/"person standard"-sertifikat'),
        ("koordinatsystem", "EPSG:4326", "WGS84"),
        ("hendelsetype", "D", "Slettet"),
        ("tilgangskategori", "D", "dokumentbeskrivelse"),
        ("format", "fmt/95", "PDF/A 1a - ISO 19005-1:2005"),
        ("land", "NO", "Norge"),
    ],
)
def test_values_are_as_the_standard_publishes_them(machine, name, kode, kodenavn):
    assert names(code_list(machine, name, {"$filter": f"kode eq '{kode}'"})) == {kode: kodenavn}


def test_one_value_reads_at_its_own_address_with_an_etag(machine):
    answer = machine.get(ROOT + "metadata/format/fmt/95/")

    assert answer.status_code == 200
    assert answer["Content-Type"] == NOARK5
    assert answer["ETag"]
    assert answer.json()["kode"] == "fmt/95"
    assert answer.json()["_links"]["self"]["href"] == "http://testserver/api/noark5/metadata/format/fmt/95/"


def test_postnummer_has_only_the_organisations_own_values(machine):
    assert code_list(machine, "postnummer")["count"] == 0

    assert add(machine, "postnummer", {"kode": "0150", "kodenavn": "OSLO"}).status_code == 201

    assert names(code_list(machine, "postnummer")) == {"0150": "OSLO"}


def test_an_added_value_follows_the_standards_and_only_its_organisation_sees_it(machine, other_machine):
    answer = add(
        machine, "dokumenttype", {"kode": "SØK", "kodenavn": "Søknad", "beskrivelse": "Fra innbygger"}
    )

    assert answer.status_code == 201
    added = answer.json()
    assert (
        added["kode"] == "SØK" and added["kodenavn"] == "Søknad" and added["beskrivelse"] == "Fra innbygger"
    )
    assert answer["Location"] == added["_links"]["self"]["href"]
    assert machine.get(answer["Location"]).json()["kodenavn"] == "Søknad"
    listing = code_list(machine, "dokumenttype")
    assert [value["kode"] for value in listing["results"]] == ["B", "R", "F", "O", "SØK"]
    assert "SØK" not in names(code_list(other_machine, "dokumenttype"))
    assert other_machine.get(answer["Location"]).status_code == 404
    stored = Kodeverdi.objects.get(kode="SØK")
    assert stored.organisation == get_organisation("965302026") and stored.kodeliste == "dokumenttype"
    assert AuditEvent.objects.filter(action="saksarkiv.kodeverdi_added", object_id=str(stored.pk)).exists()


def test_entities_read_an_organisations_own_value_and_may_use_it_while_active(machine, other_machine):
    add(machine, "dokumenttype", {"kode": "SØK", "kodenavn": "Søknad"})
    mine, other = get_organisation("965302026"), get_organisation("974312344")

    assert codes.kodenavn("dokumenttype", "SØK", mine) == "Søknad"
    assert codes.valid("dokumenttype", "SØK", mine)
    assert not codes.valid("dokumenttype", "SØK", other)
    assert codes.valid("dokumenttype", "B", other)
    assert codes.valid("format", "fmt/1234", other)  # any PRONOM code is a format
    assert not codes.valid("format", "fmt/../1", other)


def test_the_template_to_add_links_to_its_list(machine):
    template = machine.follow(metadata(machine), "metadata/ny-saksstatus/")

    assert template["_links"][META + "saksstatus/"]["templated"] is True
    assert "self" not in template["_links"]


@pytest.mark.parametrize(
    "fields",
    [
        {"kode": "B", "kodenavn": "Behandles"},  # the standard's code
        {"kode": "BEH", "kodenavn": "under behandling"},  # the standard's name: a list's names are unique too
    ],
)
def test_a_code_or_name_the_list_has_is_refused(machine, fields):
    answer = add(machine, "saksstatus", fields)

    assert answer.status_code == 409
    assert answer.json()["feil"]["kode"] == 409
    assert not Kodeverdi.objects.exists()


def test_the_same_code_twice_is_refused(machine):
    assert add(machine, "merknadstype", {"kode": "MJ", "kodenavn": "Merknad fra jurist"}).status_code == 201

    answer = add(machine, "merknadstype", {"kode": "MJ", "kodenavn": "Juridisk merknad"})

    assert answer.status_code == 409
    assert Kodeverdi.objects.get().kodenavn == "Merknad fra jurist"


@pytest.mark.parametrize(
    "fields",
    [
        {"kodenavn": "Uten kode"},
        {"kode": "X1"},
        {"kode": "X1", "kodenavn": "   "},
        {"kode": "X1", "kodenavn": 7},
        {"kode": ["X1"], "kodenavn": "Liste"},
        {"kode": "X" * 61, "kodenavn": "For lang kode"},
        {"kode": "X1", "kodenavn": "N" * 201},
        {"kode": "X 1", "kodenavn": "Mellomrom"},
        {"kode": "/X1", "kodenavn": "Skråstrek"},
        {"kode": "X1", "kodenavn": "Linje\nskift"},
        {"kode": "X1", "kodenavn": "Ukjent felt", "farge": "rød"},
        {"kode": "X1", "kodenavn": "Inaktiv?", "inaktiv": "ja"},
    ],
)
def test_bad_values_are_refused_with_400(machine, fields):
    answer = add(machine, "saksstatus", fields)

    assert answer.status_code == 400, answer.content
    assert answer.json()["feil"]["kode"] == 400
    assert not Kodeverdi.objects.exists()


def test_hostile_bodies_are_refused_without_a_server_error(machine):
    href = machine.href(metadata(machine), "metadata/ny-saksstatus/")

    huge = machine.post(href, {"kode": "X1", "kodenavn": "N" * 10_000_000})
    nul = machine.post(href, {"kode": "X1", "kodenavn": "N\u0000"})
    deep = machine.post(href, "[" * 20_000 + "]" * 20_000)  # within the size limit, beyond any nesting
    deeper = machine.post(href, "[" * 100_000 + "]" * 100_000)
    not_json = machine.post(href, "{kode:")
    a_list = machine.post(href, json.dumps([{"kode": "X1", "kodenavn": "Liste"}]))

    assert huge.status_code == 413 and huge.json()["feil"]["kode"] == 413
    assert nul.status_code == 400 and nul.json()["feil"]["kode"] == 400
    assert deep.status_code == 400
    assert deeper.status_code == 413
    assert not_json.status_code == 400
    assert a_list.status_code == 400
    assert not Kodeverdi.objects.exists()


def test_adding_needs_the_writing_scope(client, machine):
    reader = Machine(client, scope=READ)
    href = machine.href(metadata(machine), "metadata/ny-saksstatus/")

    assert reader.get(href).status_code == 403
    assert reader.post(href, {"kode": "X1", "kodenavn": "Lest"}).status_code == 403
    assert not Kodeverdi.objects.exists()


def test_a_code_list_needs_a_token(client):
    answer = client.get(ROOT + "metadata/saksstatus/", HTTP_ACCEPT=NOARK5)

    assert answer.status_code == 401
    assert answer.json()["feil"]["kode"] == 401


@pytest.mark.parametrize(
    "path",
    ["finnesikke/", "ny-finnesikke/", "finnesikke/B/", "saksstatus/Q/", "saksstatus/" + "B" * 5000 + "/"],
)
def test_an_unknown_list_or_code_is_404_in_the_standards_error_body(machine, path):
    answer = machine.get(ROOT + "metadata/" + path)

    assert answer.status_code == 404
    assert answer.json()["feil"]["kode"] == 404


def test_the_catalogue_of_own_metadata_fields_is_not_offered(machine):
    assert META + "virksomhetsspesifikkeMetadata/" not in metadata(machine)["_links"]

    answer = machine.get(ROOT + "metadata/virksomhetsspesifikkeMetadata/")

    assert answer.status_code == 501
    assert answer.json()["feil"]["kode"] == 501


def test_a_list_is_filtered_ordered_searched_and_paged(machine):
    listing = code_list(machine, "journalstatus", {"$filter": "kode eq 'F'"})
    assert listing["count"] == 1 and names(listing) == {"F": "Ferdigstilt fra saksbehandler"}

    listing = code_list(
        machine, "journalstatus", {"$filter": "startswith(kodenavn, 'Saksbehandler') or kode eq 'J'"}
    )
    assert set(names(listing)) == {"S", "J"}

    listing = code_list(machine, "journalstatus", {"$filter": "not (contains(kodenavn, 'dokument'))"})
    assert set(names(listing)) == {"J", "F", "G", "E", "A", "U"}

    listing = code_list(machine, "journalstatus", {"$orderby": "kode desc", "$top": 3})
    assert listing["count"] == 9
    assert [value["kode"] for value in listing["results"]] == ["U", "S", "R"]
    rest = machine.get(listing["_links"]["next"]["href"]).json()
    assert [value["kode"] for value in rest["results"]] == ["M", "J", "G"]

    listing = code_list(machine, "journalstatus", {"$skip": 8})
    assert listing["count"] == 9 and [value["kode"] for value in listing["results"]] == ["R"]

    listing = code_list(machine, "journalstatus", {"$search": "godkjent"})
    assert names(listing) == {"G": "Godkjent av leder"}


def test_inactive_own_values_can_be_filtered_out(machine):
    add(machine, "saksstatus", {"kode": "V", "kodenavn": "Venter", "inaktiv": True})
    add(machine, "saksstatus", {"kode": "K", "kodenavn": "Klage"})

    listing = code_list(machine, "saksstatus", {"$filter": "inaktiv eq true"})

    assert names(listing) == {"V": "Venter"}
    assert listing["results"][0]["inaktiv"] is True
    assert "K" in names(code_list(machine, "saksstatus", {"$filter": "inaktiv eq false"}))


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"$filter": "kode eq"}, 400),
        ({"$filter": "farge eq 'rød'"}, 400),
        ({"$filter": "kode in ('A', 'B')"}, 501),
        ({"$top": "-1"}, 400),
        ({"$skip": "mange"}, 400),
        ({"$expand": "kode"}, 501),
        ({"$orderby": "farge"}, 400),
    ],
)
def test_bad_or_unsupported_queries_are_refused(machine, params, status):
    answer = machine.get(ROOT + "metadata/saksstatus/", params)

    assert answer.status_code == status
    assert answer.json()["feil"]["kode"] == status


def test_an_own_value_is_changed_with_the_etag_it_was_read_with(machine):
    location = add(machine, "saksstatus", {"kode": "V", "kodenavn": "Venter"})["Location"]
    read = machine.get(location)

    changed = machine.patch(
        location, {"kodenavn": "Venter på svar", "inaktiv": True}, HTTP_IF_MATCH=read["ETag"]
    )

    assert changed.status_code == 200, changed.content
    assert changed.json()["kodenavn"] == "Venter på svar" and changed.json()["inaktiv"] is True
    stored = Kodeverdi.objects.get(kode="V")
    assert stored.kodenavn == "Venter på svar" and stored.inaktiv
    assert not codes.valid("saksstatus", "V", stored.organisation)
    assert AuditEvent.objects.filter(action="saksarkiv.kodeverdi_changed").exists()
    stale = machine.patch(location, {"kodenavn": "Venter igjen"}, HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 409
    assert Kodeverdi.objects.get(kode="V").kodenavn == "Venter på svar"


def test_a_put_sends_the_whole_value_and_may_not_change_the_code(machine):
    location = add(machine, "saksstatus", {"kode": "V", "kodenavn": "Venter"})["Location"]
    read = machine.get(location)
    whole = {key: value for key, value in read.json().items() if key != "_links"}

    moved = machine.put(location, {**whole, "kode": "W"}, HTTP_IF_MATCH=read["ETag"])
    put = machine.put(location, {**whole, "beskrivelse": "Venter på part"}, HTTP_IF_MATCH=read["ETag"])

    assert moved.status_code == 400
    assert put.status_code == 200
    assert put.json() | {"_links": None} == {
        "kode": "V", "kodenavn": "Venter", "beskrivelse": "Venter på part", "_links": None
    }  # fmt: skip


def test_a_change_needs_if_match(machine):
    location = add(machine, "saksstatus", {"kode": "V", "kodenavn": "Venter"})["Location"]

    assert machine.patch(location, {"kodenavn": "Venter på svar"}).status_code == 428
    assert Kodeverdi.objects.get(kode="V").kodenavn == "Venter"


def test_an_own_value_is_removed_and_the_standards_are_not(machine):
    location = add(machine, "saksstatus", {"kode": "V", "kodenavn": "Venter"})["Location"]
    standard = ROOT + "metadata/saksstatus/B/"
    etag = machine.get(standard)["ETag"]

    assert machine.delete(location).status_code == 204
    assert machine.get(location).status_code == 404
    assert not Kodeverdi.objects.exists()
    assert machine.delete(standard).status_code == 403
    assert machine.patch(standard, {"kodenavn": "Pågår"}, HTTP_IF_MATCH=etag).status_code == 403
    assert names(code_list(machine, "saksstatus"))["B"] == "Under behandling"


def test_another_organisations_value_cannot_be_changed_or_removed(machine, other_machine):
    location = add(machine, "saksstatus", {"kode": "V", "kodenavn": "Venter"})["Location"]

    assert other_machine.patch(location, {"kodenavn": "Tatt"}, HTTP_IF_MATCH="*").status_code == 404
    assert other_machine.delete(location).status_code == 404
    assert Kodeverdi.objects.get().kodenavn == "Venter"


def test_the_same_code_may_be_added_by_two_organisations(machine, other_machine):
    assert add(machine, "saksstatus", {"kode": "V", "kodenavn": "Venter"}).status_code == 201
    assert add(other_machine, "saksstatus", {"kode": "V", "kodenavn": "Venter"}).status_code == 201


def test_kodenavn_reads_the_standards_name_and_falls_back_to_the_code():
    assert codes.kodenavn("saksstatus", "B") == "Under behandling"
    assert codes.kodenavn("journalposttype", "U") == "Utgående dokument"
    assert codes.kodenavn("saksstatus", "ukjent") == "ukjent"
    assert codes.kodenavn("finnesikke", "B") == "B"


def test_every_list_of_the_standard_is_vendored_with_unique_codes_and_names():
    lists = codes.lists()

    assert set(lists) == STANDARD_LISTS
    for found in lists.values():
        kode = [value.kode for value in found.values]
        kodenavn = [value.kodenavn.casefold() for value in found.values]
        assert len(set(kode)) == len(kode), found.name
        assert len(set(kodenavn)) == len(kodenavn), found.name


def test_a_template_of_an_entity_leads_to_the_code_lists_its_fields_take(machine):
    template = machine.follow(machine.arkivdel(), "sakarkiv/ny-saksmappe/")

    saksstatus = machine.follow(template, "metadata/saksstatus/")

    assert names(saksstatus)[template["saksstatus"]["kode"]] == template["saksstatus"]["kodenavn"]
