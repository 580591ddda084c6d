import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minid import services
from minid.models import MinidUser
from tests.folkeregister.factories import make_person

pytestmark = pytest.mark.django_db


def test_demo_citizen_can_log_in_with_the_printed_password(settings, capsys):
    settings.DEBUG = True
    make_person()
    call_command("seed_demo_citizen")
    call_command("seed_demo_citizen")  # idempotent
    user = MinidUser.objects.get()
    assert user.person.identity_number in capsys.readouterr().out
    assert services.start_login(user.person.identity_number, "Fjellet2026").user == user


def test_demo_citizen_is_refused_outside_development(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo_citizen")
