"""Every citizen service offers help, as the real MinID, ID-porten, KRR and mailbox do: a help page
per service with the common questions and the operator's support contact, linked from the footer of
every page and from the login pages. Every page is checked with axe (and for reflow) by the harness."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_minid import log_in_step_one
from tests.minid.factories import registered_user

pytestmark = pytest.mark.django_db(transaction=True)

QUESTIONS = (
    "I am a new user",
    "I have forgotten my password",
    "The code does not arrive",
    "My user is blocked",
    "Why must I log in?",
)


@pytest.fixture(autouse=True)
def operator(settings):
    settings.FELLES_OPERATOR = {
        **settings.FELLES_OPERATOR,
        "name": "Felles drift AS",
        "address": "Postboks 9 Sentrum, 0101 Oslo",
        "support_phone": "22 33 44 55",
        "support_email": "hjelp@felles.example",
    }


def in_english(page):
    """The help text is asserted in English, whatever language the page came up in."""
    if page.locator("html").get_attribute("lang") != "en":
        page.follow(page.get_by_role("button", name="English"))


def expect_help_page(page, name: str):
    in_english(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Help: {name}")
    for question in QUESTIONS:
        expect(page.get_by_role("heading", level=2, name=question)).to_be_visible()
    expect(page.get_by_role("link", name="22 33 44 55")).to_have_attribute("href", "tel:22334455")
    expect(page.get_by_role("link", name="hjelp@felles.example")).to_have_attribute(
        "href", "mailto:hjelp@felles.example"
    )
    expect(
        page.get_by_text("If you cannot find the answer here, Felles drift AS's user support helps you.")
    ).to_be_visible()


def test_the_footer_of_every_service_leads_to_its_help_page(page):
    page.goto("/")
    in_english(page)
    page.follow(page.locator("footer").get_by_role("link", name="Help", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Help")
    page.follow(page.get_by_role("link", name="Help: ID-porten"))
    expect_help_page(page, "ID-porten")

    for path, name in (
        ("/minid/", "MinID"),
        ("/kontaktinfo/", "Contact and reservation register"),
        ("/postkasse/", "Digital mailbox"),
    ):
        page.goto(path)
        page.follow(page.locator("footer").get_by_role("link", name=f"Help: {name}"))
        expect_help_page(page, name)

    page.follow(page.get_by_role("link", name="Privacy statement").first)
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy statement")
    expect(page.get_by_text("Felles drift AS, Postboks 9 Sentrum, 0101 Oslo")).to_be_visible()


def test_the_login_pages_link_to_help_with_logging_in(page):
    user, _letter, _codes = registered_user()
    log_in_step_one(page, user)
    expect(page.page).to_have_url(re.compile(r"/minid/logg-inn/kode/"))
    page.follow(page.locator("main a[href='/hjelp/minid/#no-code']"))
    expect_help_page(page, "MinID")

    page.goto("/minid/logg-inn/")
    in_english(page)
    page.follow(page.get_by_role("link", name="Help with logging in"))
    expect_help_page(page, "MinID")

    page.goto("/postkasse/")
    page.follow(page.get_by_role("link", name="Help with logging in"))
    expect_help_page(page, "Digital mailbox")

    page.goto("/kontaktinfo/")
    page.follow(page.get_by_role("link", name="Help with logging in"))
    expect_help_page(page, "Contact and reservation register")

    # ID-porten's own login page (the choice of electronic ID), reached as a citizen does.
    page.goto("/kontaktinfo/")
    page.follow(page.locator("main a[href='/kontaktinfo/logg-inn/']"))
    page.follow(page.locator("main a[href='/hjelp/idporten/']"))
    expect_help_page(page, "ID-porten")
