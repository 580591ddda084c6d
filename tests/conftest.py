"""Shared fixtures. Tasks run immediately in tests, except in the worker's own test."""

import pytest
from asgiref.local import Local
from django.core.signals import setting_changed
from django.dispatch import receiver
from django_tasks import task_backends

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}


@receiver(setting_changed)
def reset_task_backends(*, setting, **kwargs):
    # django-tasks caches its backends like Django caches CACHES; forget them when TASKS changes.
    if setting == "TASKS":
        task_backends._settings = task_backends.settings = task_backends.configure_settings(None)
        task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture(autouse=True)
def run_tasks_immediately(settings):
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture(autouse=True)
def fresh_signing_keys():
    """Each test reads ID-porten's signing keys from its own database, not from a process cache
    filled by an earlier test whose rows were rolled back."""
    from idporten import keys

    keys.forget_cached_keys()


@pytest.fixture(autouse=True)
def fresh_smartcard_providers():
    """The eID picker's smartcard issuers are read from each test's own database, not from a process
    cache filled by an earlier test."""
    from smartkort.services import registry

    registry.forget_cached_providers()


@pytest.fixture(autouse=True)
def fresh_intake_key():
    """Postkasse's intake key pair is read from each test's own database, not from a process cache
    filled before a flush made a new one."""
    from postkasse.services import keys

    keys.forget_intake_pair()


@pytest.fixture(autouse=True)
def cheap_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["tests.hashers.CheapArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def private_files_in_tmp(settings, tmp_path):
    """Letters with codes and other private files go to the test's own folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="saksbehandler", password="Riktig-hest-batteri-42", is_staff=True
    )
