"""A citizen keeps their contact information in the contact register: logs in through ID-porten
with MinID, is asked to confirm old information, changes the mobile number with a code,
reserves against digital post, finds no mailbox provider yet, and reads the change history."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.models import OutboundSms
from kontaktregister import services
from kontaktregister.models import ContactRecord
from tests.browser.test_idporten import log_in_with_minid
from tests.minid.factories import registered_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_citizen_keeps_contact_information_up_to_date(page, live_server):
    user, _letter, _codes = registered_user()
    long_ago = timezone.now() - timedelta(days=600)
    ContactRecord.objects.create(
        person=user.person, mobile="+4791234567", mobile_verified_at=long_ago, mobile_updated_at=long_ago
    )

    page.goto("/kontaktinfo/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kontaktinformasjonen din for det offentlige")
    page.follow(page.get_by_role("link", name="Logg inn med ID-porten"))
    expect(page.get_by_text("Logg inn på Digitaliseringsdirektoratet")).to_be_visible()
    log_in_with_minid(page, user)
    page.follow(page.get_by_role("button", name="Jeg samtykker, fortsett"))

    expect(page.get_by_role("heading", name="Er kontaktinformasjonen din fortsatt riktig?")).to_be_visible()
    page.follow(page.get_by_role("button", name="Ja, den er riktig"))
    expect(page.get_by_text("Takk. Kontaktinformasjonen din er bekreftet.")).to_be_visible()

    page.follow(page.get_by_role("link", name="Endre mobilnummer"))
    page.get_by_label("Mobilnummer").fill("98765432")
    page.follow(page.get_by_role("button", name="Send kode"))
    code = re.search(r"\b(\d{6})\b", OutboundSms.objects.order_by("-id").first().text).group(1)
    page.get_by_label("Kode").fill("000000" if code != "000000" else "111111")
    page.follow(page.get_by_role("button", name="Bekreft"))
    expect(page.get_by_text("Koden er feil. Sjekk den og prøv igjen.").first).to_be_visible()
    page.get_by_label("Kode").fill(code)
    page.follow(page.get_by_role("button", name="Bekreft"))
    expect(page.get_by_text("+4798765432 er registrert og bekreftet.")).to_be_visible()

    page.follow(page.get_by_role("link", name="Reserver deg mot digital post"))
    expect(page.get_by_text("Brev på papir bruker lengre tid")).to_be_visible()
    page.follow(page.get_by_role("button", name="Reserver meg mot digital post"))
    expect(page.get_by_text("Reservert: du får brev fra det offentlige på papir")).to_be_visible()

    page.follow(page.get_by_role("link", name="Velg digital postkasse"))
    expect(page.get_by_text("Ingen leverandører av digital postkasse er registrert ennå")).to_be_visible()
    page.follow(page.get_by_role("link", name="Tilbake til kontaktinformasjonen din"))

    page.follow(page.get_by_role("link", name="Se endringshistorikken din"))
    rows = page.get_by_role("row")
    expect(rows.nth(1)).to_contain_text("Reservert mot digital post")
    expect(rows.nth(2)).to_contain_text("Mobilnummer registrert og bekreftet")
    record = services.contact_record(user.person.identity_number)
    assert record.mobile == "+4798765432" and record.reserved

    page.follow(page.get_by_role("link", name="Tilbake til kontaktinformasjonen din"))
    page.follow(page.get_by_role("button", name="Logg ut"))
    page.page.wait_for_url(re.compile(r"/kontaktinfo/$"))
    page.check()
    expect(page.get_by_role("link", name="Logg inn med ID-porten")).to_be_visible()
