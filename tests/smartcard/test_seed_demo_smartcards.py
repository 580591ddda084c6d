"""manage.py seed_demo_smartcards: test issuers with current lists and the demo citizen's cards."""

import io
from datetime import timedelta

import pytest
from cryptography import x509
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cardagent.virtualcard import CardImage
from minid.models import MinidUser
from smartkort import services
from smartkort.models import Issuer, Provider, RevocationList
from tests.folkeregister.factories import make_person
from tests.smartcard.factories import der

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    make_person()
    call_command("seed_demo_citizen", stdout=io.StringIO())
    return MinidUser.objects.get().person


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo_smartcards", stdout=out)
    return out.getvalue()


def card_certificate(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(CardImage.load(path).certificate_pem)


def test_the_demo_citizen_gets_a_card_from_each_test_issuer(demo, tmp_path):
    output = seed()
    folder = tmp_path / "demo-smartcards"
    assert {issuer.name: issuer.provider for issuer in Issuer.objects.all()} == {
        "Felles Test Buypass Class 3 CA": Provider.BUYPASS,
        "Felles Test Commfides Person-High CA": Provider.COMMFIDES,
    }
    for slug, provider in (("buypass", Provider.BUYPASS), ("commfides", Provider.COMMFIDES)):
        holder = services.verify_certificate(der(card_certificate(folder / f"{slug}-card.json")))
        assert holder.identity_number == demo.identity_number and holder.provider == provider
        assert (folder / f"{slug}-ca.pem").exists()
        assert (folder / f"{slug}-ca.key").stat().st_mode & 0o077 == 0  # the CA's key: owner only
    assert "PIN 1234" in output


def test_running_again_keeps_the_cards_and_lists(demo, tmp_path):
    seed()
    card = tmp_path / "demo-smartcards" / "buypass-card.json"
    before = card.read_text()
    seed()
    assert card.read_text() == before
    assert RevocationList.objects.count() == 2 and Issuer.objects.count() == 2


def test_a_list_running_out_is_refreshed(demo, tmp_path):
    seed()
    now = timezone.now()
    RevocationList.objects.update(this_update=now - timedelta(days=87), next_update=now + timedelta(days=3))
    seed()
    for issuer in Issuer.objects.all():
        current = issuer.revocation_lists.order_by("-this_update").first()
        assert current.next_update > timezone.now() + timedelta(days=80)
    card = card_certificate(tmp_path / "demo-smartcards" / "buypass-card.json")
    assert services.verify_certificate(der(card)).identity_number == demo.identity_number


def test_outside_development_no_demo_cards_are_made(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        seed()
