import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from core.models import AuditEvent
from folkeregister.models import AddressProtection, NumberKind, Person, Status
from tests.folkeregister.factories import make_person, unique_identity_number

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:folkeregister_person_changelist")
ADD = reverse("admin:folkeregister_person_add")
STREET_INPUT = 'name="residential_street"'


def change_url(person: Person) -> str:
    return reverse("admin:folkeregister_person_change", args=[person.pk])


def grant(user, *codenames: str) -> None:
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="folkeregister", codename__in=codenames)
    )


@pytest.fixture
def case_handler_client(client, staff_user):
    """A case handler who may view and change persons, but not see protected addresses."""
    grant(staff_user, "view_person", "change_person")
    client.force_login(staff_user)
    return client


@pytest.fixture
def protected_case_handler_client(client, staff_user):
    grant(staff_user, "view_person", "change_person", "view_protected_address")
    client.force_login(staff_user)
    return client


def listed(response) -> list[Person]:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def form_data(**overrides) -> dict:
    data = {
        "identity_number": unique_identity_number(),
        "given_name": "Ola",
        "middle_name": "",
        "family_name": "Nordmann",
        "status": Status.BOSATT,
        "status_date": "",
        "address_protection": AddressProtection.UGRADERT,
        "residential_street": "Storgata",
        "residential_house_number": "1",
        "residential_house_letter": "",
        "residential_postal_code": "0150",
        "residential_postal_town": "",
        "residential_municipality": "",
        "postal_street": "",
        "postal_house_number": "",
        "postal_house_letter": "",
        "postal_postal_code": "",
        "postal_postal_town": "",
        "postal_municipality": "",
    }
    return {**data, **overrides}


def form_errors(response) -> dict:
    assert response.status_code == 200
    return response.context["adminform"].form.errors


def test_search_by_full_identity_number_finds_the_person(admin_client):
    person = make_person()
    make_person()

    response = admin_client.get(CHANGELIST, {"q": person.identity_number})

    assert listed(response) == [person]


def test_search_by_identity_number_with_a_space_finds_the_person(admin_client):
    person = make_person()

    response = admin_client.get(
        CHANGELIST, {"q": f"{person.identity_number[:6]} {person.identity_number[6:]}"}
    )

    assert listed(response) == [person]


def test_search_by_name_finds_the_person(case_handler_client):
    person = make_person(given_name="Ingrid", family_name="Bakken")
    make_person(given_name="Ingrid", family_name="Hansen")

    response = case_handler_client.get(CHANGELIST, {"q": "ingrid bakken"})

    assert listed(response) == [person]


def test_status_filter_lists_only_that_status(admin_client):
    deceased = make_person(status=Status.DOED)
    make_person(status=Status.BOSATT)

    response = admin_client.get(CHANGELIST, {"status__exact": Status.DOED})

    assert listed(response) == [deceased]


def test_adding_a_person_derives_the_number_fields_and_fills_poststed(admin_client):
    number = unique_identity_number(d_number=True)

    response = admin_client.post(ADD, form_data(identity_number=number))

    assert response.status_code == 302
    person = Person.objects.get()
    assert person.identity_number == number
    assert person.number_kind == NumberKind.D_NUMMER
    assert person.residential_postal_town == "OSLO"
    assert AuditEvent.objects.get().action == "folkeregister.person_registered"


def test_adding_a_person_with_invalid_identity_number_shows_the_error(admin_client):
    valid = unique_identity_number()
    typo = valid[:10] + str((int(valid[10]) + 1) % 10)

    response = admin_client.post(ADD, form_data(identity_number=typo))

    assert form_errors(response)["identity_number"] == ["Kontrollsifrene i fødselsnummeret stemmer ikke."]
    assert not Person.objects.exists()


def test_adding_a_person_with_malformed_postnummer_shows_the_error(admin_client):
    response = admin_client.post(ADD, form_data(residential_postal_code="12a4"))

    assert form_errors(response)["residential_postal_code"] == ["Et postnummer har fire siffer."]
    assert not Person.objects.exists()


def test_adding_a_person_with_unknown_postnummer_shows_the_error(admin_client):
    response = admin_client.post(ADD, form_data(residential_postal_code="0000"))

    assert form_errors(response)["residential_postal_code"] == ["Postnummer 0000 finnes ikke."]
    assert not Person.objects.exists()


def test_strictly_confidential_address_is_hidden_from_case_handler(case_handler_client):
    person = make_person(
        address_protection=AddressProtection.STRENGT_FORTROLIG, residential_street="Hemmeligveien"
    )

    response = case_handler_client.get(change_url(person))

    assert response.status_code == 200
    assert "Hemmeligveien" not in response.content.decode()
    assert "Adressen er skjermet (Strengt fortrolig) og vises ikke." in response.content.decode()


def test_confidential_address_is_shown_read_only_to_case_handler(case_handler_client):
    person = make_person(address_protection=AddressProtection.FORTROLIG, residential_street="Lønnveien")

    response = case_handler_client.get(change_url(person))

    html = response.content.decode()
    assert "Lønnveien" in html
    assert STREET_INPUT not in html


def test_case_handler_cannot_change_a_confidential_address_by_posting_it(case_handler_client):
    person = make_person(address_protection=AddressProtection.FORTROLIG, residential_street="Lønnveien")
    data = form_data(
        identity_number=person.identity_number,
        given_name="Karin",
        address_protection=AddressProtection.UGRADERT,
        residential_street="Nyveien",
    )

    response = case_handler_client.post(change_url(person), data)

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.given_name == "Karin"
    assert person.residential_street == "Lønnveien"
    assert person.address_protection == AddressProtection.FORTROLIG


def test_case_handler_with_permission_can_edit_strictly_confidential_address(protected_case_handler_client):
    person = make_person(
        address_protection=AddressProtection.STRENGT_FORTROLIG, residential_street="Hemmeligveien"
    )

    response = protected_case_handler_client.get(change_url(person))

    html = response.content.decode()
    assert STREET_INPUT in html
    assert "Hemmeligveien" in html


def test_superuser_can_edit_strictly_confidential_address(admin_client):
    person = make_person(address_protection=AddressProtection.STRENGT_FORTROLIG)

    response = admin_client.get(change_url(person))

    assert STREET_INPUT in response.content.decode()


def test_viewing_a_protected_person_without_permission_is_audited_as_denied(case_handler_client, staff_user):
    person = make_person(address_protection=AddressProtection.STRENGT_FORTROLIG)

    case_handler_client.get(change_url(person))

    event = AuditEvent.objects.get()
    assert event.action == "folkeregister.protected_person_viewed"
    assert event.actor_user == staff_user
    assert event.object_id == person.identity_number
    assert event.outcome == AuditEvent.Outcome.DENIED
    assert event.details == {"address_shown": False}


def test_viewing_a_protected_person_with_permission_is_audited(protected_case_handler_client, staff_user):
    person = make_person(address_protection=AddressProtection.FORTROLIG)

    protected_case_handler_client.get(change_url(person))

    event = AuditEvent.objects.get()
    assert event.action == "folkeregister.protected_person_viewed"
    assert event.actor_user == staff_user
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.details == {"address_shown": True}


def test_viewing_an_unprotected_person_is_not_audited(case_handler_client):
    person = make_person()

    response = case_handler_client.get(change_url(person))

    assert response.status_code == 200
    assert not AuditEvent.objects.exists()
