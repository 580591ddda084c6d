"""What a case handler does for MinID in the admin (the PIN letter goes into the digital post's
print batches), and the staff statistics page."""

import re

import pytest
from playwright.sync_api import expect

from minid.models import PinLetter
from tests.folkeregister.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Riktig-hest-batteri-42"


def log_in_to_admin(page, django_user_model):
    django_user_model.objects.create_superuser("admin", "admin@example.no", PASSWORD)
    page.goto("/admin/login/")
    page.get_by_label("Brukernavn").fill("admin")
    page.get_by_label("Passord").fill(PASSWORD)
    page.follow(page.get_by_role("button", name="Logg inn"))


def test_case_handler_orders_a_pin_letter_for_a_citizen(page, django_user_model):
    person = make_person(given_name="Per", family_name="Hansen")
    log_in_to_admin(page, django_user_model)
    page.goto("/admin/minid/pinletter/order/")
    page.get_by_label("Fødselsnummer").fill(person.identity_number)
    page.follow(page.get_by_role("button", name="Bestill PIN-brev"))
    expect(page.get_by_role("cell", name=re.compile("Per Hansen"))).to_be_visible()
    letter = PinLetter.objects.get(person=person)
    assert letter.print_status == PinLetter.PrintStatus.QUEUED

    # The letter is printed with the rest of the day's paper post, from the print batches.
    page.goto("/admin/postkasse/printbatch/")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF", exact=True).click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_staff_sees_the_minid_statistics(page, django_user_model):
    log_in_to_admin(page, django_user_model)
    page.goto("/minid/statistikk/")
    expect(page.get_by_role("heading", level=1)).to_have_text("MinID-statistikk")
    expect(page.get_by_role("img", name=re.compile("Fullførte innlogginger per måned"))).to_be_visible()
