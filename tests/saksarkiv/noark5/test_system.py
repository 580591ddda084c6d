"""admin/system (chapter 6, "Systeminformasjon") and the Admin package (chapter 7): the organisation's
administrative units and users, read by a machine that follows the links."""

import tomllib

import pytest
from django.conf import settings
from django.utils import translation

from saksarkiv.models import AdministrativEnhet, Saksbehandler
from saksarkiv.services.api_handler import system_handler
from tests.saksarkiv.factories import enhet, handler, organisation
from tests.saksarkiv.noark5.conftest import NOARK5, OTHER, REL, ROOT
from virksomheter.services import get_organisation

pytestmark = pytest.mark.django_db


def admin(machine) -> dict:
    """The admin package root (rel .../api/admin/)."""
    answer = machine.get(ROOT + "admin/")
    assert answer.status_code == 200, answer.content
    return answer.json()


def make_arkivleder(number="965302026") -> Saksbehandler:
    """The archive leader's rights for the organisation's system (given in Felles' admin)."""
    system = system_handler(get_organisation(number))
    system.arkivleder = True
    system.save(update_fields=["arkivleder"])
    return system


def test_system_names_the_product_its_version_and_the_protocol(machine):
    answer = machine.get(machine.href(machine.root(), "admin/system/"))
    assert answer.status_code == 200
    assert answer["Content-Type"] == NOARK5
    system = answer.json()
    with open(settings.BASE_DIR / "pyproject.toml", "rb") as found:
        version = tomllib.load(found)["project"]["version"]
    assert system["versjon"] == version
    assert system["protokollversjon"] == "1.1"
    assert system["produkt"] and system["leverandoer"]
    assert answer["ETag"]


def test_system_gives_the_upload_limit_the_archive_applies(machine):
    system = machine.follow(machine.root(), "admin/system/")
    assert system["bulkgrense"] == settings.SAKSARKIV_MAX_DOCUMENT_BYTES > 0


def test_system_is_only_told_to_a_machine_with_a_token(client, machine):
    answer = client.get(ROOT + "admin/system/", HTTP_ACCEPT=NOARK5)
    assert answer.status_code == 401
    assert answer.json()["feil"]["kode"] == 401
    assert "versjon" not in answer.content.decode()


def test_the_admin_package_lists_units_and_users_with_their_query_template(machine):
    links = admin(machine)["_links"]
    for name in ("administrativenhet/", "bruker/"):
        assert links[REL + "admin/" + name]["templated"] is True
        assert links[REL + "admin/" + name]["href"].endswith(name + "{?$filter&$orderby&$top&$skip&$search}")
    assert REL + "admin/ny-administrativenhet/" not in links
    assert list(links) == sorted(links)


def test_units_are_the_organisations_own_with_the_standards_fields(machine, other_machine):
    parent = enhet(organisation(), "HEL", "Helse")
    AdministrativEnhet.objects.create(
        organisation=parent.organisation, kortnavn="LEG", navn="Legevakt", overordnet=parent
    )
    enhet(organisation(OTHER), "SKJULT", "Annen etats enhet")
    listing = machine.follow(
        admin(machine), "admin/administrativenhet/", {"$orderby": "administrativEnhetNavn"}
    )
    assert listing["count"] == 2
    helse, legevakt = listing["results"]
    assert helse["administrativEnhetNavn"] == "Helse" and helse["kortnavn"] == "HEL"
    assert helse["administrativEnhetsstatus"] == "Aktiv enhet"
    assert legevakt["referanseOverordnetEnhet"] == helse["systemID"]
    assert helse["opprettetDato"].endswith(("+01:00", "+02:00"))
    assert "Annen etats enhet" not in str(listing)


def test_a_unit_is_filtered_by_its_name_and_read_with_an_etag(machine):
    enhet(organisation(), "HEL", "Helse")
    enhet(organisation(), "BYG", "Byggesak")
    listing = machine.follow(
        admin(machine), "admin/administrativenhet/", {"$filter": "startswith(administrativEnhetNavn, 'Bygg')"}
    )
    assert listing["count"] == 1
    answer = machine.get(machine.href(listing["results"][0], "self"))
    assert answer.status_code == 200 and answer["ETag"]
    assert answer.json()["kortnavn"] == "BYG"


def test_creating_a_unit_is_the_archive_leaders_and_the_refusal_says_so(machine):
    answer = machine.post(
        ROOT + "admin/ny-administrativenhet/", {"administrativEnhetNavn": "Helse", "kortnavn": "HEL"}
    )
    assert answer.status_code == 403
    with translation.override(settings.LANGUAGE_CODE):  # the services' own reason, in the answer's language
        reason = translation.gettext("Only the archive leader may change the archive's structure.")
    assert answer.json()["feil"]["beskrivelse"] == reason
    assert not AdministrativEnhet.objects.filter(kortnavn="HEL").exists()


def test_an_archive_leaders_system_creates_a_unit_and_a_sub_unit(machine):
    make_arkivleder()
    root = admin(machine)
    template = machine.follow(root, "admin/ny-administrativenhet/")
    assert template["administrativEnhetsstatus"] == "Aktiv enhet"
    helse = machine.create(
        root, "admin/ny-administrativenhet/", {"administrativEnhetNavn": "Helse", "kortnavn": "hel"}
    )
    assert helse["kortnavn"] == "HEL" and helse["opprettetAv"] == "api-965302026"
    legevakt = machine.create(
        helse, "admin/ny-administrativenhet/", {"administrativEnhetNavn": "Legevakt", "kortnavn": "LEG"}
    )
    assert legevakt["referanseOverordnetEnhet"] == helse["systemID"]
    stored = AdministrativEnhet.objects.get(system_id=legevakt["systemID"])
    assert stored.overordnet.system_id.hex == helse["systemID"].replace("-", "")


def test_a_new_unit_with_a_field_the_standard_does_not_give_it_is_refused(machine):
    make_arkivleder()
    answer = machine.post(
        ROOT + "admin/ny-administrativenhet/",
        {"administrativEnhetNavn": "Helse", "kortnavn": "HEL", "journalenhet": "X"},
    )
    assert answer.status_code == 400
    assert "journalenhet" in answer.json()["feil"]["beskrivelse"]
    assert not AdministrativEnhet.objects.filter(kortnavn="HEL").exists()


def test_a_unit_under_another_organisations_unit_is_not_found(machine):
    make_arkivleder()
    theirs = enhet(organisation(OTHER), "HEL", "Helse")
    answer = machine.post(
        ROOT + "admin/ny-administrativenhet/",
        {
            "administrativEnhetNavn": "Legevakt",
            "kortnavn": "LEG",
            "referanseOverordnetEnhet": str(theirs.system_id),
        },
    )
    assert answer.status_code == 404
    assert not AdministrativEnhet.objects.filter(kortnavn="LEG").exists()


def test_closing_a_unit_is_setting_it_passive_and_it_gets_its_closing_date(machine):
    make_arkivleder()
    unit = enhet(organisation(), "BYG", "Byggesak")
    href = f"{ROOT}admin/administrativenhet/{unit.system_id}/"
    read = machine.get(href)
    answer = machine.patch(href, {"administrativEnhetsstatus": "Passiv enhet"}, HTTP_IF_MATCH=read["ETag"])
    assert answer.status_code == 200, answer.content
    closed = answer.json()
    assert closed["administrativEnhetsstatus"] == "Passiv enhet"
    assert closed["avsluttetDato"]
    unit.refresh_from_db()
    assert unit.aktiv is False


def test_a_unit_keeps_its_name_as_the_standard_says(machine):
    make_arkivleder()
    unit = enhet(organisation(), "BYG", "Byggesak")
    href = f"{ROOT}admin/administrativenhet/{unit.system_id}/"
    answer = machine.patch(
        href, {"administrativEnhetNavn": "Plan og bygg"}, HTTP_IF_MATCH=machine.get(href)["ETag"]
    )
    assert answer.status_code == 400
    unit.refresh_from_db()
    assert unit.navn == "Byggesak"


def test_changing_a_unit_without_the_archive_leaders_rights_is_refused(machine):
    unit = enhet(organisation(), "BYG", "Byggesak")
    href = f"{ROOT}admin/administrativenhet/{unit.system_id}/"
    answer = machine.patch(
        href, {"administrativEnhetsstatus": "Passiv enhet"}, HTTP_IF_MATCH=machine.get(href)["ETag"]
    )
    assert answer.status_code == 403
    unit.refresh_from_db()
    assert unit.aktiv is True


def test_users_are_the_organisations_case_handlers_without_secrets(machine, other_machine):
    kari = handler(organisation(), first_name="Kari", last_name="Nilsen", email="kari@fjordvik.kommune.no")
    handler(organisation(OTHER), first_name="Ola", last_name="Annen")
    listing = machine.follow(
        admin(machine), "admin/bruker/", {"$filter": f"brukerNavn eq '{kari.user.username}'"}
    )
    assert listing["count"] == 1
    user = listing["results"][0]
    assert user["kortnavn"] == "IB" and user["opprettetDato"]
    assert set(user) == {"systemID", "brukerNavn", "kortnavn", "opprettetDato", "_links"}
    every = str(machine.follow(admin(machine), "admin/bruker/"))
    assert kari.user.username in every
    assert "kari@" not in every and "pbkdf2" not in every
    assert machine.follow(admin(machine), "admin/bruker/", {"$search": "Annen"})["count"] == 0


def test_a_user_has_a_stable_system_id_and_links_to_its_unit(machine):
    kari = handler(organisation())
    listing = machine.follow(
        admin(machine), "admin/bruker/", {"$filter": f"brukerNavn eq '{kari.user.username}'"}
    )
    user = listing["results"][0]
    again = machine.follow(user, "self")
    assert again["systemID"] == user["systemID"]
    unit = machine.follow(user, "admin/administrativenhet/")
    assert unit["kortnavn"] == "HEL"
    members = machine.follow(unit, "admin/bruker/")
    assert [found["systemID"] for found in members["results"]] == [user["systemID"]]


def test_users_are_not_created_nor_changed_here(machine):
    kari = handler(organisation())
    answer = machine.post(ROOT + "admin/ny-bruker/", {"brukerNavn": "ny"})
    assert answer.status_code == 501
    assert answer.json()["feil"]["kode"] == 501
    listing = machine.follow(
        admin(machine), "admin/bruker/", {"$filter": f"brukerNavn eq '{kari.user.username}'"}
    )
    href = machine.href(listing["results"][0], "self")
    answer = machine.patch(href, {"kortnavn": "XX"}, HTTP_IF_MATCH='"x"')
    assert answer.status_code == 501
    kari.refresh_from_db()
    assert kari.initialer == "IB"


def test_rights_are_not_served_and_say_so(machine):
    answer = machine.get(ROOT + "admin/rettighet/")
    assert answer.status_code == 501
    assert answer.json()["feil"]["beskrivelse"]


def test_an_unknown_user_is_not_found(machine):
    answer = machine.get(ROOT + "admin/bruker/12345678-1234-1234-1234-123456789012/")
    assert answer.status_code == 404
    assert answer.json()["feil"]["kode"] == 404


@pytest.mark.parametrize("parent", [5, "ikke-en-uuid", ["x"]])
def test_a_parent_that_is_no_system_id_is_refused_and_nothing_moves(machine, parent):
    make_arkivleder()
    helse = enhet(organisation(), "HEL", "Helse")
    unit = AdministrativEnhet.objects.create(
        organisation=helse.organisation, kortnavn="LEG", navn="Legevakt", overordnet=helse
    )
    href = f"{ROOT}admin/administrativenhet/{unit.system_id}/"
    answer = machine.patch(
        href, {"referanseOverordnetEnhet": parent}, HTTP_IF_MATCH=machine.get(href)["ETag"]
    )
    assert answer.status_code == 400
    unit.refresh_from_db()
    assert unit.overordnet == helse


def test_an_archive_leaders_system_moves_a_unit_to_the_top(machine):
    make_arkivleder()
    helse = enhet(organisation(), "HEL", "Helse")
    unit = AdministrativEnhet.objects.create(
        organisation=helse.organisation, kortnavn="LEG", navn="Legevakt", overordnet=helse
    )
    href = f"{ROOT}admin/administrativenhet/{unit.system_id}/"
    answer = machine.patch(href, {"referanseOverordnetEnhet": None}, HTTP_IF_MATCH=machine.get(href)["ETag"])
    assert answer.status_code == 200, answer.content
    assert "referanseOverordnetEnhet" not in answer.json()
    unit.refresh_from_db()
    assert unit.overordnet is None


@pytest.mark.parametrize(
    "body",
    [
        [],
        "Helse",
        {"administrativEnhetNavn": {"navn": "Helse"}, "kortnavn": "HEL"},
        {"administrativEnhetNavn": "Helse", "kortnavn": "H" * 21},
        {"administrativEnhetNavn": "", "kortnavn": "HEL"},
        {"administrativEnhetNavn": "Helse", "kortnavn": "HEL", "administrativEnhetsstatus": "Passiv enhet"},
        {"administrativEnhetNavn": "Helse", "kortnavn": "HEL", "administrativEnhetsstatus": 5},
    ],
)
def test_a_bad_new_unit_is_refused_with_400_and_nothing_stored(machine, body):
    make_arkivleder()
    answer = machine.post(ROOT + "admin/ny-administrativenhet/", body)
    assert answer.status_code == 400, answer.content
    assert answer.json()["feil"]["kode"] == 400
    assert not AdministrativEnhet.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"$filter": "administrativEnhetsstatus eq 'Aktiv enhet'"},
        {"$filter": "avsluttetDato eq null and opprettetAv ne 'x'"},
        {"$orderby": "opprettetAv desc, referanseOverordnetEnhet"},
        {"$search": "Helse"},
    ],
)
def test_units_take_odata_on_every_field_they_name(machine, query):
    enhet(organisation(), "HEL", "Helse")
    listing = machine.follow(admin(machine), "admin/administrativenhet/", query)
    assert listing["count"] == 1


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"$filter": "opprettetDato lt 2000-01-01"}, 0),
        ({"$filter": "kortnavn eq 'IB' and systemID ne 12345678-1234-1234-1234-123456789012"}, 1),
        ({"$orderby": "opprettetDato desc, kortnavn"}, 2),
        ({"$search": "IB"}, 1),
    ],
)
def test_users_take_odata_on_every_field_they_name(machine, query, count):
    handler(organisation())  # and the organisation's system user, API
    assert machine.follow(admin(machine), "admin/bruker/", query)["count"] == count
