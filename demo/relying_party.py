"""What a service owner's web application does to log citizens in with ID-porten: discovery,
the code flow with PKCE, state and nonce, the ID token's signature and claims, userinfo and
logout. Everything goes over HTTP, as for any relying party; in development the provider is
the same server (runserver answers on several threads, so it can call itself).

OAuth with Authlib's client; the ID token with joserfc (Authlib's successor to authlib.jose),
algorithms pinned."""

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

ALGORITHMS = ["RS256", "ES256"]
SCOPE = "openid profile"
TIMEOUT = 10


class LoginFailed(Exception):
    """The provider could not be reached, or its answer does not hold."""


@dataclass(frozen=True)
class Login:
    """What the service keeps about a completed login."""

    sub: str
    sid: str
    pid: str
    acr: str
    amr: list[str]
    id_token: str


def _get_json(url: str) -> dict:
    response = requests.get(url, timeout=TIMEOUT)
    response.raise_for_status()
    return response.json()


def discover(issuer: str) -> dict:
    """The provider's metadata (OpenID Connect Discovery), checked to be the issuer's own."""
    try:
        metadata = _get_json(f"{issuer}/.well-known/openid-configuration")
    except (requests.RequestException, ValueError) as error:
        raise LoginFailed(f"Discovery at {issuer} failed: {error}") from None
    if metadata.get("issuer") != issuer:
        raise LoginFailed(f"The metadata at {issuer} names another issuer.")
    return metadata


def start_login(metadata: dict, *, client_id: str, redirect_uri: str) -> tuple[str, dict]:
    """The authorization URL, and what the callback must check (to keep in the session)."""
    oauth = OAuth2Session(client_id, scope=SCOPE, redirect_uri=redirect_uri, code_challenge_method="S256")
    code_verifier, nonce = generate_token(64), generate_token(32)
    url, state = oauth.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=code_verifier, nonce=nonce
    )
    return url, {"state": state, "nonce": nonce, "code_verifier": code_verifier}


def validate_id_token(id_token: str, *, jwks: dict, issuer: str, client_id: str, nonce: str) -> dict:
    """The ID token's claims, if its signature and claims hold (OpenID Connect Core 3.1.3.7)."""
    try:
        token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=ALGORITHMS)
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": client_id},
            nonce={"essential": True, "value": nonce},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            sid={"essential": True},
        ).validate(token.claims)
    except (JoseError, ValueError) as error:
        raise LoginFailed(f"The ID token is not valid: {error}") from None
    return token.claims


def finish_login(
    metadata: dict, *, client_id: str, client_secret: str, redirect_uri: str, pending: dict, callback_url: str
) -> Login:
    """Exchange the code (state and iss checked), validate the ID token, and ask for userinfo."""
    if parse_qs(urlsplit(callback_url).query).get("iss") != [metadata["issuer"]]:
        raise LoginFailed("The answer names another issuer (RFC 9207).")
    with OAuth2Session(
        client_id,
        client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        state=pending["state"],
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    ) as oauth:
        try:
            token = oauth.fetch_token(
                metadata["token_endpoint"],
                authorization_response=callback_url,
                code_verifier=pending["code_verifier"],
                timeout=TIMEOUT,
            )
            claims = validate_id_token(
                token.get("id_token", ""),
                jwks=_get_json(metadata["jwks_uri"]),
                issuer=metadata["issuer"],
                client_id=client_id,
                nonce=pending["nonce"],
            )
            response = oauth.get(metadata["userinfo_endpoint"], timeout=TIMEOUT)
            response.raise_for_status()
            userinfo = response.json()
        except (AuthlibBaseError, requests.RequestException, ValueError) as error:
            raise LoginFailed(f"The token exchange or userinfo failed: {error}") from None
    if userinfo.get("sub") != claims["sub"]:
        raise LoginFailed("userinfo is about another person than the ID token.")
    return Login(
        sub=claims["sub"],
        sid=claims["sid"],
        pid=userinfo.get("pid", ""),
        acr=claims.get("acr", ""),
        amr=claims.get("amr", []),
        id_token=token["id_token"],
    )


def logout_url(metadata: dict, *, id_token: str, post_logout_redirect_uri: str) -> str:
    """RP-initiated logout at the provider, which then logs the citizen out of every service."""
    query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": post_logout_redirect_uri})
    return f"{metadata['end_session_endpoint']}?{query}"
