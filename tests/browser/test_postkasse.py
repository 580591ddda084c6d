"""A citizen reads their digital post: logs in through ID-porten with MinID, sees an unread letter
in the inbox, opens it (the PDF shows in the page), moves it to a new folder, and deletes another
letter after confirming."""

import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kontaktregister import services as kontaktregister
from kontaktregister.models import ContactRecord
from postkasse.models import Letter
from tests.browser.test_idporten import log_in_with_minid
from tests.minid.factories import registered_user
from tests.postkasse.factories import providers, send

pytestmark = pytest.mark.django_db(transaction=True)
VIEWER = 'embed[type="application/x-google-chrome-pdf"]'


def pdf_viewer_for(page, path: str, seconds: float = 10):
    """Chromium's own PDF viewer showing the document: a frame at its address with the viewer's
    embed, sized to the PDF's first page (so the PDF was read, not just fetched)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for frame in page.page.frames:
            shown = frame.url == page.base_url + path and frame.locator(VIEWER).count()
            if shown and frame.locator("#sizer").evaluate("sizer => sizer.offsetHeight") > 0:
                return frame
        page.page.wait_for_timeout(100)
    return None


def follow_below_the_pdf(page, locator):
    """Chromium routes a click made in the same moment as Playwright's scrolling to the PDF viewer's
    frame (its hit-test area is not yet moved); scrolled first, the click lands where a person's would."""
    locator.scroll_into_view_if_needed()
    page.page.evaluate(
        "() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))"
    )
    page.follow(locator)


def test_citizen_reads_moves_and_deletes_letters(page, live_server, settings, tmp_path):
    provider = providers(settings, tmp_path)[0]
    user, _letter, _codes = registered_user()
    ContactRecord.objects.create(person=user.person, mobile="+4791234567", mobile_verified_at=timezone.now())
    kontaktregister.choose_mailbox(user.person.identity_number, provider.identifier)
    reminder, _created = send(user.person, title="Påminnelse", sensitive_title="Påminnelse om frist")
    decision, _created = send(user.person, title="Vedtak", sensitive_title="Vedtak om bostøtte")

    page.goto("/postkasse/")
    page.follow(page.get_by_role("link", name="Logg inn med ID-porten"))
    expect(page.get_by_text("Logg inn på Digitaliseringsdirektoratet")).to_be_visible()
    log_in_with_minid(page, user)
    page.follow(page.get_by_role("button", name="Jeg samtykker, fortsett"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Innboks")
    letters = page.get_by_role("listitem").filter(has=page.get_by_role("link", name="Vedtak om bostøtte"))
    expect(letters.get_by_text("Ulest", exact=True)).to_be_visible()
    expect(letters.get_by_text("Velferdsetaten")).to_be_visible()
    page.follow(page.get_by_role("link", name="Ulest: Vedtak om bostøtte"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Vedtak om bostøtte")
    document = page.locator("iframe.postkasse-document")
    expect(document).to_have_attribute("title", "Vedtak")
    assert pdf_viewer_for(page, f"/postkasse/brev/{decision.pk}/dokument/0/") is not None
    expect(page.get_by_role("link", name="Last ned Vedtak (PDF,")).to_be_visible()

    page.follow(page.get_by_role("link", name="Tilbake"))
    expect(page.get_by_role("link", name="Vedtak om bostøtte", exact=True)).to_be_visible()
    page.follow(page.get_by_role("link", name="Mapper"))
    page.get_by_label("Navn på mappen").fill("Bolig")
    page.follow(page.get_by_role("button", name="Opprett mappen"))
    expect(page.get_by_text("Mappen Bolig er opprettet.")).to_be_visible()

    page.follow(page.get_by_role("link", name="Innboks"))
    page.follow(page.get_by_role("link", name="Vedtak om bostøtte"))
    assert pdf_viewer_for(page, f"/postkasse/brev/{decision.pk}/dokument/0/") is not None
    page.get_by_label("Flytt til").select_option(label="Bolig")
    follow_below_the_pdf(page, page.get_by_role("button", name="Flytt", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bolig")
    expect(page.get_by_text("Brevet er flyttet til Bolig.")).to_be_visible()
    expect(page.get_by_role("link", name="Vedtak om bostøtte")).to_be_visible()

    page.follow(page.get_by_role("link", name="Innboks"))
    expect(page.get_by_role("link", name="Vedtak om bostøtte")).to_have_count(0)
    page.follow(page.get_by_role("link", name="Ulest: Påminnelse om frist"))
    follow_below_the_pdf(page, page.get_by_role("link", name="Slett brevet"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vil du slette brevet?")
    page.follow(page.get_by_role("button", name="Ja, slett brevet"))
    expect(page.get_by_text("Brevet er slettet.")).to_be_visible()
    expect(page.get_by_text("Du har ingen brev i innboksen.")).to_be_visible()

    reminder.refresh_from_db()
    decision.refresh_from_db()
    assert reminder.deleted_at is not None
    assert decision.folder.name == "Bolig" and decision.read and decision.status == Letter.Status.DELIVERED
