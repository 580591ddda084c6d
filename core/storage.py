"""Private file storage: files that must never be served as media (letters with codes, archives).

Fields take `storage=private_storage`; the storage is looked up lazily in STORAGES["private"],
so a changed setting (another location in tests, another backend in production) takes effect.
"""

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class _PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages["private"]


_private = _PrivateStorage()


def private_storage():
    return _private


@receiver(setting_changed)
def _forget_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _private._wrapped = empty
