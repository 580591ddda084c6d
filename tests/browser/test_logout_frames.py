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
