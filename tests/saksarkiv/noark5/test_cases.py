"""sakarkiv/saksmappe and sakarkiv/journalpost through the Noark 5 interface, followed by rel as a client
would: ny-saksmappe on an arkivdel or a klasse, ny-journalpost on a case, the same instances as
arkivstruktur/mappe and registrering, the status changes the archive makes (journalstatus F, E, U and
saksstatus A) through PATCH with If-Match, the access codes in every list, filter, search and count, PUT
of the whole instance, and hostile bodies."""

import uuid

import orjson
import pytest

from postkasse.models import Letter
from saksarkiv import services
from saksarkiv.models import Arkivdel, Journalpost, Saksmappe
from saksarkiv.services import access
from saksarkiv.services.api_handler import system_handler
from tests.postkasse.factories import citizen, pdf, providers
from tests.saksarkiv.factories import handler, organisation
from tests.saksarkiv.noark5.conftest import REL, ROOT

pytestmark = pytest.mark.django_db

NY_SAKSMAPPE = "sakarkiv/ny-saksmappe/"
NY_JOURNALPOST = "sakarkiv/ny-journalpost/"
NY_DOKUMENTBESKRIVELSE = "arkivstruktur/ny-dokumentbeskrivelse/"
NY_PERSON = "arkivstruktur/ny-korrespondansepartperson/"
NY_ENHET = "arkivstruktur/ny-korrespondansepartenhet/"
FIL = "arkivstruktur/fil/"
SECRET = "Bekymringsmelding Hemmeligsen"


def read(machine, body: dict) -> tuple[dict, str]:
    """The instance as it is now, with its ETag."""
    answer = machine.get(machine.href(body, "self"))
    assert answer.status_code == 200, answer.content
    return answer.json(), answer["ETag"]


def patch(machine, body: dict, values: dict):
    current, tag = read(machine, body)
    return machine.patch(machine.href(current, "self"), values, HTTP_IF_MATCH=tag)


def klasse(machine, klasse_id: str = "610") -> dict:
    """A class of the organisation's subject key, found from its active arkivdel."""
    system = machine.follow(machine.arkivdel(), "arkivstruktur/klassifikasjonssystem/")["results"][0]
    found = machine.follow(system, "arkivstruktur/klasse/", {"$filter": f"klasseID eq '{klasse_id}'"})
    return found["results"][0]


def with_file(machine, journalpost: dict) -> None:
    """A document described under the post and its file uploaded, as chapter 6 has it."""
    dokument = machine.create(journalpost, NY_DOKUMENTBESKRIVELSE, {"tittel": "Vedtak"})
    answer = machine.post(
        machine.href(dokument, FIL),
        pdf("Vedtak om bostøtte"),
        content_type="application/pdf",
        HTTP_CONTENT_DISPOSITION='attachment; filename="vedtak.pdf"',
    )
    assert answer.status_code == 201, answer.content


def with_party(machine, post: dict, kode: str) -> dict:
    """A post with the party its type needs before it is finalised (EA for incoming, EM for outgoing)."""
    machine.create(post, NY_ENHET, {"korrespondanseparttype": {"kode": kode}, "navn": "Bygg og Bolig AS"})
    return post


def incoming(machine) -> dict:
    return with_party(machine, machine.journalpost(journalposttype={"kode": "I"}, tittel="Søknad"), "EA")


def refused(answer, status_code: int) -> None:
    assert answer.status_code == status_code, answer.content
    body = answer.json()
    assert set(body) == {"feil"} and body["feil"]["kode"] == status_code and body["feil"]["beskrivelse"]


# ---- ny-saksmappe ------------------------------------------------------------------------------------


def test_ny_saksmappe_on_an_arkivdel_answers_a_template_and_files_the_case_in_that_part(machine):
    arkivdel = machine.arkivdel()
    template = machine.follow(arkivdel, NY_SAKSMAPPE)
    assert "self" not in template["_links"]
    assert template["saksstatus"]["kode"] == "B"
    assert REL + "metadata/saksstatus/" in template["_links"]
    values = {key: value for key, value in template.items() if key != "_links"}

    answer = machine.post(machine.href(arkivdel, NY_SAKSMAPPE), {**values, "tittel": "Søknad om bostøtte"})

    assert answer.status_code == 201, answer.content
    case = answer.json()
    assert answer["Location"] == machine.href(case, "self") == machine.href(case, "sakarkiv/saksmappe/")
    assert answer["ETag"]
    assert case["tittel"] == "Søknad om bostøtte" and case["saksstatus"]["kode"] == "B"
    assert machine.follow(case, "arkivstruktur/arkivdel/")["systemID"] == arkivdel["systemID"]
    in_part = machine.follow(arkivdel, "arkivstruktur/mappe/")
    assert [found["systemID"] for found in in_part["results"]] == [case["systemID"]]
    assert Saksmappe.objects.get(system_id=case["systemID"]).arkivdel.system_id == uuid.UUID(
        arkivdel["systemID"]
    )


def test_ny_saksmappe_on_a_klasse_files_the_case_under_it(machine):
    bostoette = klasse(machine, "610")
    template = machine.follow(bostoette, NY_SAKSMAPPE)
    assert "self" not in template["_links"]

    case = machine.create(bostoette, NY_SAKSMAPPE, {"tittel": "Søknad om bostøtte"})

    assert machine.follow(case, "arkivstruktur/klasse/")["systemID"] == bostoette["systemID"]
    assert machine.follow(case, "arkivstruktur/arkivdel/")["systemID"] == machine.arkivdel()["systemID"]
    in_class = machine.follow(bostoette, "arkivstruktur/mappe/")
    assert [found["systemID"] for found in in_class["results"]] == [case["systemID"]]
    assert machine.follow(klasse(machine, "700"), "arkivstruktur/mappe/")["count"] == 0


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"tittel": ""},
        {"tittel": "   "},
        {"tittel": None},
        {"tittel": ["Søknad"]},
        {"offentligTittel": "X"},
    ],
)
def test_a_case_without_a_title_is_refused_and_nothing_stored(machine, fields):
    answer = machine.post(machine.href(machine.arkivdel(), NY_SAKSMAPPE), fields)

    refused(answer, 400)
    assert "tittel" in answer.json()["feil"]["beskrivelse"]
    assert not Saksmappe.objects.exists()


@pytest.mark.parametrize(
    "fields, name",
    [
        ({"ukjent": "x"}, "ukjent"),
        ({"saksaar": 1999}, "saksaar"),
        ({"systemID": str(uuid.uuid4())}, "systemID"),
        ({"saksstatus": {"kode": "A"}}, "saksstatus"),
    ],
)
def test_a_field_the_case_does_not_take_is_refused_by_name(machine, fields, name):
    answer = machine.post(machine.href(machine.arkivdel(), NY_SAKSMAPPE), {"tittel": "Søknad", **fields})

    refused(answer, 400)
    assert name in answer.json()["feil"]["beskrivelse"]
    assert not Saksmappe.objects.exists()


def test_a_class_with_subclasses_offers_no_ny_saksmappe_and_refuses_one(machine):
    parent = klasse(machine, "600")
    sub = machine.create(parent, "arkivstruktur/ny-klasse/", {"klasseID": "601", "tittel": "Helsetjenester"})
    parent, _tag = read(machine, parent)
    href = machine.href(parent, "self") + "ny-saksmappe/"

    assert REL + NY_SAKSMAPPE not in parent["_links"]
    refused(machine.get(href), 403)
    refused(machine.post(href, {"tittel": "Søknad"}), 403)
    assert not Saksmappe.objects.exists()
    assert REL + NY_SAKSMAPPE in sub["_links"]
    assert machine.create(sub, NY_SAKSMAPPE, {"tittel": "Søknad"})["tittel"] == "Søknad"


def test_a_closed_arkivdel_offers_no_ny_saksmappe_and_refuses_one(machine):
    arkivdel = machine.arkivdel()
    href = machine.href(arkivdel, NY_SAKSMAPPE)
    Arkivdel.objects.filter(system_id=arkivdel["systemID"]).update(arkivdelstatus=Arkivdel.Status.AVSLUTTET)
    closed, _tag = read(machine, arkivdel)

    assert closed["arkivdelstatus"]["kode"] == "P"
    assert REL + NY_SAKSMAPPE not in closed["_links"]
    refused(machine.get(href), 403)
    refused(machine.post(href, {"tittel": "Søknad"}), 403)
    assert not Saksmappe.objects.exists()


# ---- ny-journalpost ---------------------------------------------------------------------------------


def test_ny_journalpost_answers_a_template_and_files_the_post_on_the_case(machine):
    case = machine.case()
    template = machine.follow(case, NY_JOURNALPOST)
    assert "self" not in template["_links"]
    assert template["journalposttype"]["kode"] in Journalpost.Type.values
    assert {REL + "metadata/journalposttype/", REL + "metadata/journalstatus/"} <= set(template["_links"])

    answer = machine.post(
        machine.href(case, NY_JOURNALPOST), {"tittel": "Vedtak", "journalposttype": {"kode": "U"}}
    )

    assert answer.status_code == 201, answer.content
    post = answer.json()
    assert answer["Location"] == machine.href(post, "self") == machine.href(post, "sakarkiv/journalpost/")
    assert post["journalposttype"] == {"kode": "U", "kodenavn": post["journalposttype"]["kodenavn"]}
    assert post["journalpostnummer"] == 1
    assert post["registreringsID"] == f"{case['mappeID']}-1"
    assert machine.follow(post, "sakarkiv/saksmappe/")["systemID"] == case["systemID"]
    listed = machine.follow(case, "sakarkiv/journalpost/")
    assert [found["systemID"] for found in listed["results"]] == [post["systemID"]]


def test_the_journal_post_template_sent_back_as_it_is_makes_the_post_it_proposed(machine):
    case = machine.case()
    template = machine.follow(case, NY_JOURNALPOST)
    values = {key: value for key, value in template.items() if key != "_links"}

    post = machine.create(case, NY_JOURNALPOST, {**values, "tittel": "Søknad"})

    for name in ("journalposttype", "journalstatus", "dokumentetsDato"):
        assert post[name] == template[name], name
    refused(
        machine.post(machine.href(case, NY_JOURNALPOST), {**values, "tittel": "R", "journalstatus": "R"}), 400
    )


def test_the_journal_post_type_is_taken_as_a_bare_code_too(machine):
    post = machine.journalpost(journalposttype="I")
    assert post["journalposttype"]["kode"] == "I"
    assert Journalpost.objects.get(system_id=post["systemID"]).journalposttype == "I"


@pytest.mark.parametrize("given", [None, "", "Z", {"kode": "Z"}, {"kodenavn": "Utgående dokument"}, 1])
def test_a_journal_post_needs_a_known_type(machine, given):
    case = machine.case()
    fields = {"tittel": "Vedtak"} if given is None else {"tittel": "Vedtak", "journalposttype": given}

    answer = machine.post(machine.href(case, NY_JOURNALPOST), fields)

    refused(answer, 400)
    assert "journalposttype" in answer.json()["feil"]["beskrivelse"]
    assert not Journalpost.objects.exists()


def test_dokumentets_dato_is_taken_and_read_back_as_a_datetime_with_its_zone(machine):
    post = machine.journalpost(dokumentetsDato="2026-01-31T00:00:00+01:00")

    assert Journalpost.objects.get(system_id=post["systemID"]).dokumentdato.isoformat() == "2026-01-31"
    assert post["dokumentetsDato"] == "2026-01-31T00:00:00+01:00"
    assert post["journaldato"].endswith(("+01:00", "+02:00"))


@pytest.mark.parametrize(
    "given",
    [
        "31.01.2026",
        "2026-13-01",
        "2026-02-30+01:00",
        "i går",
        20260131,
        "2026-01-31T25:00:00+01:00",
    ],
)
def test_a_document_date_that_is_no_date_is_refused(machine, given):
    case = machine.case()
    answer = machine.post(
        machine.href(case, NY_JOURNALPOST),
        {"tittel": "Vedtak", "journalposttype": "U", "dokumentetsDato": given},
    )

    refused(answer, 400)
    assert "dokumentetsDato" in answer.json()["feil"]["beskrivelse"]
    assert not Journalpost.objects.exists()


def test_a_closed_case_offers_no_ny_journalpost_and_refuses_one(machine):
    case = machine.case()
    href = machine.href(case, NY_JOURNALPOST)
    assert patch(machine, case, {"saksstatus": {"kode": "A"}}).status_code == 200
    closed, _tag = read(machine, case)

    assert REL + NY_JOURNALPOST not in closed["_links"]
    refused(machine.get(href), 403)
    refused(machine.post(href, {"tittel": "Etterslep", "journalposttype": "I"}), 403)
    assert not Journalpost.objects.exists()


# ---- the same instances in arkivstruktur ----------------------------------------------------------------


def test_mappe_and_registrering_list_the_cases_and_posts_as_their_sakarkiv_selves(machine):
    post = machine.journalpost()
    case = machine.follow(post, "sakarkiv/saksmappe/")
    arkivstruktur = machine.arkivstruktur()

    mapper = machine.follow(arkivstruktur, "arkivstruktur/mappe/")
    registreringer = machine.follow(arkivstruktur, "arkivstruktur/registrering/")

    assert mapper["count"] == 1 and registreringer["count"] == 1
    assert machine.href(mapper["results"][0], "self") == machine.href(case, "self")
    assert "/sakarkiv/saksmappe/" in machine.href(mapper["results"][0], "self")
    assert machine.href(registreringer["results"][0], "self") == machine.href(post, "self")
    assert "/sakarkiv/journalpost/" in machine.href(registreringer["results"][0], "self")
    under = machine.follow(case, "arkivstruktur/registrering/")
    assert [found["systemID"] for found in under["results"]] == [post["systemID"]]


def test_a_case_read_as_mappe_is_the_saksmappe(machine):
    case = machine.case()
    as_mappe = machine.get(f"http://testserver{ROOT}arkivstruktur/mappe/{case['systemID']}/")

    assert as_mappe.status_code == 200
    assert as_mappe.json() == case | {"_links": as_mappe.json()["_links"]}
    assert machine.href(as_mappe.json(), "self") == machine.href(case, "self")


# ---- status through PATCH ---------------------------------------------------------------------------


def test_journalstatus_f_finalises_a_post_with_a_document(machine):
    post = incoming(machine)
    with_file(machine, post)

    answer = patch(machine, post, {"journalstatus": {"kode": "F"}})

    assert answer.status_code == 200, answer.content
    assert answer.json()["journalstatus"]["kode"] == "F"
    assert Journalpost.objects.get(system_id=post["systemID"]).journalstatus == "F"
    assert answer["ETag"] == read(machine, post)[1]
    refused(patch(machine, post, {"tittel": "Endret etterpå"}), 409)


def test_a_post_without_a_document_is_not_finalised(machine):
    post = incoming(machine)

    answer = patch(machine, post, {"journalstatus": "F"})

    refused(answer, 400)
    assert Journalpost.objects.get(system_id=post["systemID"]).journalstatus == "S"


def test_journalstatus_e_dispatches_an_outgoing_post_into_digital_post(machine, settings, tmp_path):
    digipost = providers(settings, tmp_path)[0]
    recipient = citizen(mailbox_provider=digipost, given_name="Kari")
    post = machine.journalpost()
    with_file(machine, post)
    machine.create(
        post,
        NY_PERSON,
        {
            "korrespondanseparttype": {"kode": "EM"},
            "personidentifikator": [{"foedselsnummer": recipient.identity_number}],
        },
    )

    answer = patch(machine, post, {"journalstatus": {"kode": "E"}})

    assert answer.status_code == 200, answer.content
    assert answer.json()["journalstatus"]["kode"] == "E" and answer.json()["sendtDato"]
    letter = Letter.objects.get()
    assert letter.recipient == recipient.identity_number and letter.status == Letter.Status.DELIVERED
    again = patch(machine, post, {"journalstatus": {"kode": "E"}})
    assert again.status_code == 200 and again.json()["sendtDato"] == answer.json()["sendtDato"]
    assert Letter.objects.count() == 1


def test_a_dispatch_without_a_recipient_is_refused_with_409_and_nothing_sent(machine):
    post = machine.journalpost()
    with_file(machine, post)

    answer = patch(machine, post, {"journalstatus": "E"})

    refused(answer, 409)
    assert Journalpost.objects.get(system_id=post["systemID"]).journalstatus == "S"
    assert not Letter.objects.exists()


def test_journalstatus_u_voids_a_post(machine):
    post = machine.journalpost()

    answer = patch(machine, post, {"journalstatus": {"kode": "U"}})

    assert answer.status_code == 200, answer.content
    assert answer.json()["journalstatus"]["kode"] == "U"
    assert Journalpost.objects.get(system_id=post["systemID"]).journalstatus == "U"


def test_saksstatus_a_closes_the_case_once_every_post_is_finalised(machine):
    case = machine.case()
    post = with_party(machine, machine.journalpost(case), "EM")

    early = patch(machine, case, {"saksstatus": {"kode": "A"}})

    refused(early, 400)
    assert Saksmappe.objects.get(system_id=case["systemID"]).saksstatus == "B"
    with_file(machine, post)
    assert patch(machine, post, {"journalstatus": "F"}).status_code == 200

    answer = patch(machine, case, {"saksstatus": {"kode": "A"}})

    assert answer.status_code == 200, answer.content
    closed = answer.json()
    assert closed["saksstatus"]["kode"] == "A" and closed["avsluttetDato"]
    assert Saksmappe.objects.get(system_id=case["systemID"]).saksstatus == "A"
    assert Journalpost.objects.get(system_id=post["systemID"]).arkivert_dato is not None
    refused(patch(machine, case, {"tittel": "Etter lukking"}), 409)


@pytest.mark.parametrize(
    "entity, values",
    [
        ("case", {"saksstatus": {"kode": "Z"}}),
        ("case", {"saksstatus": "U"}),
        ("case", {"saksstatus": 1}),
        ("post", {"journalstatus": {"kode": "Z"}}),
        ("post", {"journalstatus": "J"}),
        ("post", {"journalstatus": ["F"]}),
    ],
)
def test_a_status_the_interface_does_not_set_is_refused_and_nothing_changes(machine, entity, values):
    post = machine.journalpost()
    body = machine.follow(post, "sakarkiv/saksmappe/") if entity == "case" else post
    before, tag = read(machine, body)

    answer = patch(machine, body, values)

    refused(answer, 400)
    assert next(iter(values)) in answer.json()["feil"]["beskrivelse"]
    assert read(machine, body) == (before, tag)


# ---- access codes ---------------------------------------------------------------------------------


class Coded:
    """The organisation's child-welfare code, which its system handler (the token's) is not granted: a
    coded case, and a coded post in an open case."""

    def __init__(self):
        org = organisation()
        self.leader = handler(org, first_name="Arne", last_name="Arkiv")
        self.leader.arkivleder = True
        self.leader.save()
        self.owner = handler(org, first_name="Siri", last_name="Sak")
        self.bv = access.save_tilgangskode(self.leader, kode="BV", navn="Barnevern", tilgangsrestriksjon="13")
        bostoette = org.arkiv.arkivdeler.get().klassifikasjonssystem.klasser.get(klasse_id="610")
        self.case = services.create_saksmappe(
            self.owner, tittel=SECRET, tilgangskode=self.bv, klasse=bostoette
        )
        self.case_post = services.add_journalpost(
            self.case, self.owner, journalposttype="I", tittel="Melding fra skolen"
        )
        self.open = services.create_saksmappe(self.owner, tittel="Byggesak Storgata 1", klasse=bostoette)
        self.open_post = services.add_journalpost(self.open, self.owner, journalposttype="I", tittel="Søknad")
        self.post = services.add_journalpost(
            self.open, self.owner, journalposttype="N", tittel="Notat Hemmeligsen", tilgangskode=self.bv
        )

    def grant(self) -> None:
        access.save_tilgangsgruppe(
            self.leader,
            navn="Barnevernstjenesten",
            tilgangskoder=[self.bv],
            medlemmer=[system_handler(self.leader.organisation)],
        )


@pytest.fixture
def coded(machine):
    return Coded()


def cases_listed(machine, params=None) -> dict:
    return machine.follow(machine.sakarkiv(), "sakarkiv/saksmappe/", params)


def posts_listed(machine, params=None) -> dict:
    return machine.follow(machine.sakarkiv(), "sakarkiv/journalpost/", params)


def titles(listing: dict) -> set[str]:
    return {found["tittel"] for found in listing.get("results", [])}


def test_a_coded_case_is_not_listed_nor_counted(machine, coded):
    listing = cases_listed(machine)
    assert listing["count"] == 1 and titles(listing) == {"Byggesak Storgata 1"}
    mapper = machine.follow(machine.arkivstruktur(), "arkivstruktur/mappe/")
    assert mapper["count"] == 1 and titles(mapper) == {"Byggesak Storgata 1"}
    coded.grant()
    assert cases_listed(machine)["count"] == 2


def test_a_coded_case_is_found_by_neither_filter_nor_search(machine, coded):
    by_id = {"$filter": f"systemID eq {coded.case.system_id}"}
    by_title = {"$filter": f"tittel eq '{SECRET}'"}
    by_word = {"$search": "Hemmeligsen"}

    for params in (by_id, by_title, by_word, {"$filter": "contains(tittel, 'Hemmelig') or saksaar gt 0"}):
        found = cases_listed(machine, params)
        assert SECRET not in titles(found), params
    assert cases_listed(machine, by_id)["count"] == 0
    assert cases_listed(machine, by_word)["count"] == 0
    coded.grant()
    assert cases_listed(machine, by_id)["count"] == 1
    assert titles(cases_listed(machine, by_word)) == {SECRET}


def test_a_coded_case_answers_404_as_one_that_does_not_exist(machine, coded):
    hidden = machine.get(f"{ROOT}sakarkiv/saksmappe/{coded.case.system_id}/")
    missing = machine.get(f"{ROOT}sakarkiv/saksmappe/{uuid.uuid4()}/")

    refused(hidden, 404)
    assert hidden.json()["feil"]["beskrivelse"] == missing.json()["feil"]["beskrivelse"]
    refused(machine.get(f"{ROOT}arkivstruktur/mappe/{coded.case.system_id}/"), 404)
    refused(machine.get(f"{ROOT}sakarkiv/saksmappe/{coded.case.system_id}/journalpost/"), 404)
    refused(machine.get(f"{ROOT}sakarkiv/journalpost/{coded.case_post.system_id}/"), 404)
    refused(
        machine.patch(
            f"{ROOT}sakarkiv/saksmappe/{coded.case.system_id}/", {"tittel": "X"}, HTTP_IF_MATCH="*"
        ),
        404,
    )
    assert Saksmappe.objects.get(pk=coded.case.pk).tittel == SECRET
    coded.grant()
    assert machine.get(f"{ROOT}sakarkiv/saksmappe/{coded.case.system_id}/").status_code == 200


def test_a_coded_post_in_an_open_case_is_hidden_on_its_own(machine, coded):
    visible = {str(coded.open_post.system_id)}
    case = machine.get(f"{ROOT}sakarkiv/saksmappe/{coded.open.system_id}/").json()

    under = machine.follow(case, "sakarkiv/journalpost/")
    assert under["count"] == 1 and {found["systemID"] for found in under["results"]} == visible
    assert machine.follow(case, "arkivstruktur/registrering/")["count"] == 1
    everything = posts_listed(machine)
    assert everything["count"] == 1 and {found["systemID"] for found in everything["results"]} == visible
    assert posts_listed(machine, {"$filter": f"systemID eq {coded.post.system_id}"})["count"] == 0
    assert posts_listed(machine, {"$search": "Hemmeligsen"})["count"] == 0
    registreringer = machine.follow(machine.arkivstruktur(), "arkivstruktur/registrering/")
    assert registreringer["count"] == 1
    refused(machine.get(f"{ROOT}sakarkiv/journalpost/{coded.post.system_id}/"), 404)
    refused(machine.get(f"{ROOT}arkivstruktur/registrering/{coded.post.system_id}/"), 404)
    coded.grant()
    assert posts_listed(machine)["count"] == 3


def test_the_lists_under_arkivdel_and_klasse_do_not_count_coded_records(machine, coded):
    arkivdel = machine.arkivdel()
    bostoette = klasse(machine, "610")

    assert machine.follow(arkivdel, "arkivstruktur/mappe/")["count"] == 1
    assert machine.follow(bostoette, "arkivstruktur/mappe/")["count"] == 1
    assert machine.follow(arkivdel, "arkivstruktur/registrering/")["count"] == 1
    assert machine.follow(bostoette, "arkivstruktur/registrering/")["count"] == 1
    searched = machine.follow(bostoette, "arkivstruktur/mappe/", {"$search": "Hemmeligsen"})
    assert searched["count"] == 0
    coded.grant()
    assert machine.follow(bostoette, "arkivstruktur/mappe/")["count"] == 2
    assert machine.follow(arkivdel, "arkivstruktur/registrering/")["count"] == 3


# ---- PUT -----------------------------------------------------------------------------------------


def test_a_put_of_the_whole_case_as_read_changes_its_title(machine):
    case = machine.case()
    current, tag = read(machine, case)

    answer = machine.put(machine.href(current, "self"), {**current, "tittel": "Søknad om bostøtte 2026"},
                         HTTP_IF_MATCH=tag)  # fmt: skip

    assert answer.status_code == 200, answer.content
    assert answer.json()["tittel"] == "Søknad om bostøtte 2026"
    assert answer["ETag"] != tag
    assert Saksmappe.objects.get(system_id=case["systemID"]).tittel == "Søknad om bostøtte 2026"


def test_a_put_of_the_whole_post_as_read_changes_its_title(machine):
    post = machine.journalpost()
    current, tag = read(machine, post)

    answer = machine.put(machine.href(current, "self"), {**current, "tittel": "Vedtak 2"}, HTTP_IF_MATCH=tag)

    assert answer.status_code == 200, answer.content
    assert Journalpost.objects.get(system_id=post["systemID"]).tittel == "Vedtak 2"


@pytest.mark.parametrize(
    "change", [{"saksaar": 1999}, {"mappeID": "1999/1"}, {"systemID": str(uuid.uuid4())}]
)
def test_a_put_that_changes_what_the_archive_sets_is_refused(machine, change):
    case = machine.case()
    current, tag = read(machine, case)

    answer = machine.put(
        machine.href(current, "self"), {**current, "tittel": "Annen", **change}, HTTP_IF_MATCH=tag
    )

    refused(answer, 400)
    assert next(iter(change)) in answer.json()["feil"]["beskrivelse"]
    assert read(machine, case) == (current, tag)


def test_a_put_with_a_stale_etag_gets_409(machine):
    case = machine.case()
    current, tag = read(machine, case)
    assert patch(machine, case, {"tittel": "Først"}).status_code == 200

    answer = machine.put(machine.href(current, "self"), {**current, "tittel": "Sist"}, HTTP_IF_MATCH=tag)

    refused(answer, 409)
    assert Saksmappe.objects.get(system_id=case["systemID"]).tittel == "Først"


# ---- hostile input ------------------------------------------------------------------------------------


def hostile_targets(machine) -> list[tuple[str, str, dict]]:
    case = machine.case()
    _current, tag = read(machine, case)
    return [
        ("post", machine.href(machine.arkivdel(), NY_SAKSMAPPE), {}),
        ("post", machine.href(case, NY_JOURNALPOST), {}),
        ("patch", machine.href(case, "self"), {"HTTP_IF_MATCH": tag}),
    ]


def send_raw(machine, method: str, url: str, body: bytes, headers: dict):
    content_type = "application/merge-patch+json" if method == "patch" else "application/vnd.noark5+json"
    call = getattr(machine.client, method)
    return call(url, body, content_type=content_type, **machine.auth, **headers)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"tittel": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b"}",
        b'{"tittel": "Nul\\u0000tegn", "journalposttype": "U"}',
        b'{"tittel\\u0000": "Nul i navnet", "journalposttype": "U"}',
        b'{"tittel": "ikke avsluttet',
        b"\xff\xfe\x00t",
        b'"bare en tekst"',
        b"[]",
        b"null",
    ],
    ids=["deep-list", "deep-object", "nul", "nul-key", "truncated", "not-utf8", "string", "list", "null"],
)
def test_a_hostile_body_is_refused_with_400_and_stores_nothing(machine, body):
    for method, url, headers in hostile_targets(machine):
        answer = send_raw(machine, method, url, body, headers)
        refused(answer, 400)
    assert Saksmappe.objects.count() == 1
    assert not Journalpost.objects.exists()
    assert Saksmappe.objects.get().tittel == "Søknad om bostøtte"


def test_a_ten_megabyte_title_is_refused_and_stores_nothing(machine):
    title = "Søknad " * (10 * 1024 * 1024 // 7)
    for method, url, headers in hostile_targets(machine):
        answer = send_raw(
            machine, method, url, orjson.dumps({"tittel": title, "journalposttype": "U"}), headers
        )
        assert answer.status_code in (400, 413), (url, answer.status_code)
        assert answer.json()["feil"]["kode"] == answer.status_code
    assert Saksmappe.objects.count() == 1 and not Journalpost.objects.exists()


def test_a_title_just_over_the_limit_is_refused_by_name(machine):
    answer = machine.post(machine.href(machine.arkivdel(), NY_SAKSMAPPE), {"tittel": "x" * 501})

    refused(answer, 400)
    assert "tittel" in answer.json()["feil"]["beskrivelse"]
    assert not Saksmappe.objects.exists()


# ---- skjerming -----------------------------------------------------------------------------------------


def test_a_case_is_screened_on_creation_and_the_screening_removed_by_patch(machine):
    screening = {
        "tilgangsrestriksjon": {"kode": "13"},
        "skjermingshjemmel": "Offl. § 13, jf. fvl. § 13",
        "skjermingMetadata": [{"kode": "TMO"}],
    }

    case = machine.case(skjerming=screening)

    assert case["skjerming"]["tilgangsrestriksjon"]["kode"] == "13"
    assert case["skjerming"]["skjermingshjemmel"] == "Offl. § 13, jf. fvl. § 13"
    assert [found["kode"] for found in case["skjerming"]["skjermingMetadata"]] == ["TMO"]
    answer = patch(machine, case, {"skjerming": None})
    assert answer.status_code == 200, answer.content
    assert "skjerming" not in answer.json()
    assert Saksmappe.objects.get(system_id=case["systemID"]).skjerming is None


@pytest.mark.parametrize(
    "screening, name",
    [
        ("13", "skjerming"),
        ({"tilgangsrestriksjon": "13"}, "skjermingshjemmel"),
        ({"tilgangsrestriksjon": "13", "skjermingshjemmel": "x" * 201}, "skjermingshjemmel"),
        ({"tilgangsrestriksjon": "1" * 11, "skjermingshjemmel": "Offl. § 13"}, "tilgangsrestriksjon"),
        (
            {"tilgangsrestriksjon": {"kode": "13" * 50}, "skjermingshjemmel": "Offl. § 13"},
            "tilgangsrestriksjon",
        ),
        ({"tilgangsrestriksjon": 13, "skjermingshjemmel": "Offl. § 13"}, "tilgangsrestriksjon"),
        (
            {"tilgangsrestriksjon": "13", "skjermingshjemmel": "Offl.", "skjermingMetadata": "TMO"},
            "skjermingMetadata",
        ),
        ({"tilgangsrestriksjon": "13", "skjermingshjemmel": "Offl.", "skjermingMetadata": ["XYZ"]}, "XYZ"),
        ({"tilgangsrestriksjon": "13", "skjermingshjemmel": "Offl.", "ukjent": 1}, "ukjent"),
    ],
)
def test_a_broken_screening_is_refused_by_name_and_stores_nothing(machine, screening, name):
    answer = machine.post(
        machine.href(machine.arkivdel(), NY_SAKSMAPPE), {"tittel": "Søknad", "skjerming": screening}
    )

    refused(answer, 400)
    assert name in answer.json()["feil"]["beskrivelse"]
    assert not Saksmappe.objects.exists()


def test_a_field_a_new_case_would_not_keep_is_refused_not_dropped(machine):
    answer = machine.post(
        machine.href(machine.arkivdel(), NY_SAKSMAPPE), {"tittel": "Søknad", "beskrivelse": "Om bostøtte"}
    )

    refused(answer, 400)
    assert "beskrivelse" in answer.json()["feil"]["beskrivelse"]
    assert not Saksmappe.objects.exists()


def test_a_post_changed_through_its_registrering_address_is_the_same_post(machine):
    post = machine.journalpost()
    href = f"http://testserver{ROOT}arkivstruktur/registrering/{post['systemID']}/"
    tag = machine.get(href)["ETag"]

    answer = machine.patch(
        href, {"tittel": "Vedtak om bostøtte 2026", "journalstatus": "U"}, HTTP_IF_MATCH=tag
    )

    assert answer.status_code == 200, answer.content
    assert machine.href(answer.json(), "self") == machine.href(post, "self")
    stored = Journalpost.objects.get(system_id=post["systemID"])
    assert (stored.tittel, stored.journalstatus) == ("Vedtak om bostøtte 2026", "U")
