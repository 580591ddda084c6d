"""korrespondansepart through the Noark 5 interface: a person by identity number (name and address from
the population register, a protected address never stored), an organisation, an internal party; listed
under the journal post; deleted while the post is not finalised."""

import logging

import pytest

from folkeregister.models import AddressProtection
from saksarkiv.models import Korrespondansepart
from tests.postkasse.factories import citizen
from tests.saksarkiv.factories import enhet, handler, organisation

pytestmark = pytest.mark.django_db

PERSON = "arkivstruktur/ny-korrespondansepartperson/"
ENHET = "arkivstruktur/ny-korrespondansepartenhet/"
INTERN = "arkivstruktur/ny-korrespondansepartintern/"
PARTIES = "arkivstruktur/korrespondansepart/"


def test_a_person_by_identity_number_gets_name_and_address_from_the_register(machine, caplog):
    person = citizen(given_name="Ola", family_name="Nordmann")
    journalpost = machine.journalpost()
    caplog.set_level(logging.DEBUG)

    party = machine.create(
        journalpost,
        PERSON,
        {
            "korrespondanseparttype": {"kode": "EM"},
            "personidentifikator": [{"foedselsnummer": person.identity_number}],
            "kontaktinformasjon": {"epostadresse": "ola@example.no"},
        },
    )

    assert party["navn"] == "Ola Nordmann"
    assert party["personidentifikator"] == [{"foedselsnummer": person.identity_number}]
    assert party["postadresse"] == {"adresselinje1": "Storgata 1", "adresselinje2": "0150 OSLO"}
    assert party["kontaktinformasjon"] == {"epostadresse": "ola@example.no"}
    assert party["korrespondanseparttype"]["kode"] == "EM"
    assert machine.href(party, "self") == machine.href(party, "arkivstruktur/korrespondansepartperson/")
    assert person.identity_number not in caplog.text


def test_a_protected_address_is_neither_stored_nor_shown(machine):
    person = citizen(address_protection=AddressProtection.STRENGT_FORTROLIG)

    party = machine.create(
        machine.journalpost(),
        PERSON,
        {
            "korrespondanseparttype": {"kode": "EM"},
            "personidentifikator": [{"foedselsnummer": person.identity_number}],
        },
    )

    assert "postadresse" not in party
    assert Korrespondansepart.objects.get(system_id=party["systemID"]).postadresse == []


def test_a_persons_address_comes_from_the_register_not_the_client(machine):
    person = citizen()
    journalpost = machine.journalpost()

    answer = machine.post(
        machine.href(journalpost, PERSON),
        {
            "korrespondanseparttype": {"kode": "EM"},
            "personidentifikator": [{"foedselsnummer": person.identity_number}],
            "postadresse": {"adresselinje1": "Et annet sted 1", "postnr": "0150", "poststed": "OSLO"},
        },
    )

    assert answer.status_code == 400
    assert "feil" in answer.json()
    assert not Korrespondansepart.objects.exists()


def test_an_organisation_with_a_typed_address(machine):
    journalpost = machine.journalpost()

    party = machine.create(
        journalpost,
        ENHET,
        {
            "korrespondanseparttype": {"kode": "EM"},
            "navn": "Avsender AS",
            "enhetsidentifikator": {"organisasjonsnummer": "914994780"},
            "postadresse": {
                "adresselinje1": "Postboks 1",
                "postnr": "0150",
                "poststed": "OSLO",
                "landkode": "NO",
            },
            "kontaktperson": "Kari",
        },
    )

    assert party["navn"] == "Avsender AS"
    assert party["enhetsidentifikator"] == {"organisasjonsnummer": "914994780"}
    assert party["postadresse"] == {
        "adresselinje1": "Postboks 1",
        "postnr": "0150",
        "poststed": "OSLO",
        "landkode": "NO",
    }
    assert machine.href(party, "self") == machine.href(party, "arkivstruktur/korrespondansepartenhet/")


def test_an_internal_party_names_a_unit_by_its_short_name(machine):
    unit = enhet(organisation(), kortnavn="HEL", navn="Helse")
    journalpost = machine.journalpost(journalposttype={"kode": "N"})

    party = machine.create(
        journalpost, INTERN, {"korrespondanseparttype": {"kode": "IM"}, "administrativEnhet": "HEL"}
    )

    assert party["administrativEnhet"] == "Helse"
    assert party["referanseAdministrativEnhet"] == str(unit.system_id)
    assert machine.href(party, "self") == machine.href(party, "arkivstruktur/korrespondansepartintern/")


def test_an_internal_party_names_a_case_handler_by_user_name_and_then_by_systemid(machine):
    colleague = handler(organisation(), first_name="Ingrid", last_name="Berg")
    journalpost = machine.journalpost(journalposttype={"kode": "N"})

    by_name = machine.create(
        journalpost,
        INTERN,
        {"korrespondanseparttype": {"kode": "IM"}, "saksbehandler": colleague.user.get_username()},
    )
    by_reference = machine.create(
        journalpost,
        INTERN,
        {
            "korrespondanseparttype": {"kode": "IK"},
            "referanseSaksbehandler": by_name["referanseSaksbehandler"],
        },
    )

    assert by_name["saksbehandler"] == by_reference["saksbehandler"] == "Ingrid Berg"
    assert by_name["administrativEnhet"] == colleague.administrativ_enhet.navn
    stored = Korrespondansepart.objects.get(system_id=by_reference["systemID"])
    assert stored.saksbehandler == colleague


def test_another_organisations_case_handler_is_not_found(machine):
    stranger = handler(organisation("974312344", "Velferdsetaten"))
    journalpost = machine.journalpost(journalposttype={"kode": "N"})

    answer = machine.post(
        machine.href(journalpost, INTERN),
        {"korrespondanseparttype": {"kode": "IM"}, "saksbehandler": stranger.user.get_username()},
    )

    assert answer.status_code == 404
    assert not Korrespondansepart.objects.exists()


def test_an_internal_party_cannot_have_an_external_type(machine):
    enhet(organisation(), kortnavn="HEL")
    journalpost = machine.journalpost()

    answer = machine.post(
        machine.href(journalpost, INTERN),
        {"korrespondanseparttype": {"kode": "EM"}, "administrativEnhet": "HEL"},
    )

    assert answer.status_code == 400
    assert not Korrespondansepart.objects.exists()


def test_another_organisations_unit_is_not_found(machine):
    other = enhet(organisation("974312344", "Velferdsetaten"), kortnavn="BV")
    journalpost = machine.journalpost()

    answer = machine.post(
        machine.href(journalpost, INTERN),
        {"korrespondanseparttype": {"kode": "IM"}, "referanseAdministrativEnhet": str(other.system_id)},
    )

    assert answer.status_code == 404
    assert not Korrespondansepart.objects.exists()


def test_the_parties_are_listed_under_the_journal_post_by_type(machine):
    journalpost = machine.journalpost()
    machine.create(journalpost, ENHET, {"korrespondanseparttype": {"kode": "EM"}, "navn": "Avsender AS"})
    machine.create(
        journalpost,
        PERSON,
        {
            "korrespondanseparttype": {"kode": "EK"},
            "personidentifikator": [{"foedselsnummer": citizen().identity_number}],
        },
    )

    listed = machine.follow(journalpost, PARTIES)

    assert listed["count"] == 2
    kinds = [
        sorted(key.removeprefix("https://rel.arkivverket.no/noark5/v5/api/") for key in party["_links"])
        for party in listed["results"]
    ]
    assert all("arkivstruktur/korrespondansepart/" in rels for rels in kinds)
    assert ["arkivstruktur/korrespondansepartenhet/" in rels for rels in kinds] == [True, False]
    assert ["arkivstruktur/korrespondansepartperson/" in rels for rels in kinds] == [False, True]


def test_a_party_is_deleted_while_the_post_is_open(machine):
    party = machine.create(
        machine.journalpost(), ENHET, {"korrespondanseparttype": {"kode": "EM"}, "navn": "Avsender AS"}
    )

    answer = machine.delete(machine.href(party, "self"))

    assert answer.status_code == 204
    assert not Korrespondansepart.objects.exists()


def test_a_finalised_posts_parties_stay_and_no_new_ones_are_offered(machine):
    from saksarkiv.models import Journalpost

    journalpost = machine.journalpost()
    party = machine.create(
        journalpost, ENHET, {"korrespondanseparttype": {"kode": "EM"}, "navn": "Avsender AS"}
    )
    Journalpost.objects.filter(system_id=journalpost["systemID"]).update(journalstatus="F")

    refused = machine.delete(machine.href(party, "self"))
    again = machine.get(machine.href(journalpost, "self")).json()

    assert refused.status_code == 409
    assert "feil" in refused.json()
    assert Korrespondansepart.objects.filter(system_id=party["systemID"]).exists()
    assert "https://rel.arkivverket.no/noark5/v5/api/" + ENHET not in again["_links"]
    assert (
        machine.post(machine.href(journalpost, "self") + "ny-korrespondansepartenhet/", {}).status_code == 403
    )


def test_another_organisations_party_does_not_exist(machine, other_machine):
    party = machine.create(
        machine.journalpost(), ENHET, {"korrespondanseparttype": {"kode": "EM"}, "navn": "Avsender AS"}
    )

    assert other_machine.get(machine.href(party, "self")).status_code == 404
    assert other_machine.delete(machine.href(party, "self")).status_code == 404
    assert (
        other_machine.follow(other_machine.arkivstruktur(), "arkivstruktur/korrespondansepart/")["count"] == 0
    )
    assert Korrespondansepart.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"korrespondanseparttype": {"kode": "EM"}, "personidentifikator": "12345678901"},
        {
            "korrespondanseparttype": {"kode": "EM"},
            "personidentifikator": [{"foedselsnummer": "12345678901"}],
        },
        {
            "korrespondanseparttype": {"kode": "XX"},
            "personidentifikator": [{"foedselsnummer": "12345678901"}],
        },
        {"personidentifikator": [{"foedselsnummer": 12345678901}]},
        {"korrespondanseparttype": {"kode": "EM"}, "personidentifikator": [{"pass": "X"}]},
        [],
    ],
)
def test_a_bad_person_is_refused_with_400(machine, body):
    journalpost = machine.journalpost()

    answer = machine.post(machine.href(journalpost, PERSON), body)

    assert answer.status_code == 400
    assert "feil" in answer.json()
    assert not Korrespondansepart.objects.exists()


def test_how_the_dispatch_went_is_felles_own_metadata_of_the_party(machine):
    party = machine.create(
        machine.journalpost(), ENHET, {"korrespondanseparttype": {"kode": "EM"}, "navn": "Avsender AS"}
    )
    assert "virksomhetsspesifikkeMetadata" not in party
    Korrespondansepart.objects.filter(system_id=party["systemID"]).update(
        ekspedering="feilet", ekspedering_aarsak="Mottakeren er reservert"
    )

    read = machine.get(machine.href(party, "self")).json()

    assert read["virksomhetsspesifikkeMetadata"] == {
        "ekspedering": "feilet",
        "ekspederingAarsak": "Mottakeren er reservert",
    }
