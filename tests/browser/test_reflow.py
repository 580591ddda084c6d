"""Reflow at 320 px (WCAG 1.4.10) where long words meet narrow screens: the harness checks every
page for sideways scrolling; these pages are visited with the long content that broke them."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kontaktregister import services as kontaktregister
from kontaktregister.models import ContactRecord
from tests.browser.test_idporten import log_in_with_minid
from tests.minid.factories import registered_user
from tests.postkasse.factories import providers, send

pytestmark = pytest.mark.django_db(transaction=True)
TITLE = "Arbeidsavklaringspengeetterbetalingsvedtak for perioden januar–desember"


def test_the_inbox_keeps_the_date_on_a_narrow_screen(page, live_server, settings, tmp_path):
    provider = providers(settings, tmp_path)[0]
    user, _letter, _codes = registered_user()
    ContactRecord.objects.create(person=user.person, mobile="+4791234567", mobile_verified_at=timezone.now())
    kontaktregister.choose_mailbox(user.person.identity_number, provider.identifier)
    send(user.person, title=TITLE, sensitive_title=TITLE, security_level=4)

    page.goto("/postkasse/")
    page.follow(page.get_by_role("link", name="Logg inn med ID-porten"))
    log_in_with_minid(page, user)
    page.follow(page.get_by_role("button", name="Jeg samtykker, fortsett"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Innboks")

    page.set_viewport_size({"width": 320, "height": 640})
    date = page.locator(".postkasse-letter time")
    expect(date).to_be_visible()
    box = date.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
    page.check()
