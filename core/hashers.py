"""Argon2 with its cost from settings (ARGON2_TIME_COST, ARGON2_MEMORY_COST in KiB, ARGON2_PARALLELISM;
Django's values by default). A stored hash made with other parameters still verifies, and Django's
must_update() has it rehashed with the configured ones at the next successful login."""

from django.conf import settings
from django.contrib.auth import hashers


class Argon2PasswordHasher(hashers.Argon2PasswordHasher):
    # The same algorithm name as Django's: the hashes already stored are this hasher's.

    @property
    def time_cost(self) -> int:
        return settings.ARGON2_TIME_COST

    @property
    def memory_cost(self) -> int:
        return settings.ARGON2_MEMORY_COST

    @property
    def parallelism(self) -> int:
        return settings.ARGON2_PARALLELISM
