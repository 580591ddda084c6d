"""arkivskaper → arkiv → arkivdel → klassifikasjonssystem → klasse through the interface (chapter 7's
arkivstruktur, chapter 6's create, update and delete), walked by following rels: each ny-* answers a
template without self, a POST 201 with Location and self, changes need the ETag, and what holds records
is not deleted."""

import pytest

from core.models import AuditEvent
from saksarkiv import services
from saksarkiv.models import Arkiv, Arkivdel, Arkivskaper, Klasse, Klassifikasjonssystem
from saksarkiv.services import structure_api
from saksarkiv.services.api_handler import system_handler
from saksarkiv.services.structure import NotAllowed
from tests.saksarkiv.factories import handler, organisation
from tests.saksarkiv.noark5.conftest import REL, ROOT, Machine

pytestmark = pytest.mark.django_db

NEW = "991825827"


@pytest.fixture
def newcomer(client):
    """An organisation with no archive yet: its system builds one."""
    organisation(NEW, "Nyby kommune")
    return Machine(client, NEW)


def created(machine: Machine, body: dict, rel: str, fields: dict) -> dict:
    """A ny-* followed as the standard has it: GET the template (no self), POST it filled in (201, Location,
    self and the entity's own rel on the same href)."""
    template = machine.follow(body, rel)
    assert "self" not in template["_links"]
    values = {key: value for key, value in template.items() if key != "_links"}
    answer = machine.post(machine.href(body, rel), {**values, **fields})
    assert answer.status_code == 201, answer.content
    made = answer.json()
    own = machine.href(made, rel.replace("ny-", ""))
    assert answer["Location"] == made["_links"]["self"]["href"] == own
    assert answer["ETag"]
    return made


def build(machine: Machine) -> dict:
    """The whole structure of a new organisation, level by level."""
    arkivstruktur = machine.arkivstruktur()
    arkivskaper = created(
        machine,
        arkivstruktur,
        "arkivstruktur/ny-arkivskaper/",
        {"arkivskaperID": "NYBY", "arkivskaperNavn": "Nyby kommune"},
    )
    arkiv = created(machine, arkivskaper, "arkivstruktur/ny-arkiv/", {"tittel": "Nyby kommunes arkiv"})
    arkivdel = created(machine, arkiv, "arkivstruktur/ny-arkivdel/", {"tittel": "Sakarkiv 2026"})
    system = created(machine, arkivdel, "arkivstruktur/ny-klassifikasjonssystem/", {"tittel": "KS-nøkkelen"})
    klasse = created(machine, system, "arkivstruktur/ny-klasse/", {"klasseID": "610", "tittel": "Bostøtte"})
    return {
        "arkivskaper": arkivskaper,
        "arkiv": arkiv,
        "arkivdel": arkivdel,
        "system": system,
        "klasse": klasse,
    }


def etagged(machine: Machine, body: dict) -> tuple[str, str]:
    answer = machine.get(body["_links"]["self"]["href"])
    assert answer.status_code == 200
    return answer["ETag"], body["_links"]["self"]["href"]


# ---- creating ---------------------------------------------------------------------------------------


def test_a_new_organisation_builds_its_archive_and_files_a_case_under_its_class(newcomer):
    made = build(newcomer)

    case = newcomer.create(made["klasse"], "sakarkiv/ny-saksmappe/", {"tittel": "Søknad om bostøtte"})

    assert newcomer.follow(case, "arkivstruktur/klasse/")["systemID"] == made["klasse"]["systemID"]
    assert newcomer.follow(case, "arkivstruktur/arkivdel/")["systemID"] == made["arkivdel"]["systemID"]
    in_class = newcomer.follow(made["klasse"], "arkivstruktur/mappe/")
    assert [found["systemID"] for found in in_class["results"]] == [case["systemID"]]
    in_part = newcomer.follow(made["arkivdel"], "arkivstruktur/mappe/")
    assert in_part["count"] == 1


def test_each_level_reads_with_the_standards_fields_and_code_values(newcomer):
    made = build(newcomer)

    assert made["arkivskaper"]["arkivskaperID"] == "NYBY"
    assert made["arkiv"]["arkivstatus"]["kode"] == "O"
    assert made["arkiv"]["dokumentmedium"]["kode"] == "E"
    assert made["arkiv"]["opprettetAv"] == f"api-{NEW}"
    assert made["arkivdel"]["arkivdelstatus"]["kode"] == "A"
    assert "+" in made["arkiv"]["opprettetDato"] or made["arkiv"]["opprettetDato"].endswith("Z")
    assert made["arkivdel"]["arkivperiodeStartDato"]
    assert made["system"]["klassifikasjonstype"] == {
        "kode": "EH",
        "kodenavn": "Emnebasert, hierarkisk arkivnøkkel",
    }
    assert made["klasse"]["klasseID"] == "610"
    assert (
        newcomer.follow(made["klasse"], "arkivstruktur/klassifikasjonssystem/")["systemID"]
        == (made["system"]["systemID"])
    )
    assert newcomer.follow(made["arkivdel"], "arkivstruktur/arkiv/")["systemID"] == made["arkiv"]["systemID"]
    parts = newcomer.follow(made["system"], "arkivstruktur/arkivdel/")
    assert [found["systemID"] for found in parts["results"]] == [made["arkivdel"]["systemID"]]


def test_the_new_archive_is_empty_and_takes_the_creators_registered_before_it(newcomer):
    arkivstruktur = newcomer.arkivstruktur()
    first = created(
        newcomer,
        arkivstruktur,
        "arkivstruktur/ny-arkivskaper/",
        {"arkivskaperID": "A", "arkivskaperNavn": "Gamle Nyby"},
    )
    assert REL + "arkivstruktur/arkiv/" not in first["_links"]

    arkiv = created(newcomer, first, "arkivstruktur/ny-arkiv/", {"tittel": "Nyby kommunes arkiv"})

    creators = newcomer.follow(arkiv, "arkivstruktur/arkivskaper/")
    assert [found["arkivskaperID"] for found in creators["results"]] == ["A"]
    assert newcomer.follow(arkiv, "arkivstruktur/arkivdel/")["count"] == 0
    assert not Klassifikasjonssystem.objects.filter(arkiv__organisation__organisasjonsnummer=NEW).exists()
    again = newcomer.get(first["_links"]["self"]["href"]).json()
    assert newcomer.href(again, "arkivstruktur/arkiv/") == arkiv["_links"]["self"]["href"]


def test_ny_arkiv_is_neither_offered_nor_taken_once_the_archive_exists(machine):
    arkivstruktur = machine.arkivstruktur()
    assert REL + "arkivstruktur/ny-arkiv/" not in arkivstruktur["_links"]
    assert REL + "arkivstruktur/ny-arkivskaper/" in arkivstruktur["_links"]
    creator = machine.create(
        arkivstruktur, "arkivstruktur/ny-arkivskaper/", {"arkivskaperID": "X", "arkivskaperNavn": "Fjordvik"}
    )
    assert REL + "arkivstruktur/ny-arkiv/" not in creator["_links"]

    refused = machine.post(ROOT + "arkivstruktur/ny-arkiv/", {"tittel": "Et arkiv til"})

    assert refused.status_code == 403
    assert refused.json()["feil"]["kode"] == 403
    assert Arkiv.objects.filter(organisation__organisasjonsnummer="965302026").count() == 1


def test_a_creator_registered_after_the_archive_belongs_to_it(machine):
    arkiv = machine.follow(machine.arkivstruktur(), "arkivstruktur/arkiv/")["results"][0]

    machine.create(
        arkiv, "arkivstruktur/ny-arkivskaper/", {"arkivskaperID": "GML", "arkivskaperNavn": "Gamle Fjordvik"}
    )

    creators = machine.follow(arkiv, "arkivstruktur/arkivskaper/", {"$filter": "arkivskaperID eq 'GML'"})
    assert creators["count"] == 1


def test_a_second_classification_system_of_a_part_is_secondary(machine):
    arkivdel = machine.arkivdel()
    primary = machine.follow(arkivdel, "arkivstruktur/klassifikasjonssystem/")["results"][0]

    gbn = machine.create(
        arkivdel,
        "arkivstruktur/ny-klassifikasjonssystem/",
        {"tittel": "Eiendom", "klassifikasjonstype": "GBN"},
    )

    stored = Arkivdel.objects.get(system_id=arkivdel["systemID"])
    assert str(stored.klassifikasjonssystem.system_id) == primary["systemID"]
    assert [str(s.system_id) for s in stored.sekundaere_klassifikasjonssystemer.all()] == [gbn["systemID"]]
    systems = machine.follow(arkivdel, "arkivstruktur/klassifikasjonssystem/")
    assert systems["count"] == 2


def test_a_subclass_is_listed_under_its_class_and_names_its_overklasse(newcomer):
    made = build(newcomer)

    sub = created(
        newcomer,
        made["klasse"],
        "arkivstruktur/ny-klasse/",
        {"klasseID": "611", "tittel": "Bostøtte, klager"},
    )

    assert newcomer.follow(sub, "arkivstruktur/overklasse/")["systemID"] == made["klasse"]["systemID"]
    assert REL + "arkivstruktur/underklasse/" not in sub["_links"]
    parent = newcomer.get(made["klasse"]["_links"]["self"]["href"]).json()
    under = newcomer.follow(parent, "arkivstruktur/underklasse/")
    assert [found["klasseID"] for found in under["results"]] == ["611"]
    top = newcomer.follow(made["system"], "arkivstruktur/klasse/")
    assert [found["klasseID"] for found in top["results"]] == ["610"]


def test_a_class_with_cases_takes_no_subclasses(newcomer):
    made = build(newcomer)
    newcomer.create(made["klasse"], "sakarkiv/ny-saksmappe/", {"tittel": "Søknad"})
    klasse = newcomer.get(made["klasse"]["_links"]["self"]["href"]).json()
    assert REL + "arkivstruktur/ny-klasse/" not in klasse["_links"]

    refused = newcomer.post(
        made["klasse"]["_links"]["self"]["href"] + "ny-klasse/", {"klasseID": "611", "tittel": "X"}
    )

    assert refused.status_code == 403
    assert not Klasse.objects.filter(klasse_id="611").exists()


@pytest.mark.parametrize(
    ("level", "rel", "fields", "field"),
    [
        ("top", "arkivstruktur/ny-arkivskaper/", {"arkivskaperID": "NYBY"}, "arkivskaperNavn"),
        ("arkiv", "arkivstruktur/ny-arkivdel/", {"beskrivelse": "Uten tittel"}, "tittel"),
        ("arkivdel", "arkivstruktur/ny-klassifikasjonssystem/", {"tittel": " "}, "tittel"),
        ("system", "arkivstruktur/ny-klasse/", {"tittel": "Uten klasseID"}, "klasseID"),
        ("system", "arkivstruktur/ny-klasse/", {"klasseID": "610", "tittel": "Finnes"}, ""),
        (
            "arkivdel",
            "arkivstruktur/ny-klassifikasjonssystem/",
            {"tittel": "T", "klassifikasjonstype": "XX"},
            "klassifikasjonstype",
        ),
        ("arkiv", "arkivstruktur/ny-arkivdel/", {"tittel": "T", "systemID": "0"}, "systemID"),
        (
            "arkiv",
            "arkivstruktur/ny-arkivdel/",
            {"tittel": "T", "arkivdelstatus": {"kode": "P"}},
            "arkivdelstatus",
        ),
        (
            "arkiv",
            "arkivstruktur/ny-arkivdel/",
            {"tittel": "T", "arkivperiodeStartDato": "i går"},
            "arkivperiodeStartDato",
        ),
        ("arkiv", "arkivstruktur/ny-arkivdel/", {"tittel": "T" * 201}, "tittel"),
        (
            "top",
            "arkivstruktur/ny-arkivskaper/",
            {"arkivskaperID": "NYBY", "arkivskaperNavn": "Igjen"},
            "NYBY",
        ),
        ("system", "arkivstruktur/ny-klasse/", {"klasseID": ["611"], "tittel": "Liste"}, "klasseID"),
    ],
)
def test_a_create_missing_or_breaking_a_field_is_refused_and_stores_nothing(
    newcomer, level, rel, fields, field
):
    made = build(newcomer)
    parent = newcomer.arkivstruktur() if level == "top" else made[level]
    counts = [model.objects.count() for model in (Arkivskaper, Arkivdel, Klassifikasjonssystem, Klasse)]

    answer = newcomer.post(newcomer.href(parent, rel), fields)

    assert answer.status_code == 400, answer.content
    assert answer.json()["feil"]["kode"] == 400
    assert field in answer.json()["feil"]["beskrivelse"]
    assert [
        model.objects.count() for model in (Arkivskaper, Arkivdel, Klassifikasjonssystem, Klasse)
    ] == counts


def test_a_body_that_is_not_an_object_is_refused(newcomer):
    made = build(newcomer)

    answer = newcomer.post(newcomer.href(made["arkiv"], "arkivstruktur/ny-arkivdel/"), ["tittel"])

    assert answer.status_code == 400
    assert Arkivdel.objects.filter(arkiv__organisation__organisasjonsnummer=NEW).count() == 1


def test_the_structure_is_audited(newcomer):
    made = build(newcomer)

    actions = set(AuditEvent.objects.filter(actor=f"api-{NEW}").values_list("action", flat=True))

    assert {
        "saksarkiv.arkivskaper_created",
        "saksarkiv.arkiv_created",
        "saksarkiv.arkivdel_created",
        "saksarkiv.classification_system_created",
        "saksarkiv.class_created",
    } <= actions
    assert AuditEvent.objects.filter(
        action="saksarkiv.arkivdel_created", details__system_id=made["arkivdel"]["systemID"]
    ).exists()


def test_a_case_without_an_active_part_is_refused_with_a_clear_error(newcomer):
    arkivstruktur = newcomer.arkivstruktur()
    created(newcomer, arkivstruktur, "arkivstruktur/ny-arkiv/", {"tittel": "Nyby kommunes arkiv"})
    handler = system_handler(organisation(NEW))

    with pytest.raises(services.InvalidInput):
        services.create_saksmappe(handler, tittel="Søknad")


def test_a_case_handler_who_is_not_the_archive_leader_does_not_build_the_structure(machine):
    arkiv = Arkiv.objects.get(organisation__organisasjonsnummer="965302026")
    ordinary = handler(arkiv.organisation)

    with pytest.raises(NotAllowed):
        structure_api.create_arkivdel(arkiv, ordinary, tittel="Egen arkivdel")

    assert arkiv.arkivdeler.count() == 1


# ---- the other organisation -------------------------------------------------------------------------


def test_another_organisations_structure_is_not_found_nor_counted(machine, other_machine):
    arkivdel = machine.arkivdel()
    klasse = machine.follow(
        machine.follow(arkivdel, "arkivstruktur/klassifikasjonssystem/")["results"][0],
        "arkivstruktur/klasse/",
    )["results"][0]
    arkiv = machine.follow(arkivdel, "arkivstruktur/arkiv/")

    for own in (arkivdel, klasse, arkiv):
        href = own["_links"]["self"]["href"]
        assert other_machine.get(href).status_code == 404
        assert other_machine.patch(href, {"tittel": "Kapret"}, HTTP_IF_MATCH="*").status_code == 404
        assert other_machine.delete(href).status_code == 404
        assert other_machine.post(href + "ny-klasse/", {"klasseID": "999", "tittel": "X"}).status_code == 404
    arkivstruktur = other_machine.arkivstruktur()
    for rel in ("arkiv", "arkivdel", "arkivskaper", "klassifikasjonssystem"):
        assert other_machine.follow(arkivstruktur, f"arkivstruktur/{rel}/")["count"] == 1, rel
    found = other_machine.follow(
        arkivstruktur, "arkivstruktur/klasse/", {"$filter": f"systemID eq {klasse['systemID']}"}
    )
    assert found["count"] == 0


# ---- changing ---------------------------------------------------------------------------------------


def test_a_patch_with_the_etag_changes_the_title_and_a_stale_one_gets_409(newcomer):
    made = build(newcomer)
    for level in ("arkiv", "arkivdel", "system", "klasse"):
        etag, href = etagged(newcomer, made[level])

        changed = newcomer.patch(
            href, {"tittel": f"Ny tittel {level}", "beskrivelse": "Endret"}, HTTP_IF_MATCH=etag
        )
        stale = newcomer.patch(href, {"tittel": "Gammel"}, HTTP_IF_MATCH=etag)

        assert changed.status_code == 200, changed.content
        assert changed.json()["tittel"] == f"Ny tittel {level}"
        assert changed["ETag"] != etag
        assert stale.status_code == 409
        assert newcomer.get(href).json()["tittel"] == f"Ny tittel {level}"


def test_a_change_without_if_match_is_refused(newcomer):
    made = build(newcomer)

    answer = newcomer.patch(made["arkivdel"]["_links"]["self"]["href"], {"tittel": "Uten ETag"})

    assert answer.status_code == 428
    assert Arkivdel.objects.get(system_id=made["arkivdel"]["systemID"]).tittel == "Sakarkiv 2026"


def test_a_put_of_the_whole_instance_changes_what_differs(newcomer):
    made = build(newcomer)
    etag, href = etagged(newcomer, made["arkivskaper"])
    whole = {key: value for key, value in made["arkivskaper"].items() if key != "_links"}

    answer = newcomer.put(href, {**whole, "arkivskaperNavn": "Nyby kommune, arkivet"}, HTTP_IF_MATCH=etag)

    assert answer.status_code == 200, answer.content
    assert Arkivskaper.objects.get(system_id=whole["systemID"]).arkivskaper_navn == "Nyby kommune, arkivet"


@pytest.mark.parametrize(
    ("level", "change", "field"),
    [
        ("arkiv", {"arkivstatus": {"kode": "A"}}, "arkivstatus"),
        ("arkivdel", {"arkivdelstatus": "P"}, "arkivdelstatus"),
        ("klasse", {"klasseID": "999"}, "klasseID"),
        ("system", {"klassifikasjonstype": {"kode": "FH"}}, "klassifikasjonstype"),
        ("arkiv", {"tittel": ""}, "tittel"),
        ("arkivskaper", {"arkivskaperID": 5}, "arkivskaperID"),
    ],
)
def test_a_field_that_does_not_change_so_is_refused_by_name(newcomer, level, change, field):
    made = build(newcomer)
    etag, href = etagged(newcomer, made[level])

    answer = newcomer.patch(href, change, HTTP_IF_MATCH=etag)

    assert answer.status_code == 400, answer.content
    assert field in answer.json()["feil"]["beskrivelse"]
    assert newcomer.get(href)["ETag"] == etag


def test_a_patch_may_send_unchanged_fields_back_as_read(newcomer):
    made = build(newcomer)
    etag, href = etagged(newcomer, made["arkiv"])

    answer = newcomer.patch(href, {"arkivstatus": {"kode": "O"}, "tittel": "Arkivet"}, HTTP_IF_MATCH=etag)

    assert answer.status_code == 200, answer.content
    assert answer.json()["tittel"] == "Arkivet"


# ---- deleting ---------------------------------------------------------------------------------------


def test_what_holds_records_is_not_deleted_and_an_empty_level_is(newcomer):
    made = build(newcomer)
    newcomer.create(made["klasse"], "sakarkiv/ny-saksmappe/", {"tittel": "Søknad"})
    empty = newcomer.create(made["system"], "arkivstruktur/ny-klasse/", {"klasseID": "620", "tittel": "Tom"})

    for level in ("klasse", "arkivdel", "system", "arkiv", "arkivskaper"):
        refused = newcomer.delete(made[level]["_links"]["self"]["href"])
        assert refused.status_code == 409, (level, refused.content)
        assert refused.json()["feil"]["kode"] == 409
        assert newcomer.get(made[level]["_links"]["self"]["href"]).status_code == 200
    deleted = newcomer.delete(empty["_links"]["self"]["href"])

    assert deleted.status_code == 204
    assert newcomer.get(empty["_links"]["self"]["href"]).status_code == 404
    assert AuditEvent.objects.filter(action="saksarkiv.class_deleted", details__klasse_id="620").exists()


def test_a_class_with_subclasses_stays_until_they_are_gone(newcomer):
    made = build(newcomer)
    sub = newcomer.create(made["klasse"], "arkivstruktur/ny-klasse/", {"klasseID": "611", "tittel": "Klager"})

    assert newcomer.delete(made["klasse"]["_links"]["self"]["href"]).status_code == 409
    assert newcomer.delete(sub["_links"]["self"]["href"]).status_code == 204
    assert newcomer.delete(made["klasse"]["_links"]["self"]["href"]).status_code == 204


def test_an_emptied_structure_is_deleted_bottom_up_and_its_creators_stay(newcomer):
    made = build(newcomer)

    for level in ("klasse", "arkivdel", "system", "arkiv"):
        answer = newcomer.delete(made[level]["_links"]["self"]["href"])
        assert answer.status_code == 204, (level, answer.content)

    assert not Arkiv.objects.filter(organisation__organisasjonsnummer=NEW).exists()
    creator = Arkivskaper.objects.get(system_id=made["arkivskaper"]["systemID"])
    assert creator.arkiv is None
    assert REL + "arkivstruktur/ny-arkiv/" in newcomer.arkivstruktur()["_links"]


def test_a_creator_goes_while_another_creates_the_archive(newcomer):
    made = build(newcomer)
    second = newcomer.create(
        made["arkiv"], "arkivstruktur/ny-arkivskaper/", {"arkivskaperID": "TO", "arkivskaperNavn": "Nyby II"}
    )

    assert newcomer.delete(second["_links"]["self"]["href"]).status_code == 204
    assert newcomer.delete(made["arkivskaper"]["_links"]["self"]["href"]).status_code == 409


# ---- lists ------------------------------------------------------------------------------------------


def test_each_list_takes_odata_on_the_standards_field_names(newcomer):
    made = build(newcomer)
    newcomer.create(made["klasse"], "arkivstruktur/ny-klasse/", {"klasseID": "611", "tittel": "Klager"})
    newcomer.create(made["system"], "arkivstruktur/ny-klasse/", {"klasseID": "700", "tittel": "Samferdsel"})
    arkivstruktur = newcomer.arkivstruktur()

    def count(rel: str, expression: str) -> int:
        return newcomer.follow(arkivstruktur, f"arkivstruktur/{rel}/", {"$filter": expression})["count"]

    assert count("arkivskaper", "arkivskaperNavn eq 'Nyby kommune'") == 1
    assert count("arkivskaper", "arkivskaperID eq 'ANNEN'") == 0
    assert count("arkiv", "arkivstatus/kode eq 'O' and startswith(tittel, 'Nyby')") == 1
    assert count("arkivdel", "arkivdelstatus/kode eq 'A'") == 1
    assert count("arkivdel", "arkivdelstatus/kode eq 'P'") == 0
    assert count("klassifikasjonssystem", "klassifikasjonstype/kode eq 'EH'") == 1
    assert count("klasse", "startswith(klasseID, '6')") == 2
    assert count("klasse", f"overklasse eq {made['klasse']['systemID']}") == 1
    ordered = newcomer.follow(arkivstruktur, "arkivstruktur/klasse/", {"$orderby": "klasseID desc"})
    assert [found["klasseID"] for found in ordered["results"]] == ["700", "611", "610"]
    searched = newcomer.follow(arkivstruktur, "arkivstruktur/klasse/", {"$search": "Samferdsel"})
    assert [found["klasseID"] for found in searched["results"]] == ["700"]


def test_a_filter_on_a_field_the_list_does_not_have_is_refused(newcomer):
    build(newcomer)

    answer = newcomer.get(ROOT + "arkivstruktur/arkivdel/", {"$filter": "saksstatus eq 'B'"})

    assert answer.status_code == 400
    assert answer.json()["feil"]["kode"] == 400


def test_two_archives_made_at_once_leave_one_and_a_clear_refusal(newcomer, monkeypatch):
    """The second of two simultaneous ny-arkiv passes the check before the first is stored: the database's
    one-archive-per-organisation constraint refuses it, as the check would have."""
    handler = system_handler(organisation(NEW))
    structure_api.create_arkiv(handler, tittel="Først")
    monkeypatch.setattr(structure_api.Arkiv.objects, "filter", lambda **kwargs: Arkiv.objects.none())

    with pytest.raises(structure_api.InUse):
        structure_api.create_arkiv(handler, tittel="Samtidig")

    monkeypatch.undo()
    assert [arkiv.tittel for arkiv in Arkiv.objects.filter(organisation__organisasjonsnummer=NEW)] == [
        "Først"
    ]


def test_the_templates_link_the_code_lists_their_fields_take(newcomer):
    # ny-arkiv answers its template only while the organisation has no archive.
    before = newcomer.get(newcomer.href(newcomer.arkivstruktur(), "arkivstruktur/ny-arkiv/")).json()
    made = build(newcomer)
    templates = [
        (before, {"arkivstatus", "dokumentmedium"}),
        (
            newcomer.get(newcomer.href(made["arkiv"], "arkivstruktur/ny-arkivdel/")).json(),
            {"arkivdelstatus", "dokumentmedium"},
        ),
        (
            newcomer.get(newcomer.href(made["arkivdel"], "arkivstruktur/ny-klassifikasjonssystem/")).json(),
            {"klassifikasjonstype"},
        ),
    ]
    for template, code_lists in templates:
        rel = sorted(template)
        for kodeliste in code_lists:
            values = newcomer.follow(template, f"metadata/{kodeliste}/")
            field = template[kodeliste]
            assert field["kode"] in {value["kode"] for value in values["results"]}, (rel, kodeliste)
