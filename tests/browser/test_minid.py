"""What a citizen does with MinID, in Chromium: every page is checked for accessibility."""

import re

import pytest
from playwright.sync_api import expect

from core.models import AuditEvent
from minid.models import MinidUser, PinLetter
from tests.folkeregister.factories import make_person
from tests.minid.factories import PASSWORD, read_codes, registered_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def demo_outbox(settings):
    settings.DEBUG = True  # the SMS outbox page, where the demo citizen reads SMS codes


def sms_code_from_outbox(page) -> str:
    page.goto("/utvikling/sms/")
    text = page.locator("tbody tr").first.locator("td").last.inner_text()
    return re.search(r"\b([A-Z2-9]{5})\b", text).group(1)


def asked_numbers(page) -> list[int]:
    return [int(n) for n in re.findall(r"PIN-kode nr\. (\d+)", page.content())]


def test_citizen_orders_a_letter_and_registers(page):
    person = make_person(given_name="Ola")
    page.goto("/minid/")
    page.follow(page.get_by_role("link", name="Bestill nytt PIN-brev").first)
    page.get_by_label("Fødselsnummer (11 siffer)").fill(person.identity_number)
    page.follow(page.get_by_role("button", name="Bestill PIN-brev"))
    expect(page.page).to_have_url(re.compile(r"/minid/pinbrev/bestilt/$"))
    codes = read_codes(PinLetter.objects.get(person=person))

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
    code = sms_code_from_outbox(page)
    page.goto("/minid/registrer/bekreft/")
    page.get_by_label("Kode sendt på SMS til mobilen din").fill(code)
    page.follow(page.get_by_role("button", name="Bekreft"))
    page.follow(
        page.get_by_role(
            "button", name="Ja, jeg vil bruke MinID og samtykker i behandling av personopplysninger"
        )
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Du er registrert")
    assert MinidUser.objects.get(person=person).status == MinidUser.Status.ACTIVE


def log_in_step_one(page, user, password=PASSWORD):
    page.goto("/minid/logg-inn/")
    page.get_by_label("Fødselsnummer (11 siffer)").fill(user.person.identity_number)
    page.get_by_label("Passord").fill(password)
    page.follow(page.get_by_role("button", name="Neste"))


def test_citizen_logs_in_with_an_sms_code_from_the_outbox(page):
    user, _letter, _codes = registered_user(mobile="+4741234567")
    log_in_step_one(page, user)
    expect(page.get_by_text("slutter på 67")).to_be_visible()
    code = sms_code_from_outbox(page)
    page.goto("/minid/logg-inn/kode/")
    page.get_by_label("Engangskode").fill(code)
    page.follow(page.get_by_role("button", name="Logg inn"))
    expect(page.page).to_have_url(re.compile(r"/minid/min-side/$"))
    expect(page.get_by_text("+4741234567 (bekreftet)")).to_be_visible()


def test_citizen_logs_in_with_a_pin_code_instead(page):
    user, _letter, codes = registered_user()
    log_in_step_one(page, user)
    page.follow(page.get_by_role("button", name="Jeg vil heller bruke PIN-kode fra brevet"))
    (number,) = asked_numbers(page)
    page.get_by_label("Engangskode").fill(codes[number])
    page.follow(page.get_by_role("button", name="Logg inn"))
    expect(page.page).to_have_url(re.compile(r"/minid/min-side/$"))


def test_citizen_is_locked_out_and_unlocks_with_a_new_letter(page):
    user, _letter, _codes = registered_user()
    for _ in range(5):
        log_in_step_one(page, user, "Feilpassord1")
    # The right password behind the lock gets the wrong password's answer; the lock and how to
    # unlock it go to the citizen's registered mobile and e-mail.
    log_in_step_one(page, user)
    expect(page.get_by_text("Fødselsnummeret eller passordet er feil")).to_be_visible()
    assert AuditEvent.objects.filter(
        action="minid.notice_locked", object_id=user.person.identity_number
    ).exists()

    page.goto("/minid/pinbrev/")
    page.get_by_label("Fødselsnummer (11 siffer)").fill(user.person.identity_number)
    page.follow(page.get_by_role("button", name="Bestill PIN-brev"))
    new_codes = read_codes(PinLetter.objects.filter(person=user.person).first())

    page.goto("/minid/glemt-passord/")
    page.get_by_label("Fødselsnummer (11 siffer)").fill(user.person.identity_number)
    page.follow(page.get_by_role("button", name="Neste"))
    for number in asked_numbers(page):
        page.get_by_label(f"PIN-kode nr. {number}", exact=True).fill(new_codes[number])
    page.get_by_label("Nytt passord", exact=True).fill("Nyttpass42")
    page.get_by_label("Gjenta det nye passordet").fill("Nyttpass42")
    page.follow(page.get_by_role("button", name="Lagre nytt passord"))
    user.refresh_from_db()
    assert user.status == MinidUser.Status.ACTIVE

    log_in_step_one(page, user, "Nyttpass42")
    expect(page.get_by_role("heading", level=1)).to_have_text("Skriv inn engangskoden din")


def log_in(page, user):
    log_in_step_one(page, user)
    code = sms_code_from_outbox(page)
    page.goto("/minid/logg-inn/kode/")
    page.get_by_label("Engangskode").fill(code)
    page.follow(page.get_by_role("button", name="Logg inn"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrerte opplysninger")


def test_citizen_changes_e_mail_with_a_code_sent_to_the_new_address(page):
    from django.core import mail

    user, _letter, _codes = registered_user()
    log_in(page, user)
    page.follow(page.get_by_role("link", name="Endre e-postadresse"))
    page.get_by_label("Ny e-postadresse").fill("kari.ny@example.no")
    page.follow(page.get_by_role("button", name="Send kode"))
    code = re.search(r"\b([A-Z2-9]{5})\b", mail.outbox[-1].body).group(1)
    page.get_by_label("Kode", exact=True).fill(code)
    page.follow(page.get_by_role("button", name="Bekreft"))
    user.refresh_from_db()
    assert user.email == "kari.ny@example.no"
    assert any("kari@example.no" in message.to for message in mail.outbox)  # the old address is told


def test_citizen_deletes_the_minid_user(page):
    user, _letter, _codes = registered_user()
    log_in(page, user)
    page.follow(page.get_by_role("link", name="Slett MinID-brukeren din"))
    page.get_by_label("Jeg forstår at MinID-brukeren min blir slettet og ikke kan gjenopprettes.").check()
    page.follow(page.get_by_role("button", name="Slett MinID-brukeren min"))
    expect(page.page).to_have_url(re.compile(r"/minid/$"))
    assert not MinidUser.objects.filter(pk=user.pk).exists()
