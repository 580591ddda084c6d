"""The signing API for service owners: /api/signering/v1/oppdrag with a Maskinporten token and the
scope signering:oppdrag. Create a job, read its status, list, fetch the signature (409 until
signed); another organisation's job is 404; bad input is a problem with a stable code."""

import base64
import json

import pytest

from idporten.models import LOA_HIGH
from signering import services
from signering.models import Signeringsoppdrag
from tests.folkeregister.factories import make_person
from tests.kontaktregister.test_lookup import agency_token
from tests.postkasse.factories import pdf
from tests.signering.factories import (
    OTHER_ORGANISATION_NUMBER,
    CardIssuer,
    card_signature,
    job,
    organisation,
)
from virksomheter import services as virksomheter
from virksomheter.models import Organisation

pytestmark = pytest.mark.django_db
URL = "/api/signering/v1/oppdrag"
SCOPE = "felles:signering/oppdrag"


@pytest.fixture(autouse=True)
def organisations():
    return organisation(), organisation(OTHER_ORGANISATION_NUMBER, "Skatteetaten")


@pytest.fixture
def kari():
    return make_person()


def auth(scope=SCOPE, organisation_number="974312344") -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {agency_token(scope, organisation_number=organisation_number)}"}


def body(person, **fields) -> dict:
    return {
        "tittel": "Leiekontrakt",
        "signerer": person.identity_number,
        "pdf": base64.b64encode(pdf("Leiekontrakt")).decode(),
        **fields,
    }


def create(client, data, **kwargs):
    raw = data if isinstance(data, (bytes, str)) else json.dumps(data)
    return client.post(URL, raw, content_type="application/json", **auth(**kwargs))


def signed_job(person):
    issuer = CardIssuer()
    certificate, key = issuer.card(person)
    signing_job = job(person)
    digest = services.prepare_signing(
        person.identity_number, signing_job.pk, certificate_der=certificate, acr=LOA_HIGH
    )
    return services.complete_signing(
        person.identity_number,
        signing_job.pk,
        signature=card_signature(key, digest),
        certificate_der=certificate,
        acr=LOA_HIGH,
    )


# Creating


def test_a_new_job_answers_201_with_its_status_digest_and_where_the_citizen_signs(client, kari):
    response = create(client, body(kari, returadresse="https://tjeneste.example.no/ferdig"))
    assert response.status_code == 201, response.content
    answer = response.json()
    stored = Signeringsoppdrag.objects.get()
    assert answer["id"] == str(stored.pk) and response["Location"] == f"{URL}/{stored.pk}"
    assert answer["status"] == "venter" and answer["signerer"] == kari.identity_number
    assert answer["dokument"] == {"type": "application/pdf", "sha256": stored.sha256, "sider": 1}
    assert answer["signeringsadresse"] == f"http://testserver/signering/{stored.pk}/"
    assert answer["signatur"] is None and answer["returadresse"] == "https://tjeneste.example.no/ferdig"
    assert stored.organisation.organisasjonsnummer == "974312344"


def test_a_text_can_be_signed_instead_of_a_pdf(client, kari):
    response = create(client, body(kari, pdf=None, tekst="Jeg godtar vilkårene."))
    assert response.status_code == 201, response.content
    assert response.json()["dokument"]["type"] == "text/plain"
    assert bytes(Signeringsoppdrag.objects.get().document) == "Jeg godtar vilkårene.".encode()


def test_the_schema_documents_the_signing_api(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {f"{URL}", f"{URL}/{{job_id}}", f"{URL}/{{job_id}}/signatur"} <= set(schema["paths"])
    signature = schema["paths"][f"{URL}/{{job_id}}/signatur"]["get"]["responses"]
    assert "application/pkcs7-signature" in signature["200"]["content"] and "409" in signature


# Tokens and scopes


def test_without_a_token_the_api_answers_401(client):
    assert client.get(URL).status_code == 401


def test_a_token_without_the_signing_scope_is_403(client, kari):
    response = create(client, body(kari), scope="krr:kontaktinformasjon")
    assert response.status_code == 403
    assert response.json()["error"] == "insufficient_scope"
    assert not Signeringsoppdrag.objects.exists()


def test_a_token_stops_working_when_the_organisation_loses_the_scope(client, kari, settings):
    settings.MASKINPORTEN_REVOCATION_CHECK_SECONDS = 0
    headers = auth()
    virksomheter.withdraw_scope(
        Organisation.objects.get(organisasjonsnummer="974312344"), SCOPE, withdrawn_by="test"
    )
    response = client.post(URL, json.dumps(body(kari)), content_type="application/json", **headers)
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"
    assert not Signeringsoppdrag.objects.exists()


# Bad input


def assert_refused(response, code="invalid_job", status=400):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not Signeringsoppdrag.objects.exists()
    return response.json()


def test_a_document_that_is_not_a_pdf_is_refused(client, kari):
    problem = assert_refused(create(client, body(kari, pdf=base64.b64encode(b"Hello").decode())))
    assert "ikke en PDF" in problem["detail"]


def test_a_document_over_10_mb_is_refused(client, kari):
    big = base64.b64encode(b"%PDF-1.7\n" + b"0" * services.MAX_DOCUMENT_BYTES).decode()
    problem = assert_refused(create(client, body(kari, pdf=big)))
    assert "for stort" in problem["detail"]


def test_a_body_announcing_more_than_the_limit_is_413(client, kari):
    response = client.post(
        URL, "{}", content_type="application/json", CONTENT_LENGTH=str(20 * 1024 * 1024), **auth()
    )
    assert_refused(response, "document_too_large", 413)


def test_a_job_without_a_signer_is_refused(client, kari):
    data = body(kari)
    del data["signerer"]
    problem = assert_refused(create(client, data))
    assert "signerer" in problem["field_errors"]


def test_an_invalid_identity_number_is_refused(client):
    problem = assert_refused(create(client, body(make_person(), signerer="01017012345")))
    assert "01017012345 er ikke et gyldig fødselsnummer" in problem["detail"]


def test_a_document_in_both_or_neither_form_is_refused(client, kari):
    assert_refused(create(client, body(kari, tekst="Tekst")))
    data = body(kari)
    del data["pdf"]
    assert_refused(create(client, data))


def test_bad_base64_is_refused(client, kari):
    problem = assert_refused(create(client, body(kari, pdf="not base64!")))
    assert "pdf" in problem["field_errors"]


def test_a_plain_http_return_url_is_refused(client, kari):
    assert_refused(create(client, body(kari, returadresse="http://tjeneste.example.no/")))


def test_a_body_that_is_not_json_is_refused(client):
    assert_refused(create(client, "{not json"), "invalid_json")


# Reading


def test_the_status_of_a_job_is_read_by_its_organisation(client, kari):
    signing_job = job(kari)
    response = client.get(f"{URL}/{signing_job.pk}", **auth())
    assert response.status_code == 200
    assert response.json()["status"] == "venter"


def test_another_organisations_job_is_404_everywhere(client, kari):
    signing_job = signed_job(kari)
    other = auth(organisation_number=OTHER_ORGANISATION_NUMBER)
    for url in (f"{URL}/{signing_job.pk}", f"{URL}/{signing_job.pk}/signatur"):
        response = client.get(url, **other)
        assert response.status_code == 404, url
        assert response.json()["code"] == "job_not_found"
    assert client.get(URL, **other).json()["oppdrag"] == []


def test_the_list_has_own_jobs_newest_first_and_filters_by_status(client, kari):
    first, second = job(kari, title="Første"), job(kari, title="Andre")
    job(kari, owner=organisation(OTHER_ORGANISATION_NUMBER), title="Skatteetatens")
    services.decline(kari.identity_number, first.pk, acr=LOA_HIGH)
    answer = client.get(URL, **auth()).json()
    assert [j["id"] for j in answer["oppdrag"]] == [str(second.pk), str(first.pk)]
    assert answer["neste"] is None
    declined = client.get(URL, {"status": "avvist"}, **auth()).json()["oppdrag"]
    assert [(j["id"], j["status"]) for j in declined] == [(str(first.pk), "avvist")]
    assert client.get(URL, {"status": "ukjent"}, **auth()).json()["code"] == "invalid_status"


def test_the_signature_is_409_until_signed(client, kari):
    signing_job = job(kari)
    response = client.get(f"{URL}/{signing_job.pk}/signatur", **auth())
    assert response.status_code == 409
    assert response.json()["code"] == "not_signed"


def test_the_signature_downloads_as_pkcs7_once_signed(client, kari):
    signing_job = signed_job(kari)
    status = client.get(f"{URL}/{signing_job.pk}", **auth()).json()
    assert status["status"] == "signert" and status["signert"] is not None
    assert status["signatur"] == f"http://testserver{URL}/{signing_job.pk}/signatur"
    assert status["sertifikat"] == signing_job.signer_subject
    response = client.get(f"{URL}/{signing_job.pk}/signatur", **auth())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkcs7-signature"
    assert response["Content-Disposition"] == f'attachment; filename="{signing_job.pk}.p7s"'
    assert response.content == bytes(signing_job.signature)


# End to end, with the example client and the agency's enterprise certificate


@pytest.mark.django_db(transaction=True)
def test_an_agency_asks_for_a_signature_with_the_example_client(live_server, settings, tmp_path, kari):
    import sys
    from pathlib import Path

    from django.core.management import call_command

    from virksomheter.demo import seed_demo_organisations

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
    import signering_client

    settings.DEBUG = True  # the demo certificates are made in development only
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path
    seed_demo_organisations()
    call_command("seed_demo_certificates", verbosity=0)
    folder = tmp_path / "demo-certificates"
    import maskinporten_client

    from maskinporten import services as maskinporten_services
    from virksomheter.models import Organisation

    registered = maskinporten_services.register_client(
        Organisation.objects.get(organisasjonsnummer="974312344"),
        name="Velferdsetaten maskin",
        scopes=[signering_client.SCOPE],
        registered_by="test",
    )
    credentials = maskinporten_client.Credentials.from_files(
        registered.client_id, folder / "974312344.key", certificate_path=folder / "974312344.pem"
    )
    client = maskinporten_client.MaskinportenClient(f"{live_server.url}/maskinporten/", credentials)
    session, token = client.session, client.token(signering_client.SCOPE).access_token

    created = signering_client.create_job(
        session,
        live_server.url,
        token,
        title="Leiekontrakt",
        signer=kari.identity_number,
        pdf=pdf("Leiekontrakt"),
    )
    assert created["status"] == "venter" and created["signeringsadresse"].endswith(
        f"/signering/{created['id']}/"
    )
    with pytest.raises(signering_client.SigningError) as not_yet:
        signering_client.signature(session, live_server.url, token, created["id"])
    assert not_yet.value.status == 409 and not_yet.value.answer["code"] == "not_signed"

    issuer = CardIssuer()
    certificate, key = issuer.card(kari)
    digest = services.prepare_signing(
        kari.identity_number, created["id"], certificate_der=certificate, acr=LOA_HIGH
    )
    services.complete_signing(
        kari.identity_number,
        created["id"],
        signature=card_signature(key, digest),
        certificate_der=certificate,
        acr=LOA_HIGH,
    )
    answered = signering_client.wait_for(session, live_server.url, token, created["id"], every=0.1)
    assert answered["status"] == "signert"
    signature = signering_client.signature(session, live_server.url, token, created["id"])
    assert signature == Signeringsoppdrag.objects.get(pk=created["id"]).signature
