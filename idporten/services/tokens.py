"""Codes and tokens: issuing the code, the token endpoint (authorization_code and
refresh_token grants), userinfo, revocation (RFC 7009) and introspection (RFC 7662).

Codes live 60 s and are single-use; a replayed code revokes everything it issued.
Refresh tokens rotate on use (idle 600 s) and never outlive the 7200 s authorization.
"""

import base64
import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import audit
from idporten import keys
from idporten.models import (
    AccessToken,
    Authorization,
    AuthorizationCode,
    Client,
    LoginEvent,
    RefreshToken,
    SsoSession,
)
from idporten.services.authorize import LOCALES, AuthRequest
from idporten.services.errors import OAuthError

BEARER = "Bearer"
# The header typ of each token we sign. ID tokens keep plain JWT, which relying parties expect
# (OIDC Core names no other); access tokens are at+jwt (RFC 9068), logout tokens logout+jwt.
ID_TOKEN_TYPE = "JWT"
ACCESS_TOKEN_TYPE = "at+jwt"


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def pairwise_sub(client: Client, identity_number: str) -> str:
    """A subject identifier that differs per client for the same person."""
    return _b64(hashlib.sha256(f"{client.pairwise_salt}:{identity_number}".encode()).digest())


def issue_code(auth_request: AuthRequest, session: SsoSession, *, issuer: str, request=None) -> str:
    """The redirect back to the client with a fresh code, state and iss (RFC 9207)."""
    client = auth_request.client() or Client.objects.get(client_id=auth_request.client_id)
    code = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        authorization = Authorization.objects.create(
            client=client,
            session=session,
            scope=auth_request.scope,
            nonce=auth_request.nonce,
            locale=_language_used(auth_request, request),
            expires_at=now + timedelta(seconds=settings.IDPORTEN_AUTHORIZATION_TTL_SECONDS),
        )
        AuthorizationCode.objects.create(
            code_hash=_hash(code),
            authorization=authorization,
            redirect_uri=auth_request.redirect_uri,
            code_challenge=auth_request.code_challenge,
            expires_at=now + timedelta(seconds=settings.IDPORTEN_CODE_TTL_SECONDS),
        )
        LoginEvent.objects.create(
            identity_number=session.identity_number, client=client, client_name=client.name, acr=session.acr
        )
        audit.record(
            "idporten.login_to_service",
            actor=session.identity_number,
            request=request,
            object_type="idporten.client",
            object_id=client.client_id,
            details={"acr": session.acr, "amr": session.amr},
        )
    return redirect_with(auth_request.redirect_uri, code=code, state=auth_request.state, iss=issuer)


def _language_used(auth_request: AuthRequest, request) -> str:
    """The language the citizen's pages were shown in when the login ended: the ID token's `locale`
    tells the client, so that its own pages can go on in it."""
    language = getattr(request, "LANGUAGE_CODE", "") or auth_request.locale
    return language if language in LOCALES else settings.LANGUAGE_CODE


def redirect_with(redirect_uri: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    if not query:
        return redirect_uri
    return redirect_uri + ("&" if "?" in redirect_uri else "?") + query


def _revoke_authorization(authorization: Authorization, reason: str) -> None:
    now = timezone.now()
    Authorization.objects.filter(pk=authorization.pk, revoked_at__isnull=True).update(revoked_at=now)
    audit.record(
        "idporten.authorization_revoked",
        actor=authorization.client.client_id,
        object_type="idporten.client",
        object_id=authorization.client.client_id,
        outcome=audit.Outcome.DENIED,
        details={"reason": reason},
    )


def _invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description, redirect=False)


def exchange_code(client: Client, *, code: str, redirect_uri: str, code_verifier: str, issuer: str) -> dict:
    with transaction.atomic():
        # The client is not joined in: a code is only ever good for the client that just authenticated.
        row = (
            AuthorizationCode.objects.select_for_update()
            .select_related("authorization__session")
            .filter(code_hash=_hash(code or ""))
            .first()
        )
        if row is None:
            raise _invalid_grant("Unknown code.")
        authorization = row.authorization
        # A code shown by another client is refused without spending it.
        if authorization.client_id != client.pk:
            raise _invalid_grant("The code was issued to another client.")
        authorization.client = client  # the same row, as read (and authenticated) for this request
        replayed = row.used_at is not None
        if replayed:
            _revoke_authorization(authorization, "code replayed")
        else:
            row.used_at = timezone.now()
            row.save(update_fields=["used_at"])
    if replayed:  # raised after the commit, or the revocation would be rolled back with it
        raise _invalid_grant("The code has been used before; what it issued is revoked.")
    if row.expires_at < timezone.now():
        raise _invalid_grant("The code has expired.")
    if redirect_uri != row.redirect_uri:
        raise _invalid_grant("redirect_uri does not match the authorization request.")
    if not (43 <= len(code_verifier or "") <= 128):
        raise _invalid_grant("code_verifier must be 43 to 128 characters.")
    if _b64(hashlib.sha256(code_verifier.encode()).digest()) != row.code_challenge:
        raise _invalid_grant("code_verifier does not match the code_challenge.")
    if authorization.revoked_at is not None or authorization.session.ended_at is not None:
        raise _invalid_grant("The login has ended.")
    return _token_response(authorization, issuer=issuer, with_id_token=True)


def refresh(client: Client, *, refresh_token: str, issuer: str) -> dict:
    if client.auth_method == Client.AuthMethod.NONE:  # RFC 6749 section 5.2; no refresh tokens for them
        raise OAuthError(
            "unauthorized_client",
            "A public client gets no refresh tokens and cannot refresh.",
            redirect=False,
        )
    with transaction.atomic():
        row = (
            RefreshToken.objects.select_for_update()
            .select_related("authorization__client", "authorization__session")
            .filter(token_hash=_hash(refresh_token or ""))
            .first()
        )
        if row is None or row.authorization.client_id != client.pk:
            raise _invalid_grant("Unknown refresh token.")
        authorization = row.authorization
        reused = row.used_at is not None
        if reused:
            _revoke_authorization(authorization, "refresh token reused")
        else:
            now = timezone.now()
            if (
                row.revoked_at
                or row.expires_at < now
                or authorization.revoked_at
                or authorization.expires_at < now
            ):
                raise _invalid_grant("The refresh token has expired or been revoked.")
            row.used_at = now
            row.save(update_fields=["used_at"])
    if reused:  # raised after the commit, or the revocation would be rolled back with it
        raise _invalid_grant("The refresh token has been used before; the login is revoked.")
    return _token_response(authorization, issuer=issuer, with_id_token=False)


def _token_response(authorization: Authorization, *, issuer: str, with_id_token: bool) -> dict:
    client, session = authorization.client, authorization.session
    now = timezone.now()
    access_ttl = settings.IDPORTEN_ACCESS_TOKEN_TTL_SECONDS
    jti = secrets.token_urlsafe(16)
    access_claims = {
        "iss": issuer,
        "aud": issuer,
        "client_id": client.client_id,
        "sub": pairwise_sub(client, session.identity_number),
        "acr": session.acr,
        "scope": authorization.scope,
        "locale": authorization.locale,
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + access_ttl,
        "jti": jti,
    }
    if client.may_receive_pid:
        access_claims["pid"] = session.identity_number
    AccessToken.objects.create(
        jti=jti, authorization=authorization, expires_at=now + timedelta(seconds=access_ttl)
    )
    response = {
        "access_token": keys.sign(access_claims, token_type=ACCESS_TOKEN_TYPE),
        "token_type": BEARER,
        "expires_in": access_ttl,
        "scope": authorization.scope,
    }
    # A public client (a single-page or mobile app) cannot keep a refresh token safe; as ID-porten,
    # it gets none and logs in again (the SSO session makes that quick).
    if client.auth_method != Client.AuthMethod.NONE:
        refresh_token = secrets.token_urlsafe(32)
        refresh_expires = min(
            now + timedelta(seconds=settings.IDPORTEN_REFRESH_IDLE_SECONDS), authorization.expires_at
        )
        RefreshToken.objects.create(
            token_hash=_hash(refresh_token), authorization=authorization, expires_at=refresh_expires
        )
        response["refresh_token"] = refresh_token
    if with_id_token:
        response["id_token"] = keys.sign(
            id_token_claims(authorization, issuer=issuer, now=now),
            algorithm=client.id_token_signed_response_alg,
            token_type=ID_TOKEN_TYPE,
        )
    return response


def id_token_claims(authorization: Authorization, *, issuer: str, now: datetime) -> dict:
    client, session = authorization.client, authorization.session
    claims = {
        "iss": issuer,
        "aud": client.client_id,
        "sub": pairwise_sub(client, session.identity_number),
        "acr": session.acr,
        "amr": [session.amr],
        "auth_time": int(session.auth_time.timestamp()),
        "sid": session.sid,
        "locale": authorization.locale,
        "nonce": authorization.nonce,
        "jti": secrets.token_urlsafe(16),
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + settings.IDPORTEN_ID_TOKEN_TTL_SECONDS,
    }
    if client.may_receive_pid:
        claims["pid"] = session.identity_number
    return claims


def _access_token_row(token: str, *, issuer: str) -> tuple[AccessToken, dict] | None:
    try:
        claims = keys.verify(token, issuer=issuer, audience=issuer)
    except keys.SigningError:
        return None
    row = (
        AccessToken.objects.select_related("authorization__client", "authorization__session")
        .filter(jti=claims.get("jti", ""))
        .first()
    )
    if row is None or row.revoked_at or row.authorization.revoked_at:
        return None
    return row, claims


def userinfo(token: str, *, issuer: str, request=None) -> dict:
    found = _access_token_row(token, issuer=issuer)
    if found is None:
        audit.record(
            "idporten.userinfo_refused",
            actor="unknown",
            request=request,
            outcome=audit.Outcome.DENIED,
        )
        raise OAuthError("invalid_token", "The access token is not valid.", status=401, redirect=False)
    row, claims = found
    info = {"sub": claims["sub"], "acr": claims["acr"], "locale": claims.get("locale", "nb")}
    if "pid" in claims:
        info["pid"] = claims["pid"]
    return info


def revoke(client: Client, *, token: str) -> None:
    """RFC 7009: revoke the client's own access or refresh token; unknown tokens are ignored. A refresh
    token takes the access tokens of the same grant with it (section 2.1)."""
    now = timezone.now()
    refresh_tokens = RefreshToken.objects.filter(token_hash=_hash(token or ""), authorization__client=client)
    AccessToken.objects.filter(
        authorization__in=refresh_tokens.values("authorization"), revoked_at__isnull=True
    ).update(revoked_at=now)
    refresh_tokens.update(revoked_at=now)
    try:
        claims = keys.verify(token, issuer=None, verify_exp=False)  # type: ignore[arg-type]
    except keys.SigningError:
        return
    AccessToken.objects.filter(jti=claims.get("jti", ""), authorization__client=client).update(revoked_at=now)


def introspect(client: Client, *, token: str, issuer: str) -> dict:
    """RFC 7662, for the client's own tokens only."""
    found = _access_token_row(token or "", issuer=issuer)
    if found is not None and found[0].authorization.client_id == client.pk:
        claims = found[1]
        return {
            "active": True,
            "token_type": BEARER,
            **{k: claims[k] for k in ("scope", "client_id", "sub", "exp", "iat", "iss", "acr", "jti")},
        }
    refresh_row = (
        RefreshToken.objects.filter(
            Q(token_hash=_hash(token or "")),
            authorization__client=client,
            used_at__isnull=True,
            revoked_at__isnull=True,
        )
        .select_related("authorization")
        .first()
    )
    if (
        refresh_row is not None
        and refresh_row.expires_at > timezone.now()
        and not refresh_row.authorization.revoked_at
    ):
        # No token_type: RFC 7662 section 2.2 takes it from RFC 6749 section 5.1 (Bearer, ...), which
        # names no type for a refresh token.
        return {
            "active": True,
            "client_id": client.client_id,
            "scope": refresh_row.authorization.scope,
            "exp": int(refresh_row.expires_at.astimezone(UTC).timestamp()),
        }
    return {"active": False}
