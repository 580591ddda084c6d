"""Form fields as a citizen meets them in Chromium: radio groups that leave the submit button free,
notices shown once, code boxes that fit their code, and a focus ring on every control."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from core.models import OutboundSms
from kontaktregister import services as kontaktregister
from minid.models import MinidUser
from tests.browser.test_idporten import sms_code
from tests.browser.test_signering import with_level_4_session
from tests.folkeregister.factories import make_person
from tests.kontaktregister.test_selfservice import log_in as log_in_to_contact_register
from tests.minid.factories import PASSWORD, registered_user
from tests.signering.factories import job

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in_to_contact_register(page) -> str:
    """A citizen logged in to the contact register's self-service: the login through ID-porten is
    done by the test client (tests/browser/test_kontaktregister.py walks it in the browser), and the
    browser gets that session."""
    client = Client()
    person = log_in_to_contact_register(client)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": page.base_url}])
    return person.identity_number


def log_in_to_minid(page, user: MinidUser):
    page.goto("/minid/logg-inn/")
    page.get_by_label("Fødselsnummer (11 siffer)").fill(user.person.identity_number)
    page.get_by_label("Passord").fill(PASSWORD)
    page.follow(page.get_by_role("button", name="Neste"))
    page.get_by_label("Engangskode").fill(sms_code())
    page.follow(page.get_by_role("button", name="Logg inn"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrerte opplysninger")


def assert_code_input(page, label: str, *, length: int, inputmode: str, autocomplete: str = "one-time-code"):
    """The box takes the code and no more, offers the right keyboard and the code from the SMS, and
    is drawn like Felles' other inputs (not a bare native box) but only as wide as the code."""
    box = page.get_by_label(label, exact=True)
    expect(box).to_have_attribute("autocomplete", autocomplete)
    expect(box).to_have_attribute("inputmode", inputmode)
    expect(box).to_have_attribute("maxlength", str(length))
    expect(box).to_have_attribute("size", str(length))
    expect(box).to_have_class(re.compile(r"\bds-input\b.*\bfelles-code-input\b"))
    drawn = box.evaluate(
        """box => {
            const style = getComputedStyle(box);
            return {width: box.getBoundingClientRect().width, height: box.getBoundingClientRect().height,
                    radius: parseFloat(style.borderTopLeftRadius), padding: parseFloat(style.paddingLeft),
                    column: box.parentElement.getBoundingClientRect().width};
        }"""
    )
    assert drawn["height"] >= 40, drawn  # Designsystemet's input height, not the native ~21 px
    assert drawn["radius"] > 0 and drawn["padding"] >= 8, drawn
    assert 60 < drawn["width"] < drawn["column"] / 2, drawn  # as wide as the code, not the column


def test_the_submit_button_sends_the_mailbox_and_the_language_chosen(page):
    kontaktregister.register_provider("984661185", name="Digipost", certificate_pem="PEM-1")
    kontaktregister.register_provider("922020175", name="e-Boks", certificate_pem="PEM-2")
    identity_number = logged_in_to_contact_register(page)
    # A radio button laid over the button takes the click; Playwright then waits for the button in vain.
    page.set_default_timeout(5000)

    page.goto("/kontaktinfo/postkasse/")
    page.get_by_role("radio", name="e-Boks").check()
    page.follow(page.get_by_role("button", name="Velg", exact=True))
    assert kontaktregister.contact_record(identity_number).mailbox_provider == "922020175"

    page.goto("/kontaktinfo/postkasse/")
    # The choices are one group, named by its legend, as every radio group in Felles.
    expect(page.get_by_role("group", name="Digital postkasse").get_by_role("radio")).to_have_count(2)
    expect(page.get_by_role("radio", name="e-Boks")).to_be_checked()

    page.goto("/kontaktinfo/sprak/")
    page.get_by_role("radio", name="Nynorsk").check()
    page.follow(page.get_by_role("button", name="Lagre"))
    assert kontaktregister.contact_record(identity_number).language == "nn"


def test_minid_notice_shows_once_and_a_radio_button_shows_its_focus(page):
    user, _letter, _codes = registered_user()
    log_in_to_minid(page, user)
    page.goto("/minid/min-side/kodekanal/")
    page.get_by_role("radio").first.check()
    page.follow(page.get_by_role("button", name="Lagre"))
    expect(page.get_by_text("Valget ditt er lagret.")).to_have_count(1)

    page.goto("/minid/min-side/kodekanal/")
    # To the first radio button with the keyboard alone.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio":
            break
    ring = page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return {outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
                    shadow: style.boxShadow !== 'none', type: document.activeElement.type};
        }"""
    )
    assert ring["type"] == "radio" and (ring["outline"] or ring["shadow"]), ring
    page.check()


def test_minid_code_boxes_fit_their_codes(page):
    user, _letter, codes = registered_user()
    page.goto("/minid/logg-inn/")
    page.get_by_label("Fødselsnummer (11 siffer)").fill(user.person.identity_number)
    page.get_by_label("Passord").fill(PASSWORD)
    page.follow(page.get_by_role("button", name="Neste"))
    assert_code_input(page, "Engangskode", length=5, inputmode="text")  # SMS codes: letters and digits

    page.follow(page.get_by_role("button", name="Jeg vil heller bruke PIN-kode fra brevet"))
    assert_code_input(page, "Engangskode", length=5, inputmode="numeric")  # PIN codes: five digits
    number = int(re.search(r"PIN-kode nr\. (\d+)", page.content()).group(1))
    page.get_by_label("Engangskode").fill(codes[number])
    page.follow(page.get_by_role("button", name="Logg inn"))

    page.follow(page.get_by_role("link", name="Endre e-postadresse"))
    page.get_by_label("Ny e-postadresse").fill("kari.ny@example.no")
    page.follow(page.get_by_role("button", name="Send kode"))
    assert_code_input(page, "Kode", length=5, inputmode="text")

    # The PIN codes of the forgotten-password page are fields the form adds for the numbers it asks.
    page.goto("/minid/glemt-passord/")
    page.get_by_label("Fødselsnummer (11 siffer)").fill(user.person.identity_number)
    page.follow(page.get_by_role("button", name="Neste"))
    asked = re.findall(r"PIN-kode nr\. (\d+)", page.content())
    assert asked
    for number in asked:
        assert_code_input(page, f"PIN-kode nr. {number}", length=5, inputmode="numeric")


def test_contact_register_code_box_fits_its_code(page):
    logged_in_to_contact_register(page)
    page.goto("/kontaktinfo/")
    page.follow(page.get_by_role("link", name="Registrer mobilnummer"))
    page.get_by_label("Mobilnummer").fill("98765432")
    page.follow(page.get_by_role("button", name="Send kode"))
    assert OutboundSms.objects.exists()
    assert_code_input(page, "Kode", length=6, inputmode="numeric")


def test_signing_pin_box_fits_the_card_pin(page):
    """The card's PIN is a secret of the card, typed for the card agent: the same code box, masked,
    and never filled in from an SMS."""
    kari = make_person(given_name="Kari")
    with_level_4_session(page, kari)
    signing_job = job(kari, title="Leiekontrakt")
    page.goto(f"/signering/{signing_job.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Leiekontrakt")
    expect(page.get_by_label("PIN-koden til kortet ditt")).to_have_attribute("type", "password")
    assert_code_input(page, "PIN-koden til kortet ditt", length=4, inputmode="numeric", autocomplete="off")
