"""The checks every JWT a client signs for us must pass: Maskinporten's JWT-bearer grants
(RFC 7523 section 2.1) and private_key_jwt client assertions (section 2.2).

The claims are read here rather than by python-jose's decode, whose claim checks turn an
`exp` of null, a string, 1e400 or NaN into a TypeError or OverflowError (a 500). Each claim is
checked for its type and range first; the caller turns AssertionInvalid into invalid_grant or
invalid_client.
"""

import json
import math
from collections.abc import Iterable

from jose import jws
from jose.exceptions import JOSEError

# 9999-12-31T23:59:59Z: the last instant a datetime can hold; a NumericDate beyond it is absurd.
MAX_NUMERIC_DATE = 253402300799
MAX_STRING_CLAIM_LENGTH = 1000
MAX_AUDIENCES = 10


class AssertionInvalid(Exception):
    """The assertion's header, signature or claims do not hold; the message says which."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_header(header: dict, algorithms: Iterable[str]) -> str:
    """The header's algorithm, once it is one we accept and no `crit` asks for an extension."""
    # RFC 7515 section 4.1.11: a recipient that does not understand a listed extension must
    # refuse the JWS. We understand none, so any crit is refused.
    if "crit" in header:
        raise AssertionInvalid("The crit header parameter names extensions this server does not support.")
    algorithm = header.get("alg")
    if not isinstance(algorithm, str) or algorithm not in algorithms:
        raise AssertionInvalid("The assertion must be signed with " + " or ".join(algorithms) + ".")
    return algorithm


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def verified_claims(token: str, key, algorithm: str) -> dict:
    """The claims of a JWT whose signature `key` made with `algorithm`; no claim is checked yet."""
    try:
        payload = jws.verify(token, key, algorithms=[algorithm])
    except (JOSEError, RecursionError):  # python-jose parses the header with json
        raise AssertionInvalid("The assertion's signature does not hold.") from None
    try:
        # NaN and Infinity are not JSON (RFC 8259 section 6), though Python's parser takes them.
        claims = json.loads(payload.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # also UnicodeDecodeError and integers of over 4300 digits
        raise AssertionInvalid("The assertion's claims are not a JSON object.") from None
    if not isinstance(claims, dict):
        raise AssertionInvalid("The assertion's claims are not a JSON object.")
    return claims


def numeric_date(claims: dict, name: str, *, required: bool) -> float | None:
    """A NumericDate claim (RFC 7519 section 2): seconds since 1970, finite, up to year 9999."""
    if name not in claims and not required:
        return None
    value = claims.get(name)
    # bool is an int in Python, and true is no date.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AssertionInvalid(f"The assertion's {name} must be a number of seconds since 1970.")
    if not math.isfinite(value) or not 0 <= value <= MAX_NUMERIC_DATE:
        raise AssertionInvalid(f"The assertion's {name} is not a date between 1970 and 9999.")
    return value


def string_claim(
    claims: dict, name: str, *, required: bool, max_length: int = MAX_STRING_CLAIM_LENGTH
) -> str | None:
    """A string claim of 1 to max_length characters, without NUL (which PostgreSQL cannot store)."""
    if name not in claims and not required:
        return None
    value = claims.get(name)
    if not isinstance(value, str) or not value:
        raise AssertionInvalid(f"The assertion's {name} must be a non-empty string.")
    if len(value) > max_length:
        raise AssertionInvalid(f"The assertion's {name} may be at most {max_length} characters.")
    if "\x00" in value:
        raise AssertionInvalid(f"The assertion's {name} may not contain NUL characters.")
    return value


def audiences(claims: dict) -> list[str]:
    """The aud claim: a string or a list of strings (RFC 7519 section 4.1.3)."""
    value = claims.get("aud")
    if isinstance(value, str) and value:
        return [value]
    if (
        isinstance(value, list)
        and 0 < len(value) <= MAX_AUDIENCES
        and all(isinstance(item, str) and item for item in value)
    ):
        return value
    raise AssertionInvalid(
        f"The assertion's aud must be a string or a list of at most {MAX_AUDIENCES} strings."
    )
