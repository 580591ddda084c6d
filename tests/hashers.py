"""Argon2 with the cheapest parameters, so that the suite does not spend its time hashing.
Same algorithm and hash format as production; only the cost differs."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"
    time_cost = 1
    memory_cost = 64
    parallelism = 1
