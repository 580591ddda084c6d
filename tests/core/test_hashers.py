"""Argon2's cost comes from settings, and a changed cost rehashes a password at its next login."""

import pytest
from django.contrib.auth import hashers as django_hashers
from django.contrib.auth.hashers import identify_hasher, make_password

from minid import services
from minid.models import MinidUser
from tests.minid.factories import PASSWORD, registered_user


@pytest.fixture
def configured_argon2(settings):
    settings.PASSWORD_HASHERS = ["core.hashers.Argon2PasswordHasher"]
    settings.ARGON2_TIME_COST, settings.ARGON2_MEMORY_COST, settings.ARGON2_PARALLELISM = 1, 64, 1
    return settings


def test_the_defaults_are_djangos():
    from config import settings as project_settings  # as configured without ARGON2_* in the environment

    django_argon2 = django_hashers.Argon2PasswordHasher
    assert (django_argon2.time_cost, django_argon2.memory_cost, django_argon2.parallelism) == (
        project_settings.ARGON2_TIME_COST,
        project_settings.ARGON2_MEMORY_COST,
        project_settings.ARGON2_PARALLELISM,
    )


def test_the_hash_uses_the_configured_cost(configured_argon2):
    encoded = make_password("Fjellet2026")
    assert encoded.startswith("argon2$argon2id$v=19$m=64,t=1,p=1$")
    configured_argon2.ARGON2_MEMORY_COST = 128
    assert "$m=128,t=1,p=1$" in make_password("Fjellet2026")
    assert identify_hasher(encoded).must_update(encoded)


@pytest.mark.django_db
def test_a_changed_cost_rehashes_the_password_at_the_next_login(configured_argon2):
    user, _letter, _codes = registered_user()
    assert "$m=64,t=1,p=1$" in MinidUser.objects.get(pk=user.pk).password
    configured_argon2.ARGON2_TIME_COST = 2

    services.start_login(user.person.identity_number, PASSWORD)

    stored = MinidUser.objects.get(pk=user.pk).password
    assert "$m=64,t=2,p=1$" in stored
    services.start_login(user.person.identity_number, PASSWORD)  # the new hash verifies
    assert MinidUser.objects.get(pk=user.pk).password == stored  # and is not rewritten again


@pytest.mark.django_db
def test_a_wrong_password_is_not_rehashed(configured_argon2):
    user, _letter, _codes = registered_user()
    before = MinidUser.objects.get(pk=user.pk).password
    configured_argon2.ARGON2_TIME_COST = 2

    with pytest.raises(services.InvalidCredentials):
        services.start_login(user.person.identity_number, "Feil2026passord")

    assert MinidUser.objects.get(pk=user.pk).password == before
