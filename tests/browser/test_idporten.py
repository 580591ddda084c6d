"""A citizen logs in to two public services through ID-porten: the picker, consent,
single sign-on to the second service, and single logout of both. Every page is checked."""

import re

import pytest
from playwright.sync_api import expect

from core.models import OutboundSms
from demo.services import DEFAULT_BASE_URLS, seed_demo_clients
from idporten.models import Client
from tests.minid.factories import PASSWORD, registered_user

pytestmark = pytest.mark.django_db(transaction=True)
ADMIN_PASSWORD = "Riktig-hest-batteri-42"


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


def test_the_demo_seeded_for_port_8000_logs_in_on_the_port_it_is_served_on(page, live_server, settings):
    settings.DEBUG = True  # `make demo`, here on the live server's port rather than 8000
    seed_demo_clients(base_urls=list(DEFAULT_BASE_URLS))
    assert not live_server.url.endswith(":8000")
    user, _letter, _codes = registered_user()

    page.goto("/demo/velferd/")
    page.follow(page.get_by_role("link", name="Logg inn med ID-porten"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Velg elektronisk ID")
    log_in_with_minid(page, user)
    page.follow(page.get_by_role("button", name="Jeg samtykker, fortsett"))

    expect(page.page).to_have_url(f"{live_server.url}/demo/velferd/")
    expect(page.get_by_text("Du er logget inn.")).to_be_visible()


def test_an_unregistered_return_address_is_explained_in_the_citizens_language(page, live_server, settings):
    settings.DEBUG = False  # a registration that stays as seeded, for :8000 only
    seed_demo_clients(base_urls=list(DEFAULT_BASE_URLS))

    page.goto("/demo/lanefond/")
    page.follow(page.get_by_role("link", name="Logg inn med ID-porten"))

    expect(page.page).to_have_url(re.compile(r"/idporten/authorize\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Innloggingen kan ikke starte")
    page.follow(page.get_by_role("button", name="English"))
    expect(page.get_by_role("heading", level=1)).to_have_text("The login cannot start")
    expect(
        page.get_by_text(
            "Lånefondet – Mine lån asked us to send you back to an address it has not registered with "
            "ID-porten. To protect you, we do not send you there, and you have not been logged in."
        )
    ).to_be_visible()
    page.get_by_text("Details for the service's developers").click()
    expect(page.get_by_text("redirect_uri is not registered for this client.")).to_be_visible()
    page.check()
    assert "/demo/lanefond/callback" not in page.page.url


def test_a_demo_client_is_edited_in_the_admin_without_its_risk_assessment_asked_again(
    page, live_server, django_user_model
):
    seed_demo_clients(base_urls=[live_server.url])
    django_user_model.objects.create_superuser("admin", "admin@example.no", ADMIN_PASSWORD)
    page.goto("/admin/login/")
    page.get_by_label("Brukernavn").fill("admin")
    page.get_by_label("Passord").fill(ADMIN_PASSWORD)
    page.follow(page.get_by_role("button", name="Logg inn"))
    client = Client.objects.get(client_id="demo-velferd")

    page.goto(f"/admin/idporten/client/{client.pk}/change/")
    expect(page.get_by_label("Økonomisk tap")).to_have_value("2")
    page.get_by_label("Navn som vises til innbyggerne").fill("Velferdsetaten – Mine saker")
    page.follow(page.get_by_role("button", name="Lagre", exact=True))

    expect(page.locator(".messagelist .success")).to_be_visible()
    client.refresh_from_db()
    assert client.name == "Velferdsetaten – Mine saker"
    assert client.risk_economic_loss == 2
