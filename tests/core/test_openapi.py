"""The OpenAPI schema (/api/schema/) tells the truth about the agency APIs: every operation documents the
refusals it can give, request strings and lists carry the bounds the server checks, and the bounds the
schema states (Noark's $top/$skip, the Idempotency-Key header, the signing list's side) are the ones the
server enforces."""

import base64
import json
from pathlib import Path

import pytest

from core.api import IDENTITY_NUMBER_FORMAT
from core.models import AuditEvent
from postkasse.models import Letter
from saksarkiv.models import Saksmappe
from signering.api.views import MAX_PAGE
from signering.models import Signeringsoppdrag
from tests.folkeregister.factories import make_person
from tests.kontaktregister.test_lookup import agency_token
from tests.postkasse.factories import citizen, pdf, providers, sender
from tests.saksarkiv.factories import organisation

pytestmark = pytest.mark.django_db
NOARK = "/api/noark5/v1/arkivstruktur/"
POST = "/api/post/v1/forsendelser"
SIGNING = "/api/signering/v1/oppdrag"
KRR = "/api/krr/v1/personer"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema(client) -> dict:
    return client.get("/api/schema/", HTTP_ACCEPT="application/json").json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def component(schema, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def bearer(scope: str, organisation_number: str = "974312344") -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {agency_token(scope, organisation_number=organisation_number)}"}


# Every operation's refusals.


# The print provider's certificate is public, as a certificate is: anyone may encrypt to it.
PUBLIC = {"GET /rest/v2/printSertifikat", "POST /rest/v2/printSertifikat"}


def test_every_operation_documents_401_and_403_for_its_token(schema):
    for name, operation in operations(schema):
        if name in PUBLIC:
            assert operation["security"] == [{}], name
            continue
        assert operation["security"] == [{"maskinporten": []}], name
        for status in ("401", "403"):
            assert "application/json" in operation["responses"][status]["content"], (name, status)


def test_every_operation_with_a_path_id_documents_404(schema):
    for name, operation in operations(schema):
        if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
            assert "404" in operation["responses"], name


def test_every_operation_with_a_body_documents_400_413_and_415(schema):
    with_body = [(name, operation) for name, operation in operations(schema) if "requestBody" in operation]
    assert len(with_body) >= 10
    for name, operation in with_body:
        assert {"400", "413", "415"} <= set(operation["responses"]), name


def test_every_operation_with_query_or_header_parameters_documents_400(schema):
    for name, operation in operations(schema):
        if any(parameter["in"] in ("query", "header") for parameter in operation.get("parameters", [])):
            assert "400" in operation["responses"], name


def test_a_refused_token_is_documented_in_both_shapes_with_its_challenge(schema):
    unauthorised = schema["paths"][KRR]["post"]["responses"]["401"]
    shapes = unauthorised["content"]["application/json"]["schema"]["anyOf"]
    assert {tuple(sorted(component(schema, shape["$ref"])["required"])) for shape in shapes} == {
        ("code", "detail"),
        ("error", "error_description"),
    }
    assert unauthorised["headers"]["WWW-Authenticate"]["required"] is True


def test_the_apis_share_one_problem_component(schema):
    names = set(schema["components"]["schemas"])
    assert {"Problem", "TokenProblem"} <= names
    assert "SigneringProblem" not in names
    letter = schema["paths"][POST]["post"]["responses"]["400"]["content"]["application/json"]["schema"]
    job = schema["paths"][SIGNING]["post"]["responses"]["400"]["content"]["application/json"]["schema"]
    assert letter == job == {"$ref": "#/components/schemas/Problem"}


def test_an_answer_without_a_token_is_what_the_schema_documents(client, schema):
    response = client.post(KRR, {"personidentifikatorer": []}, content_type="application/json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert {"code", "detail"} <= set(response.json())


# The KRR lookup takes JSON only.


def test_the_krr_lookup_documents_json_as_its_only_body(schema):
    assert set(schema["paths"][KRR]["post"]["requestBody"]["content"]) == {"application/json"}


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
)
def test_a_form_body_to_the_krr_lookup_is_415_and_nothing_is_looked_up(client, content_type):
    response = client.post(
        KRR,
        "personidentifikatorer=01010112345",
        content_type=content_type,
        **bearer("krr:kontaktinformasjon"),
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not AuditEvent.objects.filter(action="kontaktregister.lookup").exists()


# Request bodies carry the bounds the server checks.


def request_components(schema):
    for name, body in schema["components"]["schemas"].items():
        if name.endswith("Request") or name.startswith("Patched"):
            yield name, body


def test_every_required_request_string_has_min_length_1(schema):
    checked = 0
    for name, body in request_components(schema):
        for field in body.get("required", []):
            prop = body["properties"][field]
            if prop.get("type") == "string" and "enum" not in prop and prop.get("format") != "binary":
                assert prop.get("minLength", 0) >= 1, f"{name}.{field}"
                if "format" not in prop:
                    assert prop.get("pattern") == r"\S", f"{name}.{field}"
                checked += 1
    assert checked >= 8  # tittel, mottaker, filnavn, signerer, Noark's titles and screening ...


def test_a_letter_documents_its_documents_and_reminders_bounds(schema):
    letter = schema["components"]["schemas"]["NyForsendelseRequest"]["properties"]
    assert (letter["dokumenter"]["minItems"], letter["dokumenter"]["maxItems"]) == (1, 20)
    reminders = schema["components"]["schemas"]["VarslingRequest"]["properties"]["paaminnelse_etter_dager"]
    assert reminders["maxItems"] == 3
    assert (reminders["items"]["minimum"], reminders["items"]["maximum"]) == (1, 60)


def test_a_noark_change_documents_that_other_fields_are_refused(schema):
    change = schema["paths"][f"{NOARK}saksmappe/{{system_id}}"]["patch"]["requestBody"]["content"]
    body = component(schema, change["application/json"]["schema"]["$ref"])
    assert body["additionalProperties"] is False


def test_path_integers_are_documented_as_not_negative(schema):
    feed = schema["paths"]["/api/post/v1/kvitteringer/{receipt_id}/bekreft"]["post"]["parameters"]
    assert feed[0]["schema"] == {"type": "integer", "minimum": 0}


# Noark's $top and $skip.


@pytest.mark.parametrize("path", [f"{NOARK}saksmappe", f"{NOARK}journalpost"])
def test_noark_lists_document_the_bounds_of_top_and_skip(schema, path):
    parameters = {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}
    assert parameters["$top"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert parameters["$skip"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}


@pytest.mark.parametrize(
    "query",
    [
        "$top=0",
        "$top=101",
        "$top=-1",
        "$skip=-1",
        f"$skip={2**31}",
        "$top=1.5",
        "$skip=null",
        "$top=",
        "$skip=",
        "$skip=" + "9" * 5000,  # more digits than int() takes: a ValueError, once a 500
    ],
)
def test_noark_refuses_top_and_skip_outside_the_documented_bounds(client, query):
    organisation()
    response = client.get(f"{NOARK}saksmappe?{query}", **bearer("noark5:arkiv.les", "965302026"))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_parameter"


@pytest.mark.parametrize("query", ["$top=1", "$top=100", "$skip=0", f"$skip={2**31 - 1}"])
def test_noark_takes_top_and_skip_at_the_documented_bounds(client, query):
    organisation()
    response = client.get(f"{NOARK}journalpost?{query}", **bearer("noark5:arkiv.les", "965302026"))
    assert response.status_code == 200
    assert response.json()["results"] == []


# The post API's Idempotency-Key.


def test_the_idempotency_key_is_documented_as_required_with_its_bounds(schema):
    (header,) = [p for p in schema["paths"][POST]["post"]["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key" and header["required"] is True
    assert header["schema"] == {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^\S(.*\S)?$"}


@pytest.fixture
def letter(settings, tmp_path):
    sender()
    person = citizen(mailbox_provider=providers(settings, tmp_path)[0])
    document = {"filnavn": "vedtak.pdf", "innhold": base64.b64encode(pdf()).decode()}
    return json.dumps({"mottaker": person.identity_number, "tittel": "Vedtak", "dokumenter": [document]})


def send(client, body, key):
    return client.post(
        POST,
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **bearer("digitalpostinnbygger:send"),
    )


@pytest.mark.parametrize("key", [" key", "key ", "x" * 101])
def test_a_key_the_schema_refuses_is_refused_and_nothing_is_sent(client, letter, key):
    response = send(client, letter, key)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"
    assert not Letter.objects.exists()


@pytest.mark.parametrize("key", ["k", "x" * 100, "brev 2026/12-3"])
def test_a_key_within_the_documented_bounds_is_taken(client, letter, key):
    response = send(client, letter, key)
    assert response.status_code == 201, response.json()
    assert Letter.objects.get().idempotency_key == key


# The signing list's page.


def test_the_signing_list_documents_the_bounds_of_its_page(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"][SIGNING]["get"]["parameters"]}
    assert parameters["side"] == {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}


@pytest.mark.parametrize(
    "query",
    ["side=0", "side=null", "side=-1", "side=1.5", f"side={MAX_PAGE + 1}", "status=", "side=" + "9" * 5000],
)
def test_the_signing_list_refuses_a_page_or_status_outside_the_schema(client, query):
    sender()
    response = client.get(f"{SIGNING}?{query}", **bearer("signering:oppdrag"))
    assert response.status_code == 400
    assert response.json()["code"] in ("invalid_parameter", "invalid_status")


def test_the_signing_list_takes_a_page_within_the_schema(client):
    sender()
    response = client.get(f"{SIGNING}?side={MAX_PAGE}", **bearer("signering:oppdrag"))
    assert response.status_code == 200
    assert response.json() == {"oppdrag": [], "neste": None}


# Strings are strings: DRF's CharField would take 0 and store "0", where the schema says string.


def test_a_number_for_a_noark_string_is_refused_and_nothing_is_stored(client):
    organisation()
    screening = {"tilgangsrestriksjon": "13", "skjermingshjemmel": 13, "skjermingMetadata": ["tittel"]}
    for body in ({"tittel": 2026}, {"tittel": "Søknad", "skjerming": screening}):
        response = client.post(
            f"{NOARK}saksmappe",
            body,
            content_type="application/json",
            **bearer("noark5:arkiv.skriv", "965302026"),
        )
        assert response.status_code == 400, body
        assert response.json()["code"] == "invalid_input"
    assert not Saksmappe.objects.exists()


def test_a_number_for_a_letter_title_is_refused_and_nothing_is_sent(client, letter):
    response = send(client, letter.replace('"tittel": "Vedtak"', '"tittel": 12'), "key-1")
    assert response.status_code == 400
    assert "tittel" in response.json()["field_errors"]
    assert not Letter.objects.exists()


def test_a_number_for_a_signing_title_is_refused_and_nothing_is_stored(client):
    sender()
    body = {"tittel": 12, "signerer": make_person().identity_number, "tekst": "Jeg godtar vilkårene."}
    response = client.post(SIGNING, body, content_type="application/json", **bearer("signering:oppdrag"))
    assert response.status_code == 400
    assert "tittel" in response.json()["field_errors"]
    assert not Signeringsoppdrag.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [
        {"utskrift": {"farge": "true"}},
        {"varsling": {"sms": 1}},
        {"aapningskvittering": "yes"},
        {"varsling": {"paaminnelse_etter_dager": ["7"]}},
        {"varsling": {"paaminnelse_etter_dager": [7.0]}},
        {"sikkerhetsnivaa": "4"},
    ],
)
def test_a_letter_field_of_another_json_type_than_documented_is_refused(client, letter, extra):
    response = send(client, json.dumps({**json.loads(letter), **extra}), "key-1")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid_letter"
    assert not Letter.objects.exists()


def test_identity_numbers_are_documented_with_their_format(schema):
    components = schema["components"]["schemas"]
    assert components["NyForsendelseRequest"]["properties"]["mottaker"]["format"] == IDENTITY_NUMBER_FORMAT
    assert components["NyttOppdragRequest"]["properties"]["signerer"]["format"] == IDENTITY_NUMBER_FORMAT
    lookup = components["LookupRequestRequest"]["properties"]["personidentifikatorer"]["items"]
    assert lookup["format"] == IDENTITY_NUMBER_FORMAT
    # Schemathesis' hooks generate valid numbers for the same format.
    hooks = (Path(__file__).parent / "schemathesis_hooks.py").read_text()
    assert f'IDENTITY_NUMBER_FORMAT = "{IDENTITY_NUMBER_FORMAT}"' in hooks


@pytest.mark.parametrize("value", ["20260131", "2026-W05-1", "2026-1-31", "31.01.2026"])
def test_noark_refuses_a_date_filter_that_is_not_the_documented_date(client, schema, value):
    organisation()
    parameters = {p["name"]: p["schema"] for p in schema["paths"][f"{NOARK}journalpost"]["get"]["parameters"]}
    assert parameters["fraDato"] == {"type": "string", "format": "date"}
    response = client.get(f"{NOARK}journalpost?fraDato={value}", **bearer("noark5:arkiv.les", "965302026"))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_parameter"


def test_noark_takes_the_documented_date(client):
    organisation()
    response = client.get(f"{NOARK}journalpost?fraDato=2026-01-31", **bearer("noark5:arkiv.les", "965302026"))
    assert response.status_code == 200


def test_no_request_default_breaks_its_own_bounds(schema):
    for name, body in request_components(schema):
        for field, prop in body.get("properties", {}).items():
            if isinstance(prop.get("default"), str):
                assert len(prop["default"]) >= prop.get("minLength", 0), f"{name}.{field}"
