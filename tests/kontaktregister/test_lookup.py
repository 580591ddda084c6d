"""The KRR lookup: the service and POST /api/krr/v1/personer with a Maskinporten token."""

import time

import pytest
from django.utils import timezone

from idporten import keys
from kontaktregister import services
from kontaktregister.models import ContactRecord
from tests.folkeregister.factories import make_person, unique_identity_number

pytestmark = pytest.mark.django_db
ISSUER = "http://testserver"
URL = "/api/krr/v1/personer"


def registered(**fields) -> ContactRecord:
    now = timezone.now()
    values = {
        "mobile": "+4791234567",
        "mobile_updated_at": now,
        "mobile_verified_at": now,
        "email": "kari@example.no",
        "email_updated_at": now,
        "email_verified_at": now,
        **fields,
    }
    return ContactRecord.objects.create(person=make_person(), **values)


def agency_token(scope: str, *, organisation_number="974312344", token_type="maskinporten") -> str:
    now = int(time.time())
    return keys.sign(
        {
            "iss": ISSUER,
            "aud": ISSUER,
            "scope": scope,
            "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{organisation_number}"},
            "token_type": token_type,
            "iat": now,
            "exp": now + 120,
            "jti": "test",
        },
        token_type="at+jwt",
    )


def post(client, numbers, scope="krr:kontaktinformasjon", **kwargs):
    return client.post(
        URL,
        {"personidentifikatorer": numbers},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {agency_token(scope, **kwargs)}",
    )


def test_registered_person_answers_with_contact_details(client):
    record = registered(language="nn")
    answer = post(client, [record.person.identity_number]).json()["personer"][0]
    assert answer["status"] == "AKTIV"
    assert answer["reservasjon"] == "NEI"
    assert answer["spraak"] == "nn"
    assert answer["kontaktinformasjon"]["mobiltelefonnummer"] == "+4791234567"
    assert answer["kontaktinformasjon"]["epostadresse_sist_verifisert"]
    assert "digitalpost" not in answer  # needs its own scope


def test_digital_post_scope_adds_mailbox_and_certificate(client):
    record = registered(
        mailbox_provider="eboks.example", mailbox_address="kari#1234", mailbox_certificate="PEM"
    )
    answer = post(client, [record.person.identity_number], "krr:kontaktinformasjon krr:digitalpost").json()
    person = answer["personer"][0]
    assert person["digitalpost"] == {
        "postkasseadresse": "kari#1234",
        "postkasseleverandoeradresse": "eboks.example",
    }
    assert person["sertifikat"] == "PEM"


def test_unknown_and_deleted_persons_are_answered_without_failing_the_batch(client):
    deleted = registered(status=ContactRecord.Status.DELETED, reserved=True)
    unknown = unique_identity_number()
    people = post(client, [unknown, deleted.person.identity_number]).json()["personer"]
    assert people[0] == {
        "personidentifikator": unknown,
        "status": "IKKE_REGISTRERT",
        "reservasjon": None,
        "spraak": None,
        "kontaktinformasjon": None,
    }
    assert people[1]["status"] == "SLETTET"
    assert people[1]["kontaktinformasjon"]["mobiltelefonnummer"] is None


def test_a_thousand_persons_cost_the_same_queries_as_one(django_assert_num_queries):
    records = [registered() for _ in range(5)]
    numbers = [r.person.identity_number for r in records] + [unique_identity_number() for _ in range(995)]
    with django_assert_num_queries(1):
        contacts = services.lookup(numbers)
    assert len(contacts) == 1000
    with django_assert_num_queries(1):
        services.lookup(numbers[:1])


def test_more_than_a_thousand_numbers_is_refused(client):
    numbers = [unique_identity_number() for _ in range(1001)]
    response = post(client, numbers)
    assert response.status_code == 400


def test_a_malformed_number_fails_the_call(client):
    response = post(client, [unique_identity_number(), "12345678901"])
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_lookup"


def test_missing_scope_is_forbidden(client):
    response = post(client, [unique_identity_number()], scope="krr:digitalpost")
    assert response.status_code == 403


def test_without_a_token_the_lookup_is_refused(client):
    response = client.post(URL, {"personidentifikatorer": ["x"]}, content_type="application/json")
    assert response.status_code == 401


def test_a_citizens_login_token_is_not_an_agency_token(client):
    response = post(client, [unique_identity_number()], token_type="idporten")
    assert response.status_code == 401


def test_every_lookup_is_audited(client):
    from core.models import AuditEvent

    post(client, [unique_identity_number()])
    event = AuditEvent.objects.get(action="kontaktregister.lookup")
    assert event.actor == "974312344" and event.details["persons"] == 1


def test_the_openapi_schema_documents_the_lookup(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/krr/v1/personer" in schema and "personidentifikatorer" in schema
