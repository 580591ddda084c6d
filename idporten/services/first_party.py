"""Felles' own citizen services (the contact register's self-service, the digital mailbox) as
ID-porten clients.

They log citizens in like any service owner: the authorization endpoint with PKCE, state and
nonce, the eID picker, consent and single sign-on. Living on the provider's own server, they
exchange the code in-process rather than over HTTP, so their clients have no secret and
cannot be used at the token endpoint from outside. A login here lasts only as long as the
SSO session it came from: logging out of ID-porten anywhere logs the citizen out here too.
"""

import base64
import hashlib
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from idporten import keys
from idporten.models import LEVELS, LOA_SUBSTANTIAL, Client
from idporten.services.clients import create_client, get_client, update_client
from idporten.services.errors import OAuthError
from idporten.services.issuer import issuer
from idporten.services.sso import current_session
from idporten.services.tokens import exchange_code
from virksomheter import services as virksomheter

SETUP_ACTOR = "felles"


@dataclass(frozen=True)
class FirstPartyService:
    """One of Felles' own services; its URL names are in the given namespace."""

    client_id: str
    name: str
    namespace: str  # URL names: <namespace>:home, <namespace>:callback

    def _key(self, suffix: str) -> str:
        return f"{self.client_id}.{suffix}"


@dataclass(frozen=True)
class CitizenLogin:
    identity_number: str
    sid: str
    acr: str
    amr: list[str]
    auth_time: int
    id_token: str


def _urls(request, service: FirstPartyService) -> tuple[str, str]:
    base = issuer(request)
    return base + reverse(f"{service.namespace}:callback"), base + reverse(f"{service.namespace}:home")


@transaction.atomic
def _client(request, service: FirstPartyService) -> Client:
    """The service's client, registered on first use and kept in step with where it runs."""
    callback, home = _urls(request, service)
    if get_client(service.client_id) is None:
        try:
            with transaction.atomic():  # two first logins at once: one registers, the other reads it
                client, _secret = create_client(
                    client_id=service.client_id,
                    organisation=virksomheter.operator_organisation(),
                    name=service.name,
                    redirect_uris=[callback],
                    post_logout_redirect_uris=[home],
                    scopes=["openid", "profile"],
                    may_receive_pid=True,
                    created_by=SETUP_ACTOR,
                    request=request,
                )
                # No secret is ever handed out: the code is exchanged in-process only.
                Client.objects.filter(pk=client.pk).update(secret_hash="")
                return client
        except (IntegrityError, ValidationError):
            pass
    client = Client.objects.select_for_update().get(client_id=service.client_id)
    changed = []
    if callback not in client.redirect_uris:
        client.redirect_uris = [*client.redirect_uris, callback]
        changed.append("redirect_uris")
    if home not in client.post_logout_redirect_uris:
        client.post_logout_redirect_uris = [*client.post_logout_redirect_uris, home]
        changed.append("post_logout_redirect_uris")
    if changed:
        update_client(client, changed_fields=changed, changed_by=SETUP_ACTOR, request=request)
    return client


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def start_login(
    request, service: FirstPartyService, *, acr: str = LOA_SUBSTANTIAL, next_url: str = ""
) -> str:
    """The authorization request's URL; what the callback must check is kept in the session."""
    client = _client(request, service)
    callback, _home = _urls(request, service)
    pending = {
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": secrets.token_urlsafe(48),
        "next": next_url,
    }
    request.session[service._key("pending")] = pending
    query = {
        "client_id": client.client_id,
        "redirect_uri": callback,
        "response_type": "code",
        "scope": "openid profile",
        "state": pending["state"],
        "nonce": pending["nonce"],
        "code_challenge": _challenge(pending["verifier"]),
        "code_challenge_method": "S256",
        "acr_values": acr,
        "ui_locales": getattr(request, "LANGUAGE_CODE", "nb"),
    }
    return f"{reverse('idporten:authorize')}?{urlencode(query)}"


def finish_login(request, service: FirstPartyService) -> tuple[CitizenLogin, str]:
    """Check the answer at the callback and exchange the code; returns the login and where to go next.
    Raises OAuthError for an answer that does not hold (or access_denied when the citizen cancelled)."""
    pending = request.session.pop(service._key("pending"), None)
    params = request.GET
    if pending is None or params.get("state") != pending["state"]:
        raise OAuthError("invalid_request", "No login was started here, or it has been used.")
    if "error" in params:
        raise OAuthError(params["error"], params.get("error_description", ""))
    if params.get("iss") != issuer(request):
        raise OAuthError("invalid_request", "The answer names another issuer (RFC 9207).")
    callback, _home = _urls(request, service)
    tokens = exchange_code(
        _client(request, service),
        code=params.get("code", ""),
        redirect_uri=callback,
        code_verifier=pending["verifier"],
        issuer=issuer(request),
    )
    try:
        claims = keys.verify(tokens["id_token"], issuer=issuer(request), audience=service.client_id)
    except keys.SigningError:
        raise OAuthError("invalid_grant", "The ID token is not valid.") from None
    if claims.get("nonce") != pending["nonce"]:
        raise OAuthError("invalid_grant", "The ID token's nonce does not match.")
    login = CitizenLogin(
        identity_number=claims["pid"],
        sid=claims["sid"],
        acr=claims["acr"],
        amr=claims["amr"],
        auth_time=claims["auth_time"],
        id_token=tokens["id_token"],
    )
    request.session[service._key("login")] = asdict(login)
    return login, pending["next"]


def current_login(request, service: FirstPartyService, *, acr: str = LOA_SUBSTANTIAL) -> CitizenLogin | None:
    """The citizen logged in to this service at the given level or higher, while the SSO session lasts."""
    stored = request.session.get(service._key("login"))
    if stored is None:
        return None
    login = CitizenLogin(**stored)
    session = current_session(request)
    if session is None or session.sid != login.sid:
        del request.session[service._key("login")]
        return None
    if LEVELS.index(login.acr) < LEVELS.index(acr):
        return None
    return login


def logout_url(request, service: FirstPartyService) -> str:
    """Log out here, then at ID-porten (which logs the citizen out of every service in the session)."""
    stored = request.session.pop(service._key("login"), None)
    _callback, home = _urls(request, service)
    if stored is None:
        return home
    query = urlencode({"id_token_hint": stored["id_token"], "post_logout_redirect_uri": home})
    return f"{reverse('idporten:endsession')}?{query}"


def auth_time(login: CitizenLogin) -> datetime:
    return datetime.fromtimestamp(login.auth_time, tz=UTC)
