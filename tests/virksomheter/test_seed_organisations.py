from io import StringIO

import pytest
from django.core.management import call_command

from virksomheter.models import PNG_SIGNATURE, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def seed_organisations() -> str:
    out = StringIO()
    call_command("seed_organisations", stdout=out)
    return out.getvalue()


def test_seeding_creates_the_four_demo_organisations():
    output = seed_organisations()

    assert Organisation.objects.count() == 4
    assert "4 created" in output


def test_seeding_twice_still_gives_four_organisations():
    seed_organisations()

    output = seed_organisations()

    assert Organisation.objects.count() == 4
    assert "0 created" in output


def test_every_demo_organisation_has_a_png_logo_in_media(media_root):
    seed_organisations()

    for organisation in Organisation.objects.all():
        logo = media_root / organisation.logo.name
        assert logo.read_bytes().startswith(PNG_SIGNATURE), organisation.name_nb


def test_demo_phone_numbers_are_stored_in_e164():
    seed_organisations()

    assert all(phone.startswith("+47") for phone in Organisation.objects.values_list("phone", flat=True))
