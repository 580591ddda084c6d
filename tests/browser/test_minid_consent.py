"""MinID's consent page says what the citizen consents to before the user is made: who the data
controller is (name and address from settings), what is passed on to services, that use is logged,
the rights to access, correction and deletion, and a link to the privacy statement."""

import re

import pytest
from playwright.sync_api import expect

from core.models import OutboundSms
from minid.models import MinidUser
from minid.services.pin_letters import order_pin_letter
from tests.browser.test_minid import asked_numbers
from tests.folkeregister.factories import make_person
from tests.minid.factories import PASSWORD, read_codes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def operator(settings):
    settings.FELLES_OPERATOR = {
        **settings.FELLES_OPERATOR,
        "name": "Felles drift AS",
        "address": "Postboks 9 Sentrum, 0101 Oslo",
    }


def register_up_to_consent(page, person, codes):
    page.goto("/minid/registrer/")
    page.get_by_label("Fødselsnummer (11 siffer)").fill(person.identity_number)
    page.follow(page.get_by_role("button", name="Neste"))
    for number in asked_numbers(page):
        page.get_by_label(f"PIN-kode nr. {number}", exact=True).fill(codes[number])
    page.follow(page.get_by_role("button", name="Neste"))
    page.get_by_label("Nytt passord", exact=True).fill(PASSWORD)
    page.get_by_label("Gjenta det nye passordet").fill(PASSWORD)
    page.get_by_label("Mobilnummer").fill("412 34 567")
    page.follow(page.get_by_role("button", name="Neste"))
    code = re.search(r"\b([A-Z2-9]{5})\b", OutboundSms.objects.order_by("-id").first().text).group(1)
    page.get_by_label("Kode sendt på SMS til mobilen din").fill(code)
    page.follow(page.get_by_role("button", name="Bekreft"))
    expect(page.page).to_have_url(re.compile(r"/minid/registrer/samtykke/$"))


def test_consent_page_names_the_controller_what_is_passed_on_the_log_and_the_rights(page):
    person = make_person(given_name="Ola")
    codes = read_codes(order_pin_letter(person.identity_number, ordered_by=person.identity_number))
    register_up_to_consent(page, person, codes)

    page.follow(page.get_by_role("button", name="English"))
    expect(page.page).to_have_url(re.compile(r"/minid/registrer/samtykke/$"))
    main = page.locator("main")
    expect(main).to_contain_text(
        "Felles drift AS, Postboks 9 Sentrum, 0101 Oslo, is the data controller for MinID."
    )
    expect(main).to_contain_text(
        "your fødselsnummer and your preferred language are passed on to that service"
    )
    expect(main).to_contain_text("Every use of MinID is logged")
    expect(main).to_contain_text(
        "You have the right to see what MinID keeps about you, to have wrong information corrected "
        "and to have your information deleted."
    )
    # Nothing is stored as consent by reading: the user is still being registered.
    assert MinidUser.objects.get(person=person).status == MinidUser.Status.REGISTERING

    page.follow(page.get_by_role("link", name="Read the privacy statement"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy statement")
    expect(page.locator("main")).to_contain_text("Felles drift AS, Postboks 9 Sentrum, 0101 Oslo")
    expect(page.get_by_role("heading", name="Your rights")).to_be_visible()

    # Back to the consent page: the registration waits, and consenting finishes it.
    page.goto("/minid/registrer/samtykke/")
    page.follow(
        page.get_by_role(
            "button", name="Yes, I want to use MinID and consent to the processing of personal data"
        )
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("You are registered")
    assert MinidUser.objects.get(person=person).status == MinidUser.Status.ACTIVE
