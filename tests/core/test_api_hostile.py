"""Hostile requests against every agency API (KRR, digital post, Noark 5, signing): deep JSON, bodies
too large, too many fields, ids that are not UUIDs, wrong content types and methods, NUL bytes, and
hostile PDFs. Each answers a problem in the API's own format, never Django's HTML page or a 500."""

import base64
import json
import uuid

import pytest

from postkasse.models import Letter
from saksarkiv.models import Dokumentobjekt, Saksmappe
from signering.models import Signeringsoppdrag
from tests.core import hostile_pdfs
from tests.folkeregister.factories import make_person
from tests.kontaktregister.test_lookup import agency_token
from tests.postkasse.factories import citizen, pdf, providers, sender
from tests.saksarkiv.factories import organisation as archive_organisation
from tests.signering.factories import organisation as signing_organisation

pytestmark = pytest.mark.django_db

KRR = "/api/krr/v1/personer"
POST = "/api/post/v1/forsendelser"
NOARK = "/api/noark5/v1/arkivstruktur/saksmappe"
SIGNING = "/api/signering/v1/oppdrag"
AGENCY = "974312344"
MUNICIPALITY = "965302026"
SCOPES = {
    KRR: ("krr:kontaktinformasjon", AGENCY),
    POST: ("digitalpostinnbygger:send", AGENCY),
    NOARK: ("noark5:arkiv.les noark5:arkiv.skriv", MUNICIPALITY),
    SIGNING: ("signering:oppdrag", AGENCY),
}
APIS = list(SCOPES)


@pytest.fixture(autouse=True)
def organisations(settings, tmp_path):
    sender()
    archive_organisation()
    signing_organisation()
    return providers(settings, tmp_path)


@pytest.fixture
def person(organisations):
    return citizen(mailbox_provider=organisations[0])


def auth(url: str) -> dict:
    scope, number = next(SCOPES[api] for api in APIS if url.startswith(api.rsplit("/", 1)[0]))
    return {
        "HTTP_AUTHORIZATION": f"Bearer {agency_token(scope, organisation_number=number)}",
        "HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4()),
    }


def send(client, url, body, content_type="application/json", **extra):
    return client.post(url, body, content_type=content_type, **auth(url), **extra)


def assert_problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    problem = response.json()
    assert set(problem) >= {"code", "detail"}, problem
    assert isinstance(problem["detail"], str) and problem["detail"]
    if code:
        assert problem["code"] == code, problem
    return problem


def nothing_stored():
    return not (Letter.objects.exists() or Saksmappe.objects.exists() or Signeringsoppdrag.objects.exists())


# Deep JSON


@pytest.mark.parametrize("url", APIS)
def test_json_nested_100000_deep_is_a_400_problem(client, url):
    deep = "[" * 100_000 + "]" * 100_000
    assert_problem(send(client, url, deep), 400)
    assert nothing_stored()


@pytest.mark.parametrize("url", APIS)
def test_an_object_nested_100000_deep_is_a_400_problem(client, url):
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    assert_problem(send(client, url, deep), 400)


# Sizes and counts


@pytest.mark.parametrize("url", [KRR, NOARK])
def test_a_json_body_beyond_the_limit_is_a_413_problem(client, url):
    big = json.dumps({"tittel": "x" * (3 * 1024 * 1024)})
    assert_problem(send(client, url, big), 413)
    assert nothing_stored()


@pytest.mark.parametrize("url", APIS)
def test_more_than_1000_query_parameters_are_a_400_problem(client, url):
    query = "&".join(f"p{n}=1" for n in range(1100))
    response = client.get(f"{url}?{query}", **auth(url))
    assert response.status_code in (400, 405)
    assert_problem(response, response.status_code)


def test_more_than_1000_form_fields_in_an_upload_are_a_400_problem(client):
    journalpost = _journalpost(client)
    fields = {f"felt{n}": "1" for n in range(1100)}
    fields["fil"] = _upload_file("vedtak.pdf", pdf())
    response = client.post(
        f"/api/noark5/v1/arkivstruktur/journalpost/{journalpost}/dokumentbeskrivelse", fields, **auth(NOARK)
    )
    assert_problem(response, 400)
    assert not Dokumentobjekt.objects.exists()


# Paths, methods and content types


@pytest.mark.parametrize(
    "path",
    [
        "/api/post/v1/forsendelser/not-a-uuid",
        "/api/signering/v1/oppdrag/123",
        "/api/noark5/v1/arkivstruktur/saksmappe/1%27%20OR%201=1",
        "/api/noark5/v1/arkivstruktur/journalpost/ikke-en-uuid/dokumentbeskrivelse",
        "/api/krr/v1/finnes-ikke",
        "/api/finnes-ikke",
    ],
)
def test_an_unknown_path_or_an_id_that_is_not_a_uuid_is_a_json_404(client, path):
    assert_problem(client.get(path, HTTP_AUTHORIZATION=auth(POST)["HTTP_AUTHORIZATION"]), 404, "not_found")


def test_pages_outside_the_api_keep_the_html_404(client):
    response = client.get("/finnes-ikke/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("url", APIS)
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_a_wrong_content_type_is_a_415_problem(client, url, content_type):
    problem = assert_problem(send(client, url, "a=1", content_type=content_type), 415)
    assert problem["code"] == "unsupported_media_type"
    assert nothing_stored()


@pytest.mark.parametrize("url", APIS)
def test_a_method_not_allowed_is_a_405_problem(client, url):
    assert_problem(client.delete(url, **auth(url)), 405, "method_not_allowed")


@pytest.mark.parametrize("url", APIS)
def test_without_a_token_the_answer_is_json(client, url):
    response = client.post(url, "{}", content_type="application/json")
    assert response.status_code == 401 and response.json()["detail"]


# NUL bytes


def test_a_nul_byte_in_a_letter_is_a_400_problem(client, person, english):
    body = _letter(person, tittel="Vedtak\u0000")
    problem = assert_problem(send(client, POST, json.dumps(body)), 400, "nul_character")
    assert "NUL" in problem["detail"]
    assert nothing_stored()


@pytest.mark.parametrize("field", ["filnavn", "tittel"], ids=["file-name", "document-title"])
def test_a_nul_byte_in_a_document_field_is_a_400_problem(client, person, field):
    body = _letter(person)
    body["dokumenter"][0][field] = "vedtak\u0000.pdf"
    assert_problem(send(client, POST, json.dumps(body)), 400)
    assert nothing_stored()


def test_a_nul_byte_in_an_object_key_is_a_400_problem(client, person):
    body = _letter(person)
    body["ekstra\u0000"] = 1
    assert_problem(send(client, POST, json.dumps(body)), 400)
    assert nothing_stored()


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (KRR, {"personidentifikatorer": ["0101\u000099999"]}),
        (NOARK, {"tittel": "Søknad\u0000"}),
        (
            NOARK,
            {
                "tittel": "Søknad",
                "skjerming": {
                    "tilgangsrestriksjon": "13\u0000",
                    "skjermingshjemmel": "x",
                    "skjermingMetadata": [],
                },
            },
        ),
        (SIGNING, {"tittel": "Avtale", "signerer": "01010199999", "tekst": "Jeg signerer\u0000"}),
        (
            SIGNING,
            {
                "tittel": "Avtale",
                "signerer": "01010199999",
                "tekst": "Jeg",
                "returadresse": "https://x.no/\u0000",
            },
        ),
    ],
)
def test_a_nul_byte_anywhere_in_an_api_body_is_a_400_problem(client, url, body):
    assert_problem(send(client, url, json.dumps(body)), 400)
    assert nothing_stored()


def test_a_nul_byte_in_the_content_disposition_file_name_is_a_400_problem(client):
    journalpost = _journalpost(client)
    response = client.post(
        f"/api/noark5/v1/arkivstruktur/journalpost/{journalpost}/dokumentbeskrivelse",
        pdf(),
        content_type="application/pdf",
        HTTP_CONTENT_DISPOSITION='attachment; filename="vedtak\x00.pdf"',
        **auth(NOARK),
    )
    assert_problem(response, 400)
    assert not Dokumentobjekt.objects.exists()


def test_a_nul_byte_in_a_multipart_file_name_never_reaches_the_database(client):
    # Django's multipart parser drops non-printable characters from file names before any view runs.
    journalpost = _journalpost(client)
    response = client.post(
        f"/api/noark5/v1/arkivstruktur/journalpost/{journalpost}/dokumentbeskrivelse",
        {"fil": _upload_file("vedtak\x00.pdf", pdf()), "tittel": "Vedtak"},
        **auth(NOARK),
    )
    assert response.status_code == 201
    assert Dokumentobjekt.objects.get().filnavn == "vedtak.pdf"


def test_a_nul_byte_in_a_query_parameter_is_a_400_problem_or_ignored(client):
    response = client.get(f"{NOARK}?saksstatus=B%00", **auth(NOARK))
    assert_problem(response, 400)


# Hostile PDFs through each API that takes documents


HOSTILE = {
    "page-tree-bomb": (hostile_pdfs.page_tree_bomb, "2000"),
    "javascript": (hostile_pdfs.with_javascript, "JavaScript"),
    "launch": (hostile_pdfs.with_launch_action, "program"),
    "embedded-file": (hostile_pdfs.with_embedded_file, "embedded"),
}


@pytest.fixture
def english(settings):
    # The reasons are asserted in English, whatever the translations say.
    settings.LANGUAGE_CODE = "en"


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_pdf_letter_is_a_400_problem(client, person, english, kind):
    make, why = HOSTILE[kind]
    body = _letter(person)
    body["dokumenter"][0]["innhold"] = base64.b64encode(make()).decode()
    problem = assert_problem(send(client, POST, json.dumps(body)), 400)
    assert why in problem["detail"] and "vedtak.pdf" in problem["detail"]
    assert nothing_stored()


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_pdf_to_sign_is_a_400_problem(client, english, kind):
    make, why = HOSTILE[kind]
    body = {
        "tittel": "Leiekontrakt",
        "signerer": make_person().identity_number,
        "pdf": base64.b64encode(make()).decode(),
    }
    problem = assert_problem(send(client, SIGNING, json.dumps(body)), 400)
    assert why in problem["detail"]
    assert nothing_stored()


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_pdf_into_the_archive_is_a_400_problem(client, english, kind):
    make, why = HOSTILE[kind]
    journalpost = _journalpost(client)
    response = client.post(
        f"/api/noark5/v1/arkivstruktur/journalpost/{journalpost}/dokumentbeskrivelse",
        make(),
        content_type="application/pdf",
        HTTP_CONTENT_DISPOSITION='attachment; filename="vedtak.pdf"',
        **auth(NOARK),
    )
    problem = assert_problem(response, 400)
    assert why in problem["detail"]
    assert not Dokumentobjekt.objects.exists()


# The documented letter size


def test_a_25_mb_letter_is_accepted(client, person, settings):
    halves = [hostile_pdfs.large_pdf(12.5), hostile_pdfs.large_pdf(12.4)]
    assert sum(map(len, halves)) > 25 * 1000 * 1000
    body = _letter(person)
    body["dokumenter"] = [
        {"tittel": f"Del {n}", "filnavn": f"del{n}.pdf", "innhold": base64.b64encode(half).decode()}
        for n, half in enumerate(halves, start=1)
    ]
    response = send(client, POST, json.dumps(body))
    assert response.status_code == 201, response.content[:500]
    letter = Letter.objects.get()
    assert letter.documents.count() == 2


def test_a_letter_over_30_mb_is_a_413_problem(client, person):
    body = _letter(person)
    body["dokumenter"][0]["innhold"] = "A" * (42 * 1024 * 1024)
    assert_problem(send(client, POST, json.dumps(body)), 413, "letter_too_large")
    assert nothing_stored()


# Helpers


def _letter(person, **fields) -> dict:
    return {
        "mottaker": person.identity_number,
        "tittel": "Vedtak",
        "dokumenter": [
            {"tittel": "Vedtak", "filnavn": "vedtak.pdf", "innhold": base64.b64encode(pdf()).decode()}
        ],
        **fields,
    }


def _journalpost(client) -> str:
    case = send(client, NOARK, json.dumps({"tittel": "Søknad om bostøtte"}))
    assert case.status_code == 201, case.content
    answer = send(
        client,
        f"{NOARK}/{case.json()['systemID']}/journalpost",
        json.dumps({"journalposttype": "U", "tittel": "Vedtak"}),
    )
    assert answer.status_code == 201, answer.content
    return answer.json()["systemID"]


def _upload_file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_nul_byte_in_the_idempotency_key_is_a_400_problem(client, person):
    headers = {**auth(POST), "HTTP_IDEMPOTENCY_KEY": "nøkkel\x00"}
    response = client.post(POST, json.dumps(_letter(person)), content_type="application/json", **headers)
    assert_problem(response, 400)
    assert nothing_stored()


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_pdf_attached_to_a_citizens_answer_is_a_form_error(client, person, english, kind):
    from saksarkiv.models import Journalpost
    from tests.postkasse.test_mailbox import log_in
    from tests.postkasse.test_replies import answer, dispatched, upload
    from tests.saksarkiv.factories import handler

    make, why = HOSTILE[kind]
    original, letter = dispatched(handler(), person)
    log_in(client, person)
    response = answer(client, letter, files=[upload("kvittering.pdf", make())])
    assert response.status_code == 200
    page = response.content.decode()
    assert "kvittering.pdf" in page and why in page
    assert not original.saksmappe.journalposter.filter(journalposttype=Journalpost.Type.INNGAAENDE).exists()


def test_a_multipart_upload_with_form_fields_beyond_the_memory_limit_is_a_413_problem(client):
    journalpost = _journalpost(client)
    response = client.post(
        f"/api/noark5/v1/arkivstruktur/journalpost/{journalpost}/dokumentbeskrivelse",
        {"fil": _upload_file("vedtak.pdf", pdf()), "tittel": "x" * (3 * 1024 * 1024)},
        **auth(NOARK),
    )
    assert_problem(response, 413)
    assert not Dokumentobjekt.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/post/v1/kvitteringer/99999999999999999999999999/bekreft",
        "/api/post/v1/kvitteringer/2147483648/bekreft",
        "/api/post/v1/kvitteringer/9223372036854775808/bekreft",
    ],
)
def test_a_receipt_id_beyond_any_integer_is_a_404_problem(client, path):
    assert_problem(client.post(path, **auth(POST)), 404)


@pytest.mark.parametrize("version", ["99999999999999999999999999", "2147483648", "9223372036854775808"])
def test_a_document_version_beyond_any_integer_is_a_404_problem(client, version):
    journalpost = _journalpost(client)
    document = client.post(
        f"/api/noark5/v1/arkivstruktur/journalpost/{journalpost}/dokumentbeskrivelse",
        pdf(),
        content_type="application/pdf",
        HTTP_CONTENT_DISPOSITION='attachment; filename="vedtak.pdf"',
        **auth(NOARK),
    ).json()["systemID"]
    path = (
        f"/api/noark5/v1/arkivstruktur/dokumentbeskrivelse/{document}/dokumentobjekt/{version}/referanseFil"
    )
    assert_problem(client.get(path, **auth(NOARK)), 404)


@pytest.mark.parametrize("url", APIS)
def test_an_accept_header_the_api_cannot_answer_is_a_406_problem(client, url):
    assert_problem(
        client.post(url, "{}", content_type="application/json", HTTP_ACCEPT="text/html", **auth(url)), 406
    )


def test_a_content_disposition_in_an_unknown_charset_is_a_400_problem(client):
    journalpost = _journalpost(client)
    response = client.post(
        f"/api/noark5/v1/arkivstruktur/journalpost/{journalpost}/dokumentbeskrivelse",
        pdf(),
        content_type="application/pdf",
        HTTP_CONTENT_DISPOSITION="attachment; filename*=bogus''vedtak.pdf",
        **auth(NOARK),
    )
    assert_problem(response, 400, "invalid_content_disposition")
    assert not Dokumentobjekt.objects.exists()


def test_a_nul_byte_in_an_upload_title_parameter_is_a_400_problem(client):
    journalpost = _journalpost(client)
    response = client.post(
        f"/api/noark5/v1/arkivstruktur/journalpost/{journalpost}/dokumentbeskrivelse?tittel=Vedtak%00",
        pdf(),
        content_type="application/pdf",
        HTTP_CONTENT_DISPOSITION='attachment; filename="vedtak.pdf"',
        **auth(NOARK),
    )
    assert_problem(response, 400)
    assert not Dokumentobjekt.objects.exists()
