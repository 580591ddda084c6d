"""One-time codes: generated from the OS's random source, stored as keyed salted
hashes (HMAC-SHA256 with a key derived from SECRET_KEY), compared in constant time.
A five-digit code has few values, so the key is what stops offline guessing."""

import secrets

from django.utils.crypto import constant_time_compare, salted_hmac

KEY_SALT = "felles.minid.one-time-code"
# Letters and digits that cannot be mistaken for each other on a phone screen.
SMS_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
SMS_CODE_LENGTH = 5
PIN_CODE_DIGITS = 5


def new_pin_code() -> str:
    return f"{secrets.randbelow(10**PIN_CODE_DIGITS):0{PIN_CODE_DIGITS}d}"


def new_sms_code() -> str:
    return "".join(secrets.choice(SMS_ALPHABET) for _ in range(SMS_CODE_LENGTH))


def _digest(salt: str, code: str) -> str:
    return salted_hmac(KEY_SALT, f"{salt}:{code}", algorithm="sha256").hexdigest()


def hash_code(code: str) -> tuple[str, str]:
    """(salt, hash) for storing a code."""
    salt = secrets.token_hex(16)
    return salt, _digest(salt, normalise(code))


def code_matches(salt: str, code_hash: str, candidate: str) -> bool:
    return constant_time_compare(_digest(salt, normalise(candidate)), code_hash)


def normalise(code: str) -> str:
    return "".join(str(code).split()).upper()[:32]
