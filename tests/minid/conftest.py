import pytest


@pytest.fixture(autouse=True)
def private_media_and_mail(settings, tmp_path):
    """Letters go to a temporary private storage; e-mail to Django's test outbox."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
