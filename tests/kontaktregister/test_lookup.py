"""Oppslagstjenesten: /rest/v1/personer, /rest/v2/personer, the old /api/krr/v1/personer and
/rest/v2/printSertifikat, with a Maskinporten token, every answer held to the JSON Schema."""

import base64
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from cryptography import x509
from django.utils import timezone
from jose import jwk, jws

from core.models import AuditEvent
from kontaktregister import services
from kontaktregister.models import ContactRecord
from postkasse import crypto
from postkasse.services import keys
from tests.folkeregister.factories import unique_identity_number
from tests.kontaktregister.factories import (
    CONTACT,
    DIGITAL_POST,
    agency_token,
    citizen_token,
    registered,
    valid,
)

pytestmark = pytest.mark.django_db
V1, V2, OLD, PRINT = (
    "/rest/v1/personer",
    "/rest/v2/personer",
    "/api/krr/v1/personer",
    "/rest/v2/printSertifikat",
)


def post(client, numbers, scope=CONTACT, url=V2, accept="application/json", **body):
    return client.post(
        url,
        orjson.dumps({"personidentifikatorer": numbers, **body}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {agency_token(scope)}",
        HTTP_ACCEPT=accept,
    )


def people(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return valid(response.json())["personer"]


def test_contact_scope_answers_every_contact_field_in_krr_format(client):
    record = registered(language="nn", language_updated_at=timezone.now())
    [person] = people(post(client, [record.person.identity_number]))
    assert person["personidentifikator"] == record.person.identity_number
    assert person["status"] == "AKTIV" and person["reservasjon"] == "NEI"
    assert person["varslingsstatus"] == "KAN_VARSLES"
    assert person["spraak"] == "nn"
    details = person["kontaktinformasjon"]
    assert details["mobiltelefonnummer"] == "+4791234567" and details["epostadresse"] == "kari@example.no"
    for moment in (
        details["epostadresse_oppdatert"],
        details["epostadresse_sist_verifisert"],
        details["mobiltelefonnummer_oppdatert"],
        details["mobiltelefonnummer_sist_verifisert"],
        person["spraak_oppdatert"],
    ):
        assert moment[-3:] in ("+01", "+02") and len(moment) == 22  # 2023-06-29T10:14:52+02
    assert "digital_post" not in person and "sertifikat" not in person


def test_moments_are_norwegian_time_with_the_hour_offset(client):
    summer, winter = (
        datetime(2024, 6, 29, 8, 14, 52, tzinfo=UTC),
        datetime(2024, 1, 29, 8, 14, 52, tzinfo=UTC),
    )
    record = registered(email_updated_at=summer, mobile_updated_at=winter)
    [person] = people(post(client, [record.person.identity_number]))
    assert person["kontaktinformasjon"]["epostadresse_oppdatert"] == "2024-06-29T10:14:52+02"
    assert person["kontaktinformasjon"]["mobiltelefonnummer_oppdatert"] == "2024-01-29T09:14:52+01"
    assert services.krr_moment(winter) == "2024-01-29T09:14:52+01"


def test_absent_fields_are_left_out_never_null(client):
    record = registered(email="", email_updated_at=None, email_verified_at=None, mobile_updated_at=None)
    raw = post(client, [record.person.identity_number], f"{CONTACT} {DIGITAL_POST}").content
    assert b"null" not in raw
    [person] = people_from(raw)
    assert person["kontaktinformasjon"] == {
        "mobiltelefonnummer": "+4791234567",
        "mobiltelefonnummer_sist_verifisert": person["kontaktinformasjon"][
            "mobiltelefonnummer_sist_verifisert"
        ],
    }
    assert "digital_post" not in person and "sertifikat" not in person and "spraak_oppdatert" not in person


def people_from(raw: bytes) -> list[dict]:
    return valid(orjson.loads(raw))["personer"]


def test_digital_post_scope_gives_mailbox_and_certificate_as_base64_der(client):
    pem = crypto.make_provider_certificate("Posthylla", "921000006")[0].decode()
    record = registered(
        mailbox_provider="921000006", mailbox_address="kari.nordmann#1A2B", mailbox_certificate=pem
    )
    [person] = people(post(client, [record.person.identity_number], DIGITAL_POST))
    assert person["digital_post"] == {
        "postkasseadresse": "kari.nordmann#1A2B",
        "postkasseleverandoeradresse": "921000006",
    }
    der = base64.b64decode(person["sertifikat"], validate=True)
    assert x509.load_der_x509_certificate(der) == x509.load_pem_x509_certificate(pem.encode())
    # Without the contact scope: the reservation, but no contact details, notice status or language.
    assert person["reservasjon"] == "NEI"
    assert not {"kontaktinformasjon", "varslingsstatus", "spraak"} & set(person)


def test_a_mailbox_address_without_its_provider_is_left_out_never_null(client):
    record = registered(mailbox_provider="", mailbox_address="kari.nordmann#1A2B")
    [person] = people(post(client, [record.person.identity_number], DIGITAL_POST))
    assert "digital_post" not in person and "sertifikat" not in person


def test_old_scope_names_are_accepted_as_aliases(client):
    record = registered()
    [person] = people(post(client, [record.person.identity_number], "krr:kontaktinformasjon"))
    assert person["kontaktinformasjon"]["mobiltelefonnummer"] == "+4791234567"


def test_reserved_person_cannot_be_notified_and_says_when_they_reserved(client):
    record = registered(reserved=True, reserved_changed_at=timezone.now())
    [person] = people(post(client, [record.person.identity_number]))
    assert person["reservasjon"] == "JA" and person["varslingsstatus"] == "KAN_IKKE_VARSLES"
    assert person["reservasjonstidspunkt"] == person["reservasjon_oppdatert"]
    assert person["kontaktinformasjon"]["mobiltelefonnummer"]  # still given, as Digdir's test users show


def test_contact_details_older_than_18_months_cannot_be_notified_but_are_still_given(client, settings):
    old = timezone.now() - timedelta(days=settings.KRR_CONFIRM_AFTER_DAYS + 1)
    stale = registered(mobile_verified_at=old)
    fresh = registered(
        mobile_verified_at=timezone.now() - timedelta(days=settings.KRR_CONFIRM_AFTER_DAYS - 1)
    )
    answer = people(post(client, [stale.person.identity_number, fresh.person.identity_number]))
    assert [p["varslingsstatus"] for p in answer] == ["KAN_IKKE_VARSLES", "KAN_VARSLES"]
    assert answer[0]["kontaktinformasjon"]["mobiltelefonnummer"] == "+4791234567"


def test_person_with_nothing_registered_cannot_be_notified(client):
    record = registered(mobile="", email="")
    [person] = people(post(client, [record.person.identity_number]))
    assert person["varslingsstatus"] == "KAN_IKKE_VARSLES" and "kontaktinformasjon" not in person


def test_deleted_person_answers_status_only(client):
    record = registered(status=ContactRecord.Status.DELETED, reserved=True)
    [person] = people(post(client, [record.person.identity_number], f"{CONTACT} {DIGITAL_POST}"))
    assert person == {
        "personidentifikator": record.person.identity_number,
        "status": "SLETTET",
        "varslingsstatus": "KAN_IKKE_VARSLES",
    }


def test_v2_leaves_unknown_numbers_out_unless_asked_to_include_them(client):
    record = registered()
    unknown = unique_identity_number()
    numbers = [unknown, record.person.identity_number]
    assert [p["personidentifikator"] for p in people(post(client, numbers))] == [
        record.person.identity_number
    ]
    included = people(post(client, numbers, inkluderIkkeRegistrerte=True))
    assert included[0] == {
        "personidentifikator": unknown,
        "status": "IKKE_REGISTRERT",
        "varslingsstatus": "KAN_IKKE_VARSLES",
    }
    assert len(people(post(client, numbers, inkluderIkkeRegistrerte=False))) == 1


def test_v1_and_the_old_path_answer_every_number_and_the_same(client):
    record = registered()
    numbers = [unique_identity_number(), record.person.identity_number]
    v1 = people(post(client, numbers, url=V1))
    assert [p["status"] for p in v1] == ["IKKE_REGISTRERT", "AKTIV"]
    assert people(post(client, numbers, url=OLD)) == v1
    assert people(post(client, numbers, inkluderIkkeRegistrerte=True)) == v1


def test_a_thousand_numbers_in_one_query(client, django_assert_num_queries):
    records = [registered() for _ in range(5)]
    numbers = [r.person.identity_number for r in records] + [unique_identity_number() for _ in range(995)]
    with django_assert_num_queries(1):
        contacts = services.lookup(numbers)
    assert len(contacts) == 1000
    answer = people(post(client, numbers, inkluderIkkeRegistrerte=True))
    assert len(answer) == 1000 and [p["personidentifikator"] for p in answer] == numbers


def test_signed_answer_is_a_jws_that_verifies_against_the_jwks_and_holds_the_same_json(client):
    record = registered()
    numbers = [record.person.identity_number]
    plain = post(client, numbers).json()
    signed = post(client, numbers, accept="application/jose")
    assert signed.status_code == 200 and signed["Content-Type"] == "application/jose"
    token = signed.content.decode()
    header = jws.get_unverified_header(token)
    for jwks_url in ("/maskinporten/jwk", "/idporten/jwks"):
        jwks = client.get(jwks_url).json()
        key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
        payload = jws.verify(token, jwk.construct(key, header["alg"]), algorithms=[header["alg"]])
        assert valid(orjson.loads(payload)) == plain


def test_the_form_of_the_answer_follows_the_accept_header_alone(client):
    record = registered()
    for url in (f"{V2}?format=AAA", f"{V2}?format=jose", f"{V1}?format=json"):
        response = post(client, [record.person.identity_number], url=url)
        assert response.status_code == 200 and response["Content-Type"] == "application/json", url
    assert client.get(f"{PRINT}?format=AAA").status_code == 200


def test_a_refusal_is_plain_json_even_when_jose_was_asked_for(client):
    response = post(client, ["12345678901"], accept="application/jose")
    assert response.status_code == 400 and response.json()["code"] == "invalid_lookup"


def test_an_invalid_number_among_a_thousand_fails_the_call_and_names_it(client):
    numbers = [unique_identity_number() for _ in range(999)] + ["12345678901"]
    response = post(client, numbers)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_lookup" and "12345678901" in response.json()["detail"]
    assert not AuditEvent.objects.filter(action="kontaktregister.lookup").exists()


def test_inkluder_ikke_registrerte_is_a_boolean_or_absent_never_null(client):
    record = registered()
    for value in (None, "true", 1):
        response = post(client, [record.person.identity_number], inkluderIkkeRegistrerte=value)
        assert response.status_code == 400 and response.json()["code"] == "invalid_lookup", value


@pytest.mark.parametrize(
    "body",
    [
        {"personidentifikatorer": "12345678901"},
        {"personidentifikatorer": {"a": 1}},
        {"personidentifikatorer": []},
        {"personidentifikatorer": None},
        {"personidentifikatorer": [None]},
        {"personidentifikatorer": [12345678901]},
        {"personidentifikatorer": [[["x"]]]},
        {},
        [],
        "x",
        12,
        None,
        {"personidentifikatorer": ["01010112345"], "inkluderIkkeRegistrerte": "ja"},
    ],
)
def test_hostile_bodies_are_refused_with_400(client, body):
    for url in (V1, V2, OLD):
        response = client.post(
            url,
            orjson.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {agency_token(CONTACT)}",
        )
        assert response.status_code == 400, (url, body, response.content)


def test_more_than_a_thousand_numbers_is_refused(client):
    response = post(client, [unique_identity_number() for _ in range(1001)])
    assert response.status_code == 400 and "1001" in response.json()["detail"]


def test_json_nested_100000_deep_is_refused_not_a_500(client):
    body = b'{"personidentifikatorer":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.post(
        V2, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {agency_token(CONTACT)}"
    )
    assert response.status_code == 400


def test_a_form_body_is_refused(client):
    response = client.post(
        V2, {"personidentifikatorer": "x"}, HTTP_AUTHORIZATION=f"Bearer {agency_token(CONTACT)}"
    )
    assert response.status_code == 415


def test_a_token_with_neither_krr_scope_is_forbidden(client):
    response = post(client, [unique_identity_number()], scope="digitalpostinnbygger:send")
    assert response.status_code == 403


def test_without_a_token_the_lookup_is_refused(client):
    response = client.post(V2, {"personidentifikatorer": ["x"]}, content_type="application/json")
    assert response.status_code == 401


def test_a_citizens_login_token_is_not_an_agency_token(client):
    response = client.post(
        V2,
        {"personidentifikatorer": [unique_identity_number()]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {citizen_token(CONTACT)}",
    )
    assert response.status_code == 401


def test_every_lookup_is_audited(client):
    post(client, [unique_identity_number()])
    event = AuditEvent.objects.get(action="kontaktregister.lookup")
    assert event.actor == "974312344" and event.details["persons"] == 0


def test_print_certificate_is_the_print_channels_certificate_and_address(client, settings):
    for response in (client.get(PRINT), client.post(PRINT)):
        answer = valid(response.json())
        assert answer["postkasseleverandoerAdresse"] == settings.FELLES_OPERATOR["organisasjonsnummer"]
        certificate = x509.load_pem_x509_certificate(answer["x509Sertifikat"].encode())
        assert certificate == x509.load_pem_x509_certificate(keys.intake_pair()[0])


def test_the_openapi_schema_documents_the_real_paths(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (V1, V2, OLD, PRINT):
        assert path in schema
    assert "inkluderIkkeRegistrerte" in schema and "digital_post" in schema
