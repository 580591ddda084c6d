"""The citizen's signing pages: a level-4 login through ID-porten (a step-up from level 3), what is
signed (the PDF inline, or the text, with its fingerprint), the PIN field that never posts to us,
signing through the page's JSON calls, declining, the receipt, and 404 for everyone but the signer."""

import base64
import json
import re

import pytest

from core.models import AuditEvent
from idporten.models import LOA_HIGH
from signering.models import Signeringsoppdrag
from tests.cardstack import require_smartcard_stack
from tests.folkeregister.factories import make_person
from tests.idporten.factories import logged_in, query
from tests.postkasse.factories import pdf
from tests.signering.factories import CardIssuer, card_signature, job

pytestmark = pytest.mark.django_db
AGENT_URL = "http://127.0.0.1:24727"


@pytest.fixture(autouse=True)
def agent_url(settings):
    settings.SMARTCARD_AGENT_URL = AGENT_URL


@pytest.fixture
def kari():
    return make_person(given_name="Kari")


def log_in(client, person, *, acr=LOA_HIGH):
    """Log in to the signing service through ID-porten (the browser already has an SSO session)."""
    logged_in(client, identity_number=person.identity_number, acr=acr)
    authorize = client.get("/signering/logg-inn/?nivaa=4" if acr == LOA_HIGH else "/signering/logg-inn/")
    callback = client.get(authorize.url)
    assert callback.url.startswith("http://testserver/signering/innlogget/?code="), callback.url
    assert client.get(callback.url).url == "/signering/"
    return person


def url(signing_job, page: str = "") -> str:
    return f"/signering/{signing_job.pk}/{page}"


def post_json(client, address: str, **fields):
    encoded = {name: base64.b64encode(value).decode() for name, value in fields.items()}
    return client.post(address, json.dumps(encoded), content_type="application/json")


# Logging in


def test_the_job_page_asks_for_a_level_4_login_through_id_porten(client, kari):
    signing_job = job(kari)
    response = client.get(url(signing_job))
    assert response.url == f"/signering/logg-inn/?next=%2Fsignering%2F{signing_job.pk}%2F&nivaa=4"
    params = query(client.get(response.url).url)
    assert params["client_id"] == "felles-signering" and params["acr_values"] == LOA_HIGH


def test_a_level_3_login_must_step_up_to_level_4(client, kari):
    signing_job = job(kari)
    log_in(client, kari, acr="idporten-loa-substantial")
    response = client.get(url(signing_job))
    assert response.status_code == 302 and response.url.endswith("&nivaa=4")


def test_the_start_page_offers_a_login(client):
    response = client.get("/signering/")
    assert "Logg inn med ID-porten" in response.content.decode()


def test_the_citizen_sees_the_documents_waiting_for_them(client, kari):
    mine = job(kari, title="Leiekontrakt")
    job(make_person(), title="Noen andres avtale")
    log_in(client, kari)
    page = client.get("/signering/").content.decode()
    assert "Dokumenter å signere" in page and f'href="{url(mine)}"' in page
    assert "Noen andres avtale" not in page


# What is signed


def test_the_signer_sees_the_pdf_its_fingerprint_and_a_pin_field_that_is_never_posted(client, kari):
    signing_job = job(kari, title="Leiekontrakt Storgata 1")
    log_in(client, kari)
    response = client.get(url(signing_job))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Leiekontrakt Storgata 1" in page and "PDF, 1 side" in page
    assert " ".join(signing_job.sha256[i : i + 4] for i in range(0, 64, 4)) in page
    assert f'src="{url(signing_job, "dokument/")}"' in page
    pin_input = re.search(r'<input[^>]*id="signering-pin"[^>]*>', page).group(0)
    assert 'type="password"' in pin_input and 'class="ds-input felles-code-input"' in pin_input
    assert 'maxlength="4"' in pin_input and 'size="4"' in pin_input and 'inputmode="numeric"' in pin_input
    assert 'name="pin"' not in page.lower()
    assert ">Signer</button>" in page and ">Avvis</button>" in page
    assert f"connect-src 'self' {AGENT_URL}" in response["Content-Security-Policy"]
    assert "no-cache" in response["Cache-Control"]


def test_every_card_agent_error_has_a_message_on_the_page(client, kari):
    require_smartcard_stack()  # the agent's list of errors comes with pyscard
    from cardagent.server import ERROR_STATUS

    signing_job = job(kari)
    log_in(client, kari)
    page = client.get(url(signing_job)).content.decode()
    found = re.search(r'<script id="signering-messages" type="application/json">(.*?)</script>', page)
    messages = json.loads(found.group(1))
    assert set(ERROR_STATUS) - {"internal-error"} <= set(messages)
    assert messages["wrong-pin"] == "Feil PIN-kode. Du har {tries} forsøk igjen før kortet sperres."
    assert messages["no-card"] == "Det er ikke noe kort i kortleseren. Sett inn kortet og prøv igjen."
    assert messages["pin-cancelled"] == "Du avbrøt innskrivingen av PIN-koden. Ingenting ble signert."


def test_the_pdf_is_served_inline_and_only_for_a_frame_of_the_site_itself(client, kari):
    signing_job = job(kari)
    log_in(client, kari)
    response = client.get(url(signing_job, "dokument/"))
    assert response.content == pdf("Leiekontrakt")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_other_pages_may_not_be_framed(client, kari):
    signing_job = job(kari)
    log_in(client, kari)
    response = client.get(url(signing_job))
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_text_is_shown_in_the_page(client, kari):
    signing_job = job(kari, text="Jeg samtykker til <vilkårene>.")
    log_in(client, kari)
    page = client.get(url(signing_job)).content.decode()
    assert "Jeg samtykker til &lt;vilkårene&gt;." in page
    assert client.get(url(signing_job, "dokument/")).status_code == 404


# Nobody else


def job_urls(signing_job) -> list[tuple[str, str]]:
    return [
        ("get", url(signing_job)), ("get", url(signing_job, "dokument/")), ("get", url(signing_job, "kvittering/")),
        ("post", url(signing_job, "forbered/")), ("post", url(signing_job, "fullfor/")),
        ("post", url(signing_job, "avvis/")),
    ]  # fmt: skip


def test_another_citizen_gets_404_for_every_page_of_the_job(client, kari):
    signing_job = job(kari)
    log_in(client, make_person(given_name="Ola"))
    for method, address in job_urls(signing_job):
        assert getattr(client, method)(address).status_code == 404, address
    signing_job.refresh_from_db()
    assert signing_job.status == Signeringsoppdrag.Status.VENTER and signing_job.signed_attributes is None


def test_the_page_calls_without_a_login_answer_401_in_json(client, kari):
    signing_job = job(kari)
    response = post_json(client, url(signing_job, "forbered/"), certificate=b"x")
    assert response.status_code == 401 and "logget inn" in response.json()["message"]


# Signing, declining, the receipt


def test_signing_through_the_page_calls_ends_on_the_receipt(client, kari):
    issuer = CardIssuer()
    certificate, key = issuer.card(kari)
    signing_job = job(kari, return_url="https://tjeneste.example.no/ferdig")
    log_in(client, kari)
    prepared = post_json(client, url(signing_job, "forbered/"), certificate=certificate)
    assert prepared.status_code == 200, prepared.content
    digest = base64.b64decode(prepared.json()["digest"])
    completed = post_json(
        client, url(signing_job, "fullfor/"), signature=card_signature(key, digest), certificate=certificate
    )
    assert completed.json() == {"receipt": url(signing_job, "kvittering/")}
    signing_job.refresh_from_db()
    assert signing_job.status == Signeringsoppdrag.Status.SIGNERT
    receipt = client.get(completed.json()["receipt"]).content.decode()
    assert "Du har signert dokumentet" in receipt
    assert 'href="https://tjeneste.example.no/ferdig">Tilbake til Velferdsetaten' in receipt
    assert client.get(url(signing_job)).url == url(signing_job, "kvittering/")


def test_a_card_refused_at_prepare_is_explained_in_json(client, kari):
    issuer = CardIssuer()
    certificate, _key = issuer.card(make_person(given_name="Ola"))
    signing_job = job(kari)
    log_in(client, kari)
    response = post_json(client, url(signing_job, "forbered/"), certificate=certificate)
    assert response.status_code == 409
    assert response.json()["code"] == "signing_refused"
    assert "tilhører en annen" in response.json()["message"]


def test_a_call_that_is_not_the_expected_json_is_400(client, kari):
    signing_job = job(kari)
    log_in(client, kari)
    response = client.post(url(signing_job, "fullfor/"), {"signature": "x"})
    assert response.status_code == 400


def test_declining_shows_the_receipt_and_the_service_sees_it(client, kari):
    signing_job = job(kari)
    log_in(client, kari)
    response = client.post(url(signing_job, "avvis/"))
    assert response.url == url(signing_job, "kvittering/")
    assert "Du avviste å signere" in client.get(response.url).content.decode()
    signing_job.refresh_from_db()
    assert signing_job.status == Signeringsoppdrag.Status.AVVIST
    assert AuditEvent.objects.filter(action="signering.declined", actor=kari.identity_number).exists()


@pytest.mark.parametrize("page", ["forbered/", "fullfor/"])
def test_a_body_nested_thousands_deep_is_not_understood_never_a_500(client, kari, page):
    signing_job = job(kari)
    log_in(client, kari)
    response = client.post(url(signing_job, page), "[" * 7000 + "]" * 7000, content_type="application/json")
    assert response.status_code == 400 and response.json()["message"]
    signing_job.refresh_from_db()
    assert signing_job.status == Signeringsoppdrag.Status.VENTER
