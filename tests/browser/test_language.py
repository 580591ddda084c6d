"""The citizen's language through a login: their own choice is kept unless the service asks
ID-porten for a language (ui_locales), and the ID token's locale says which one they used."""

import re

import pytest
from playwright.sync_api import expect

from demo.services import seed_demo_clients
from idporten.models import Authorization
from tests.browser.test_idporten import sms_code
from tests.minid.factories import PASSWORD, registered_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def demo_clients_file(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the demo keeps its clients' secrets in a file there


def expect_language(page, code: str):
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_a_citizen_who_chose_english_logs_in_and_stays_in_english(page, live_server):
    seed_demo_clients(base_urls=[live_server.url])
    user, _letter, _codes = registered_user()
    page.goto("/demo/velferd/")
    page.follow(page.get_by_role("button", name="English"))
    expect_language(page, "en")

    page.follow(page.get_by_role("link", name="Log in with ID-porten"))
    expect_language(page, "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose electronic ID")
    page.follow(page.get_by_role("link", name="MinID", exact=True))
    page.get_by_label("Fødselsnummer (11 digits)").fill(user.person.identity_number)
    page.get_by_label("Password").fill(PASSWORD)
    page.follow(page.get_by_role("button", name="Next"))
    page.get_by_label("One-time code").fill(sms_code())
    page.follow(page.get_by_role("button", name="Log in"))
    page.follow(page.get_by_role("button", name="I consent, continue"))

    expect(page.page).to_have_url(re.compile(r"/demo/velferd/$"))
    expect_language(page, "en")
    expect(page.get_by_text("You are logged in.")).to_be_visible()
    # The ID token's locale claim is read from the authorization: the service learns English.
    assert Authorization.objects.get(client__client_id="demo-velferd").locale == "en"
    page.goto("/")
    expect_language(page, "en")


def test_a_service_asking_for_nynorsk_gets_nynorsk_over_the_citizens_english(page, live_server):
    seed_demo_clients(base_urls=[live_server.url])
    user, _letter, _codes = registered_user()
    page.goto("/demo/velferd/")
    page.follow(page.get_by_role("button", name="English"))

    # The demo relying party sends no ui_locales: its authorization request is sent again as a
    # service asking for Nynorsk would send it (same state and nonce, so the login can finish).
    with page.expect_request(re.compile(r"/idporten/authorize\?")) as asked:
        page.follow(page.get_by_role("link", name="Log in with ID-porten"))
    expect_language(page, "en")
    page.goto(asked.value.url.removeprefix(live_server.url) + "&ui_locales=nn")
    expect_language(page, "nn")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vel elektronisk ID")
    page.follow(page.get_by_role("link", name="MinID", exact=True))
    expect_language(page, "nn")
    page.get_by_label("Fødselsnummer (11 siffer)").fill(user.person.identity_number)
    page.get_by_label("Passord").fill(PASSWORD)
    page.follow(page.get_by_role("button", name="Neste"))
    page.get_by_label("Eingongskode").fill(sms_code())
    page.follow(page.get_by_role("button", name="Logg inn"))
    page.follow(page.get_by_role("button", name="Eg samtykkjer, hald fram"))

    expect(page.page).to_have_url(re.compile(r"/demo/velferd/$"))
    expect(page.get_by_text("Du er logga inn.")).to_be_visible()
    assert Authorization.objects.get(client__client_id="demo-velferd").locale == "nn"
