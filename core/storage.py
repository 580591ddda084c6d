"""Private file storage: files that must never be served as media (letters with codes, archives)."""

from django.core.files.storage import storages


def private_storage():
    return storages["private"]
