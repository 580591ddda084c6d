"""What a visitor and a case handler see, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_front_page_opens_in_bokmal_and_switches_language(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1)).to_have_text("Felles offentlige digitale tjenester")

    page.follow(page.get_by_role("button", name="Norsk (nynorsk)"))
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    expect(page.get_by_role("heading", level=1)).to_have_text("Felles offentlege digitale tenester")

    page.follow(page.get_by_role("button", name="English"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Common public digital services")

    page.goto("/")  # the choice sticks
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_skip_link_moves_focus_to_the_main_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Hopp til hovedinnhold")
    expect(skip_link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.check()


def test_case_handler_logs_in_to_the_admin(page, django_user_model):
    django_user_model.objects.create_superuser("admin", "admin@example.no", "Riktig-hest-batteri-42")
    page.goto("/")
    page.follow(page.get_by_role("link", name="Logg inn i saksbehandlingen"))
    page.get_by_label("Brukernavn").fill("admin")
    page.get_by_label("Passord").fill("Riktig-hest-batteri-42")
    page.follow(page.get_by_role("button", name="Logg inn"))
    expect(page.page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("link", name="Personer")).to_be_visible()


def test_unknown_address_shows_the_not_found_page(page):
    response = page.goto("/finnes-ikke/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Fant ikke siden")
