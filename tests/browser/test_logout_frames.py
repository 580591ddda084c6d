"""A session that times out while the citizen is away logs them out of the services in it too: the
next page of Felles the browser opens loads each service's front-channel logout frame, and the
service (the demo, a real relying party) is logged out by it. Every page is checked."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from demo.services import seed_demo_clients
from idporten.models import SsoSession
from tests.browser.test_idporten import log_in_with_minid
from tests.minid.factories import registered_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def demo_clients_file(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the demo keeps its clients' secrets in a file there
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_frames_of_a_timed_out_session_load_on_the_next_page(page, live_server):
    seed_demo_clients(base_urls=[live_server.url])
    user, _letter, _codes = registered_user()
    page.goto("/demo/velferd/")
    page.follow(page.get_by_role("link", name="Logg inn med ID-porten"))
    log_in_with_minid(page, user)
    page.follow(page.get_by_role("button", name="Jeg samtykker, fortsett"))
    expect(page.get_by_text("Du er logget inn.")).to_be_visible()
    session = SsoSession.objects.get()

    # The citizen is away past the idle limit, then logs in to another service.
    SsoSession.objects.update(last_seen=timezone.now() - timedelta(seconds=1801))
    page.goto("/demo/lanefond/")
    with page.expect_response(re.compile(r"/demo/velferd/frontchannel-logout\?")) as frame_load:
        page.follow(page.get_by_role("link", name="Logg inn med ID-porten"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Velg elektronisk ID")
    assert frame_load.value.status == 200
    assert f"sid={session.sid}" in frame_load.value.url
    session.refresh_from_db()
    assert session.end_reason == "timeout"
    assert session.frontchannel_shown_at is not None

    # The frame logged the citizen out of the first service.
    page.goto("/demo/velferd/")
    expect(page.get_by_text("Du er ikke logget inn.")).to_be_visible()


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_a_service_without_an_id_token_asks_id_porten_to_log_the_citizen_out(page, live_server, answer):
    """RP-Initiated Logout 1.0 section 2 with client_id and post_logout_redirect_uri, no id_token_hint:
    ID-porten asks the citizen, and only a yes logs out (with the front-channel frames); either way the
    citizen is back at the service with its state."""
    clients = seed_demo_clients(base_urls=[live_server.url])
    velferd = next(client for client in clients if "/demo/velferd/" in client.post_logout_redirect_uris[0])
    user, _letter, _codes = registered_user()
    page.goto("/demo/velferd/")
    page.follow(page.get_by_role("link", name="Logg inn med ID-porten"))
    log_in_with_minid(page, user)
    page.follow(page.get_by_role("button", name="Jeg samtykker, fortsett"))
    expect(page.get_by_text("Du er logget inn.")).to_be_visible()

    back_to = velferd.post_logout_redirect_uris[0]
    page.goto(
        f"/idporten/endsession?client_id={velferd.client_id}&post_logout_redirect_uri={back_to}&state=s1"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Vil du logge ut?")
    expect(page.get_by_text(f"{velferd.name} ber ID-porten logge deg ut.")).to_be_visible()
    if answer == "yes":
        # The service's logout frame is held back a moment so that the logout page can be checked
        # before it moves on by itself.
        held = []
        page.route(re.compile(r"/demo/velferd/frontchannel-logout\?"), lambda route: held.append(route))
        with page.expect_navigation(wait_until="domcontentloaded"):
            page.get_by_role("button", name="Logg ut av alle tjenester").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Logger ut")
        page.check()
        assert len(held) == 1
        held[0].continue_()
        page.wait_for_url(re.compile(r"/demo/velferd/\?state=s1$"))
        page.check()
        assert SsoSession.objects.get().ended_at is not None
        page.goto("/demo/velferd/")
        expect(page.get_by_text("Du er ikke logget inn.")).to_be_visible()
    else:
        page.follow(page.get_by_role("button", name=f"Forbli innlogget og gå tilbake til {velferd.name}"))
        page.wait_for_url(re.compile(r"/demo/velferd/\?state=s1$"))
        assert SsoSession.objects.get().ended_at is None
        expect(page.get_by_text("Du er logget inn.")).to_be_visible()
