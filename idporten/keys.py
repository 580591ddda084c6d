"""Signing keys for ID tokens and access tokens (RS256 and ES256), and the JWKS.

The private key is kept encrypted (Fernet: AES-128-CBC with HMAC-SHA256) under a key
from the environment (IDPORTEN_KEY_ENCRYPTION_KEY, or one derived from SECRET_KEY).
`manage.py rotate_signing_keys` makes new keys; retired keys stay in the JWKS until
every token they signed has expired. Every decode names its algorithm explicitly.
"""

import base64
import secrets
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from jose import jwk, jws, jwt
from jose.exceptions import JOSEError

from idporten.models import SigningKey

ALGORITHMS = ("RS256", "ES256")
DEFAULT_ALGORITHM = "RS256"
# Longest-lived token a key signs (the refresh-backed authorization), plus a margin.
RETIRED_KEY_KEPT = timedelta(seconds=7200 + 300)
MAX_KID_LENGTH = 64  # SigningKey.kid


class SigningError(Exception):
    """A token's key is unknown, or its signature or claims do not hold."""


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


def create_key(algorithm: str) -> SigningKey:
    private = _new_private_key(algorithm)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    kid = secrets.token_urlsafe(16)
    public_jwk = jwk.construct(pem, algorithm).public_key().to_dict()
    public_jwk.update({"kid": kid, "alg": algorithm, "use": "sig"})
    return SigningKey.objects.create(
        kid=kid, algorithm=algorithm, public_jwk=public_jwk, encrypted_private_pem=_fernet().encrypt(pem)
    )


def active_key(algorithm: str = DEFAULT_ALGORITHM) -> SigningKey:
    key = SigningKey.objects.filter(algorithm=algorithm, retired_at__isnull=True).first()
    if key is None:
        with transaction.atomic():
            key = (
                SigningKey.objects.select_for_update()
                .filter(algorithm=algorithm, retired_at__isnull=True)
                .first()
            )
            key = key or create_key(algorithm)
    return key


def rotate(algorithm: str) -> SigningKey:
    """A new active key; the old one is retired but still published for a while."""
    with transaction.atomic():
        SigningKey.objects.filter(algorithm=algorithm, retired_at__isnull=True).update(
            retired_at=timezone.now()
        )
        return create_key(algorithm)


def published_keys():
    since = timezone.now() - RETIRED_KEY_KEPT
    return SigningKey.objects.filter(retired_at__isnull=True) | SigningKey.objects.filter(
        retired_at__gte=since
    )


def jwks() -> dict:
    for algorithm in ALGORITHMS:
        active_key(algorithm)
    return {"keys": [key.public_jwk for key in published_keys().order_by("created")]}


# Decrypted, parsed private keys by (kid, encryption key): parsing a key costs tens of
# milliseconds, so each process does it once per key.
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
    key = published_keys().filter(kid=kid).first()
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
