"""A citizen signs a document at level 4 in the browser: the service's link, a smartcard login
through ID-porten, the PDF in the page, the PIN typed into the page and handed to the real card
agent, which signs with a virtual card in pcscd's vpcd reader; then the receipt and back to the
service. A wrong PIN is explained and signs nothing."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from idporten.models import LOA_HIGH
from signering.models import Signeringsoppdrag
from tests.browser.test_postkasse import follow_below_the_pdf, pdf_viewer_for
from tests.cardstack import card_agent, fake_pinentry, require_smartcard_stack, virtual_card  # noqa: F401
from tests.folkeregister.factories import make_person
from tests.idporten.factories import logged_in
from tests.postkasse.factories import pdf
from tests.signering.factories import CardIssuer, job
from tests.signering.test_services import openssl_verify

pytestmark = pytest.mark.django_db(transaction=True)
PIN = "1234"


@pytest.fixture
def kari():
    return make_person(given_name="Kari", family_name="Nordmann")


@pytest.fixture
def issuer():
    return CardIssuer()


@pytest.fixture
def agent(settings, live_server, card_agent):  # noqa: F811
    running = card_agent(live_server.url)  # the agent answers the page's origin only
    settings.SMARTCARD_AGENT_URL = running.url
    return running


def with_level_4_session(page, person):
    """The browser already has an ID-porten session at level 4 (as after the card login in the test
    above): the signing service still logs in through ID-porten's pages."""
    client = Client()
    logged_in(client, identity_number=person.identity_number, acr=LOA_HIGH)
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.session.session_key,
                "url": page.base_url,
            }
        ]
    )


def test_citizen_logs_in_with_the_card_reads_the_pdf_and_signs_it(
    page,
    kari,
    issuer,
    agent,
    virtual_card,  # noqa: F811
    tmp_path,
):
    virtual_card(*issuer.card_pem(kari), pin=PIN)
    signing_job = job(kari, title="Leiekontrakt Storgata 1", return_url=f"{page.base_url}/")

    page.goto(f"/signering/{signing_job.pk}/")  # from the service's link: a level-4 login first
    expect(page.get_by_role("heading", level=1)).to_have_text("Velg elektronisk ID")
    page.follow(page.get_by_role("link", name="Buypass", exact=True))
    page.get_by_label("PIN-kode (4 sifre)").fill(PIN)
    page.follow(page.get_by_role("button", name="Logg inn"))
    page.follow(page.get_by_role("button", name="Jeg samtykker, fortsett"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Leiekontrakt Storgata 1")
    expect(page.get_by_text("PDF, 1 side")).to_be_visible()
    assert pdf_viewer_for(page, f"/signering/{signing_job.pk}/dokument/") is not None
    page.get_by_label("PIN-koden til kortet ditt").fill(PIN)
    follow_below_the_pdf(page, page.get_by_role("button", name="Signer"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Du har signert dokumentet")
    expect(
        page.get_by_text("Signaturen din på Leiekontrakt Storgata 1 er sendt til Velferdsetaten.")
    ).to_be_visible()
    signing_job.refresh_from_db()
    assert signing_job.status == Signeringsoppdrag.Status.SIGNERT
    verified = openssl_verify(tmp_path, bytes(signing_job.signature), pdf("Leiekontrakt"), issuer.pem)
    assert verified.returncode == 0, verified.stderr

    page.follow(page.get_by_role("link", name="Tilbake til Velferdsetaten"))
    assert page.url == f"{page.base_url}/"


def test_a_wrong_pin_is_explained_and_signs_nothing(page, kari, issuer, agent, virtual_card):  # noqa: F811
    virtual_card(*issuer.card_pem(kari), pin=PIN, tries=3)
    signing_job = job(kari, text="Jeg bekrefter at opplysningene i søknaden er riktige.")
    with_level_4_session(page, kari)

    page.goto(f"/signering/{signing_job.pk}/")
    expect(page.get_by_role("region", name="Teksten du blir bedt om å signere")).to_contain_text(
        "Jeg bekrefter at opplysningene i søknaden er riktige."
    )
    page.get_by_label("PIN-koden til kortet ditt").fill("9999")
    page.get_by_role("button", name="Signer").click()
    expect(page.get_by_role("alert")).to_have_text("Feil PIN-kode. Du har 2 forsøk igjen før kortet sperres.")
    expect(page.get_by_label("PIN-koden til kortet ditt")).to_have_value("")
    page.check()
    signing_job.refresh_from_db()
    assert signing_job.status == Signeringsoppdrag.Status.VENTER and signing_job.signature is None


def test_with_the_agents_own_pin_window_the_page_signs_without_a_pin_field(
    page,
    kari,
    issuer,
    settings,
    live_server,
    card_agent,  # noqa: F811
    fake_pinentry,  # noqa: F811
    virtual_card,  # noqa: F811
):
    settings.SMARTCARD_AGENT_URL = card_agent(live_server.url, pinentry=fake_pinentry.program).url
    virtual_card(*issuer.card_pem(kari), pin=PIN)
    fake_pinentry.answer("0000", PIN)
    signing_job = job(kari, text="Jeg bekrefter at opplysningene i søknaden er riktige.")
    with_level_4_session(page, kari)

    page.goto(f"/signering/{signing_job.pk}/")
    expect(
        page.get_by_text(
            "Kortagenten på denne datamaskinen spør etter PIN-koden i sitt eget vindu, ikke på denne siden."
        )
    ).to_be_visible()
    expect(page.locator("#signering-pin")).to_be_hidden()
    page.check()
    page.follow(page.get_by_role("button", name="Signer"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Du har signert dokumentet")
    assert fake_pinentry.texts("SETERROR") == ["Wrong PIN. 2 tries left."]
    assert fake_pinentry.texts("SETDESC")[0].startswith(f"{live_server.url} asks you to sign a document")
    signing_job.refresh_from_db()
    assert signing_job.status == Signeringsoppdrag.Status.SIGNERT
