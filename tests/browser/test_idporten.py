"""A citizen logs in to two public services through ID-porten: the picker, consent,
single sign-on to the second service, and single logout of both. Every page is checked."""

import re

import pytest
from playwright.sync_api import expect

from core.models import OutboundSms
from demo.services import seed_demo_clients
from tests.minid.factories import PASSWORD, registered_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def demo_clients_file(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the demo keeps its clients' secrets in a file there
    settings.MEDIA_ROOT = tmp_path / "media"


def sms_code() -> str:
    return re.search(r"\b([A-Z2-9]{5})\b", OutboundSms.objects.order_by("-id").first().text).group(1)


def log_in_with_minid(page, user):
    """From the picker: choose MinID, give password and the SMS code."""
    page.follow(page.get_by_role("link", name="MinID", exact=True))
    page.get_by_label("Fødselsnummer (11 siffer)").fill(user.person.identity_number)
    page.get_by_label("Passord").fill(PASSWORD)
    page.follow(page.get_by_role("button", name="Neste"))
    page.get_by_label("Engangskode").fill(sms_code())
    page.follow(page.get_by_role("button", name="Logg inn"))


def test_single_sign_on_and_single_logout_across_two_services(page, live_server):
    seed_demo_clients(base_urls=[live_server.url])
    user, _letter, _codes = registered_user()

    page.goto("/demo/velferd/")
    page.follow(page.get_by_role("link", name="Logg inn med ID-porten"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Velg elektronisk ID")
    expect(page.get_by_text("Logg inn på Velferdsetaten")).to_be_visible()

    log_in_with_minid(page, user)

    expect(page.get_by_role("heading", level=1)).to_have_text("Felles innlogging til offentlige tjenester")
    page.follow(page.get_by_role("button", name="Jeg samtykker, fortsett"))
    expect(page.get_by_text("Du er logget inn.")).to_be_visible()
    expect(page.get_by_text(user.person.identity_number)).to_be_visible()

    # The second service lets the citizen straight through.
    page.goto("/demo/lanefond/")
    page.follow(page.get_by_role("link", name="Logg inn med ID-porten"))
    expect(page.page).to_have_url(re.compile(r"/demo/lanefond/$"))
    expect(page.get_by_text("Du er logget inn.")).to_be_visible()

    # Logging out of one logs out of both. The services' logout frames are held back a
    # moment so that the logout page can be checked before it moves on by itself.
    held = []
    page.route(re.compile(r"/frontchannel-logout"), lambda route: held.append(route))
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_role("button", name="Logg ut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logger ut")
    page.check()
    assert len(held) == 2  # one front-channel logout per service in the session
    for route in held:
        route.continue_()
    page.page.wait_for_url(re.compile(r"/demo/lanefond/$"))
    page.check()
    expect(page.get_by_text("Du er ikke logget inn.")).to_be_visible()
    page.goto("/demo/velferd/")
    expect(page.get_by_text("Du er ikke logget inn.")).to_be_visible()


def test_the_citizen_sees_and_withdraws_consent_on_my_logins(page, live_server):
    seed_demo_clients(base_urls=[live_server.url])
    user, _letter, _codes = registered_user()
    page.goto("/demo/velferd/")
    page.follow(page.get_by_role("link", name="Logg inn med ID-porten"))
    log_in_with_minid(page, user)
    page.follow(page.get_by_role("button", name="Jeg samtykker, fortsett"))

    page.goto("/idporten/mine-innlogginger/")
    expect(page.get_by_role("cell", name=re.compile("Velferdsetaten"))).to_be_visible()
    page.follow(page.get_by_role("button", name="Trekk tilbake samtykket"))
    expect(page.get_by_role("button", name="Trekk tilbake samtykket")).to_have_count(0)
