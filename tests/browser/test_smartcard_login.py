"""A citizen opens a level-4 letter in the mailbox by logging in with a smartcard: the picker, the
login page whose script asks the card agent (real agent, virtual card in pcscd's virtual reader)
to sign, and the card agent's errors as the citizen reads them. Every page is checked."""

import re

import pytest
from playwright.sync_api import expect

from tests.cardstack import card_agent, fake_pinentry, virtual_card  # noqa: F401
from tests.postkasse.factories import citizen, providers, send
from tests.smartcard.factories import TestIssuer, pem_pair

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kari(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return citizen(
        mailbox_provider=providers(settings, tmp_path)[0], given_name="Kari", family_name="Nordmann"
    )


@pytest.fixture
def card(kari, virtual_card, card_agent, live_server, settings):  # noqa: F811
    """Kari's Buypass card in the reader, and the card agent running for this site."""
    settings.SMARTCARD_AGENT_URL = card_agent(live_server.url).url

    def insert(**options):
        return virtual_card(*pem_pair(*TestIssuer().card(kari)), **options)

    return insert


def to_login_page(page, letter):
    """Ask for the letter at level 4 and choose Buypass in the picker."""
    page.goto(f"/postkasse/logg-inn/?nivaa=4&next=/postkasse/brev/{letter.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Velg elektronisk ID")
    page.follow(page.get_by_role("link", name="Buypass", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Logg inn med Buypass")


def test_a_level_4_letter_opens_after_a_smartcard_login(page, kari, card):
    card()
    letter, _created = send(kari, security_level=4, title="Helseopplysninger")
    to_login_page(page, letter)
    page.get_by_label("PIN-kode (4 sifre)").fill("1234")
    page.follow(page.get_by_role("button", name="Logg inn"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Felles innlogging til offentlige tjenester")
    page.follow(page.get_by_role("button", name="Jeg samtykker, fortsett"))
    expect(page.page).to_have_url(re.compile(rf"/postkasse/brev/{letter.pk}/$"))
    expect(page.get_by_role("heading", name="Helseopplysninger")).to_be_visible()


def test_a_wrong_pin_shows_the_tries_left_and_the_right_one_logs_in(page, kari, card):
    virtual = card()
    letter, _created = send(kari, security_level=4, title="Helseopplysninger")
    to_login_page(page, letter)
    pin = page.get_by_label("PIN-kode (4 sifre)")
    pin.fill("9999")
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("alert")).to_have_text("Feil PIN-kode. Forsøk igjen før kortet blir sperret: 2.")
    page.check()
    assert virtual.tries_left == 2
    expect(pin).to_have_value("")
    pin.fill("1234")
    page.follow(page.get_by_role("button", name="Logg inn"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Felles innlogging til offentlige tjenester")


def test_a_blocked_card_is_explained(page, kari, card):
    card(tries=0)
    letter, _created = send(kari, security_level=4)
    to_login_page(page, letter)
    page.get_by_label("PIN-kode (4 sifre)").fill("1234")
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Kortet er sperret etter for mange feil PIN-koder. Kontakt Buypass for å oppheve sperringen."
    )
    page.check()


def test_without_the_card_agent_the_citizen_is_told_to_start_it_and_where_to_read_more(page, kari, settings):
    settings.SMARTCARD_AGENT_URL = "http://127.0.0.1:9"  # nothing listens there
    TestIssuer()
    letter, _created = send(kari, security_level=4)
    to_login_page(page, letter)
    page.get_by_label("PIN-kode (4 sifre)").fill("1234")
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Kortagenten kjører ikke på denne datamaskinen. Start den og prøv igjen."
    )
    page.check()
    page.follow(page.get_by_role("link", name="Om kortagenten"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Innlogging med smartkort")
    expect(page.get_by_text("http://127.0.0.1:9")).to_be_visible()


def test_with_the_agents_own_pin_window_the_page_never_asks_for_the_pin(
    page,
    kari,
    virtual_card,  # noqa: F811
    card_agent,  # noqa: F811
    fake_pinentry,  # noqa: F811
    live_server,
    settings,
):
    settings.SMARTCARD_AGENT_URL = card_agent(live_server.url, pinentry=fake_pinentry.program).url
    virtual = virtual_card(*pem_pair(*TestIssuer().card(kari)))
    fake_pinentry.answer("1234")
    letter, _created = send(kari, security_level=4, title="Helseopplysninger")
    to_login_page(page, letter)
    expect(
        page.get_by_text(
            "Kortagenten på denne datamaskinen spør etter PIN-koden i sitt eget vindu, ikke på denne siden."
        )
    ).to_be_visible()
    expect(page.locator("#smartcard-pin")).to_be_hidden()
    expect(page.get_by_text("Kortet ditt sjekker PIN-koden.", exact=False)).to_be_hidden()
    page.check()
    page.follow(page.get_by_role("button", name="Logg inn"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Felles innlogging til offentlige tjenester")
    page.follow(page.get_by_role("button", name="Jeg samtykker, fortsett"))
    expect(page.get_by_role("heading", name="Helseopplysninger")).to_be_visible()
    assert fake_pinentry.texts("SETDESC") == [
        f"{live_server.url} asks you to log in with your eID card.\nCard holder: Kari Nordmann"
    ]
    assert virtual.tries_left == 3


def test_cancelling_the_agents_pin_window_is_explained(
    page,
    kari,
    virtual_card,  # noqa: F811
    card_agent,  # noqa: F811
    fake_pinentry,  # noqa: F811
    live_server,
    settings,
):
    settings.SMARTCARD_AGENT_URL = card_agent(live_server.url, pinentry=fake_pinentry.program).url
    virtual_card(*pem_pair(*TestIssuer().card(kari)))
    fake_pinentry.answer("cancel")
    letter, _created = send(kari, security_level=4)
    to_login_page(page, letter)
    expect(page.locator("#smartcard-pin")).to_be_hidden()
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Du avbrøt innskrivingen av PIN-koden. Trykk Logg inn for å prøve igjen."
    )
    page.check()
