"""Signing keys for ID tokens and access tokens (RS256 and ES256), and the JWKS.

The private key is kept encrypted (Fernet: AES-128-CBC with HMAC-SHA256) under a key
from the environment (IDPORTEN_KEY_ENCRYPTION_KEY, or one derived from SECRET_KEY).
Every decode names its algorithm explicitly.

Rotation is a schedule kept in the database, so every node switches at the same moment
without being told: `schedule_rotation` (`manage.py rotate_signing_keys`) publishes the next
key in the JWKS at once, and it signs from `signs_from`, IDPORTEN_KEY_PREPUBLISH_SECONDS later.
A relying party that cached the JWKS before that has the key before any token carries it
(OpenID Connect Core 1.0 section 10.1.1). The key it replaces signs until then (its
`retired_at` is the new key's `signs_from`) and stays in the JWKS until every token it signed
has expired (RETIRED_KEY_KEPT). `rotate_now` is for a compromised key: the new key signs at
once and the old one stops signing, so relying parties that cached the JWKS fail on the new
key's tokens until they fetch it again.

Each process keeps the key rows for KEY_SET_SECONDS and the parsed private keys by kid, so
signing and verifying cost no database query. Which key signs is decided by comparing those
rows' timestamps with the clock, so a cached set switches on time. What the cache delays is
news of changes: a scheduled key is seen by the other nodes within KEY_SET_SECONDS, long
before it signs; after `rotate_now`, the other nodes go on signing with the old (still
published) key for up to KEY_SET_SECONDS, and verify the new key's tokens at once (an unknown
kid reloads the set).
"""

import base64
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from jose import jwk, jws, jwt
from jose.exceptions import JOSEError

from idporten.models import SigningKey

ALGORITHMS = ("RS256", "ES256")
DEFAULT_ALGORITHM = "RS256"
# How long a retired key stays published: the longest a token it signed is still presented to
# Felles or a relying party (an ID token as id_token_hint at logout lives as long as its session
# and login), plus a margin for clocks.
RETIRED_KEY_KEPT = timedelta(
    seconds=max(
        settings.IDPORTEN_ID_TOKEN_TTL_SECONDS,
        settings.IDPORTEN_ACCESS_TOKEN_TTL_SECONDS,
        settings.IDPORTEN_AUTHORIZATION_TTL_SECONDS,
        settings.IDPORTEN_SESSION_MAX_SECONDS,
    )
    + 300
)
# How long a process trusts the key rows it read (see the module's docstring).
KEY_SET_SECONDS = 30
MAX_KID_LENGTH = 64  # SigningKey.kid


class SigningError(Exception):
    """A token's key is unknown, or its signature or claims do not hold."""


@dataclass(frozen=True)
class Rotation:
    """A new key, from when it signs, and the keys it replaces (they sign until then)."""

    key: SigningKey
    signs_from: datetime
    replaced: tuple[SigningKey, ...]

    @property
    def replaced_leave_jwks_at(self) -> datetime:
        return self.signs_from + RETIRED_KEY_KEPT


def _fernet() -> Fernet:
    configured = settings.IDPORTEN_KEY_ENCRYPTION_KEY
    if configured:
        return Fernet(configured.encode())
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"felles.idporten.signing-keys"
    ).derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _new_private_key(algorithm: str):
    if algorithm == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"Unsupported signing algorithm {algorithm}.")


def create_key(algorithm: str, *, signs_from: datetime | None = None) -> SigningKey:
    """A new key, published at once; it signs from `signs_from` (None: at once)."""
    private = _new_private_key(algorithm)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    kid = secrets.token_urlsafe(16)
    public_jwk = jwk.construct(pem, algorithm).public_key().to_dict()
    public_jwk.update({"kid": kid, "alg": algorithm, "use": "sig"})
    key = SigningKey.objects.create(
        kid=kid,
        algorithm=algorithm,
        public_jwk=public_jwk,
        encrypted_private_pem=_fernet().encrypt(pem),
        signs_from=signs_from,
    )
    forget_cached_keys()
    transaction.on_commit(forget_cached_keys)
    return key


# The published and scheduled key rows, and until when (time.monotonic()) this process trusts them.
_key_set: tuple[float, tuple[SigningKey, ...]] = (0.0, ())
_key_set_lock = threading.Lock()


def forget_cached_keys() -> None:
    """Read the keys from the database at the next use: after this process changed them, or when
    the rows were changed behind its back (tests)."""
    global _key_set
    _key_set = (0.0, ())


def _key_rows(*, fresh: bool = False) -> tuple[SigningKey, ...]:
    global _key_set
    expires, rows = _key_set
    if fresh or expires <= time.monotonic():
        with _key_set_lock:
            since = timezone.now() - RETIRED_KEY_KEPT
            rows = tuple(SigningKey.objects.filter(Q(retired_at__isnull=True) | Q(retired_at__gte=since)))
            _key_set = (time.monotonic() + KEY_SET_SECONDS, rows)
    return rows


def _starts(key: SigningKey) -> datetime:
    return key.signs_from or key.created


def _signs_now(key: SigningKey, now: datetime) -> bool:
    return _starts(key) <= now and (key.retired_at is None or key.retired_at > now)


def _is_published(key: SigningKey, now: datetime) -> bool:
    return key.retired_at is None or key.retired_at >= now - RETIRED_KEY_KEPT


def _signing_key(rows, algorithm: str, now: datetime) -> SigningKey | None:
    """The newest key of the algorithm whose signs_from has passed and that is not retired."""
    due = [key for key in rows if key.algorithm == algorithm and _signs_now(key, now)]
    return max(due, key=_starts, default=None)


def active_key(algorithm: str = DEFAULT_ALGORITHM) -> SigningKey:
    """The key that signs now; the first key of the algorithm is made on first use."""
    now = timezone.now()
    key = _signing_key(_key_rows(), algorithm, now) or _signing_key(_key_rows(fresh=True), algorithm, now)
    if key is None:
        with transaction.atomic():
            rows = SigningKey.objects.select_for_update().filter(algorithm=algorithm)
            key = _signing_key(rows, algorithm, now) or create_key(algorithm)
    return key


def _replace(algorithm: str, signs_from: datetime) -> Rotation:
    with transaction.atomic():
        # Every key that would still sign at `signs_from`: the active one, and any scheduled before.
        replaced = SigningKey.objects.select_for_update().filter(
            Q(retired_at__isnull=True) | Q(retired_at__gt=signs_from), algorithm=algorithm
        )
        replaced_keys = tuple(replaced)
        replaced.update(retired_at=signs_from)
        key = create_key(algorithm, signs_from=signs_from)
    forget_cached_keys()
    return Rotation(key=key, signs_from=signs_from, replaced=replaced_keys)


def schedule_rotation(algorithm: str) -> Rotation:
    """Publish the algorithm's next key now; it signs from IDPORTEN_KEY_PREPUBLISH_SECONDS later, on
    every node, and the keys it replaces sign until then and stay published for RETIRED_KEY_KEPT more."""
    signs_from = timezone.now() + timedelta(seconds=settings.IDPORTEN_KEY_PREPUBLISH_SECONDS)
    return _replace(algorithm, signs_from)


def rotate_now(algorithm: str, *, withdraw: bool = False) -> Rotation:
    """For a compromised key: a new key that signs at once; the old one stops signing now (on other
    nodes within KEY_SET_SECONDS) and stays published for RETIRED_KEY_KEPT, for the tokens it
    signed. Relying parties that cached the JWKS fail on the new key's tokens until they fetch it
    again.

    With `withdraw`, the replaced keys are deleted, private part and all: they leave the JWKS at
    once and every token they signed stops verifying here (on other nodes within KEY_SET_SECONDS),
    since a thief's tokens cannot be told from ours. Citizens then log in again at each service."""
    rotation = _replace(algorithm, timezone.now())
    if withdraw:
        SigningKey.objects.filter(pk__in=[key.pk for key in rotation.replaced]).delete()
        forget_cached_keys()
    return rotation


def rotate(algorithm: str) -> SigningKey:
    """The emergency rotation (`rotate_now`): the new key signs at once."""
    return rotate_now(algorithm).key


def published_keys():
    """The keys in the JWKS, as a queryset: scheduled, signing, and retired ones whose tokens may
    still be presented."""
    since = timezone.now() - RETIRED_KEY_KEPT
    return SigningKey.objects.filter(Q(retired_at__isnull=True) | Q(retired_at__gte=since))


def jwks() -> dict:
    """The JWK Set: read from the database on each call, so it is never behind this process' cache."""
    now = timezone.now()
    rows = _key_rows(fresh=True)
    for algorithm in ALGORITHMS:
        if _signing_key(rows, algorithm, now) is None:
            active_key(algorithm)
            rows = _key_rows(fresh=True)
    published = sorted((key for key in rows if _is_published(key, now)), key=lambda key: key.created)
    return {"keys": [key.public_jwk for key in published]}


def _published_key(kid: str) -> SigningKey | None:
    now = timezone.now()
    for fresh in (False, True):  # a kid this process has not seen yet: another node's new key?
        for key in _key_rows(fresh=fresh):
            if key.kid == kid:
                return key if _is_published(key, now) else None
    return None


# Decrypted, parsed private keys by (kid, encryption key): parsing a key costs tens of
# milliseconds, so each process does it once per key (and forgets them all past a hundred).
_loaded_keys: dict[tuple[str, str], object] = {}


def _private_key(key: SigningKey):
    cache_key = (key.kid, settings.IDPORTEN_KEY_ENCRYPTION_KEY or settings.SECRET_KEY)
    if cache_key not in _loaded_keys:
        try:
            pem = _fernet().decrypt(bytes(key.encrypted_private_pem))
        except InvalidToken:
            raise SigningError(
                "The signing key cannot be decrypted: IDPORTEN_KEY_ENCRYPTION_KEY changed?"
            ) from None
        if len(_loaded_keys) >= 100:
            _loaded_keys.clear()
        _loaded_keys[cache_key] = jwk.construct(pem.decode(), key.algorithm)
    return _loaded_keys[cache_key]


def sign(claims: dict, *, algorithm: str = DEFAULT_ALGORITHM, token_type: str = "JWT") -> str:
    key = active_key(algorithm)
    return jwt.encode(
        claims, _private_key(key), algorithm=algorithm, headers={"kid": key.kid, "typ": token_type}
    )


def sign_payload(payload: bytes, *, content_type: str, algorithm: str = DEFAULT_ALGORITHM) -> str:
    """A compact JWS over any payload (an API's answer, say), signed with the active key; the key is
    in the JWKS, named by the header's kid."""
    key = active_key(algorithm)
    return jws.sign(
        payload, _private_key(key), algorithm=algorithm, headers={"kid": key.kid, "cty": content_type}
    )


def verify(
    token: str,
    *,
    issuer: str,
    audience: str | None = None,
    verify_exp: bool = True,
    token_type: str | None = None,
) -> dict:
    """Claims of a token this provider signed (with the header typ `token_type`, when given), or
    SigningError."""
    try:
        header = jwt.get_unverified_header(token)
    except (JOSEError, RecursionError):  # python-jose parses with json, which a deep nesting overflows
        raise SigningError("Not a JWT.") from None
    kid = header.get("kid")
    # Anyone can send a header; PostgreSQL refuses NUL in the lookup below.
    if not isinstance(kid, str) or not 0 < len(kid) <= MAX_KID_LENGTH or "\x00" in kid:
        raise SigningError("Unknown key id.")
    if token_type is not None and header.get("typ") != token_type:
        raise SigningError(f"Not a {token_type} token.")
    key = _published_key(kid)
    if key is None:
        raise SigningError("Unknown key id.")
    try:
        return jwt.decode(
            token,
            key.public_jwk,
            algorithms=[key.algorithm],
            issuer=issuer,
            audience=audience,
            options={"verify_aud": audience is not None, "verify_exp": verify_exp},
        )
    except JOSEError as error:
        raise SigningError(str(error)) from None
