"""Authorization requests: validation (code flow, PKCE S256, state and nonce required,
exact redirect URIs) and pushed authorization requests (RFC 9126).

A validated request is kept as a row until the citizen has logged in; the browser
carries only its random reference.
"""

import re
import secrets
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from idporten.models import LEVELS, Authorization, Client, PushedRequest
from idporten.services.clients import get_client
from idporten.services.errors import OAuthError

PAR_PREFIX = "urn:ietf:params:oauth:request_uri:"
MAX_AGE_DIGITS = 9  # over 30 years: any larger max_age means the same
MAX_PARAMETER_LENGTH = 2000
PKCE_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43,128}$")
BASE_SCOPES = {"openid", "profile"}
LOCALES = ("nb", "nn", "en")
PENDING_TTL = timedelta(minutes=15)
_STALE_REQUEST = _(
    "This login has expired or has already been used. Go back to the service and log in again."
)


@dataclass(frozen=True)
class AuthRequest:
    client_id: str
    redirect_uri: str
    scope: str
    state: str
    nonce: str
    code_challenge: str
    acr: str
    locale: str  # what the client asked for with ui_locales; "" when it asked for none
    prompt: str
    max_age: int | None = None  # seconds a login may be old (OIDC Core 3.1.2.1); None: any age

    def as_dict(self) -> dict:
        return asdict(self)

    def client(self) -> Client | None:
        """The active client the request is for, read from the database once per request object."""
        if "_client" not in self.__dict__:
            object.__setattr__(self, "_client", get_client(self.client_id))
        return self.__dict__["_client"]

    def pending_since(self) -> str | None:
        """When the pending request this was read from (pending()) came in, ISO time; else None."""
        return self.__dict__.get("_pending_since")

    def with_client(self, client: Client | None) -> "AuthRequest":
        """Remember the client already read with the request (only an active one counts)."""
        if client is not None and client.client_id == self.client_id and client.active:
            object.__setattr__(self, "_client", client)
        return self


def _client_and_redirect(params: dict) -> tuple[Client, str]:
    """The two checks whose failure is shown to the user, never redirected."""
    client = get_client(params.get("client_id"))
    if client is None:
        raise OAuthError(
            "invalid_client",
            "Unknown client_id.",
            redirect=False,
            message=_(
                "The service that sent you here is not registered with ID-porten, so you cannot log in to it here."
            ),
        )
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:
        # RFC 6749 section 4.1.2.1: never send the citizen on to an address the client has not registered.
        raise OAuthError(
            "invalid_request",
            "redirect_uri is not registered for this client.",
            redirect=False,
            message=_(
                "%(service)s asked us to send you back to an address it has not registered with ID-porten. "
                "To protect you, we do not send you there, and you have not been logged in."
            )
            % {"service": client.name},
        )
    return client, redirect_uri


def validate(params: dict, *, client: Client | None = None) -> AuthRequest:
    """Check an authorization request. The error says whether it may be redirected."""
    for name, value in params.items():
        if len(str(value)) > MAX_PARAMETER_LENGTH:
            raise OAuthError("invalid_request", f"The parameter {name} is too long.", redirect=False)
    if "request" in params and "redirect_uri" not in params:
        # A request object carries the other parameters (RFC 9101 section 5), redirect_uri among them
        # (openid-client sends only client_id and request): refuse it for what it is, not as a missing
        # redirect_uri; with no redirect_uri outside it, the refusal cannot be redirected.
        raise OAuthError(
            "request_not_supported",
            "Request objects are not supported: send the parameters, or push them (PAR).",
            redirect=False,
        )
    found, redirect_uri = _client_and_redirect(params)
    if client is not None and client.pk != found.pk:
        raise OAuthError(
            "invalid_request", "client_id does not match the authenticated client.", redirect=False
        )
    client = found
    if "request" in params:
        # OIDC Core 6.1: a request object Felles does not read is refused, never ignored.
        raise OAuthError(
            "request_not_supported",
            "Request objects are not supported: send the parameters, or push them (PAR).",
        )
    if params.get("response_mode", "query") != "query":
        # Answering form_post or fragment with a query would hand the code to a place the client did not ask.
        raise OAuthError("invalid_request", "response_mode must be query; it is the only one supported.")
    if params.get("response_type") != "code":
        raise OAuthError(
            "unsupported_response_type", "Only the authorization code flow (response_type=code)."
        )
    scopes = set(params.get("scope", "").split())
    if "openid" not in scopes:
        raise OAuthError("invalid_scope", "The scope must include openid.")
    if not scopes <= BASE_SCOPES | set(client.scopes):
        raise OAuthError(
            "invalid_scope",
            "The client may not ask for: " + " ".join(sorted(scopes - BASE_SCOPES - set(client.scopes))),
        )
    for required in ("state", "nonce"):
        if not params.get(required):
            raise OAuthError("invalid_request", f"{required} is required.")
    if Authorization.objects.filter(client=client, nonce=params["nonce"]).exists():
        raise OAuthError("invalid_request", "This nonce has been used before; every request needs a new one.")
    if params.get("code_challenge_method") != "S256" or not PKCE_CHALLENGE.match(
        params.get("code_challenge", "")
    ):
        raise OAuthError("invalid_request", "PKCE with code_challenge_method=S256 is required.")
    prompts = set(params.get("prompt", "").split())
    # OIDC Core 3.1.2.1: a space-separated list; none stands alone.
    if not prompts <= {"login", "consent", "none"} or ("none" in prompts and len(prompts) > 1):
        raise OAuthError("invalid_request", "prompt must be none, or login and/or consent.")
    prompt = " ".join(sorted(prompts))
    max_age = params.get("max_age")
    if max_age is not None and not (str(max_age).isdigit() and len(str(max_age)) <= MAX_AGE_DIGITS):
        raise OAuthError("invalid_request", "max_age must be a whole number of seconds.")
    auth_request = AuthRequest(
        client_id=client.client_id,
        redirect_uri=redirect_uri,
        scope=" ".join(sorted(scopes)),
        state=params["state"],
        nonce=params["nonce"],
        code_challenge=params["code_challenge"],
        acr=_level(params.get("acr_values", ""), client),
        locale=asked_locale(params.get("ui_locales", "")),
        prompt=prompt,
        max_age=int(max_age) if max_age is not None else None,
    )
    return auth_request.with_client(client)


def asked_locale(ui_locales: str) -> str:
    """The first language of ui_locales that we offer, or "" when the client asked for none we have:
    then the citizen's own choice (the language cookie) stands, and is never reset to Bokmål."""
    return next((code for code in ui_locales.split() if code in LOCALES), "")


def _level(acr_values: str, client: Client) -> str:
    """The highest level asked for, and never below the client's minimum."""
    asked = [LEVELS.index(value) for value in acr_values.split() if value in LEVELS]
    return LEVELS[max([*asked, LEVELS.index(client.minimum_level)])]


def push(params: dict, client: Client) -> tuple[str, int]:
    """RFC 9126: validate and store; returns (request_uri, expires_in)."""
    if "request_uri" in params:
        raise OAuthError("invalid_request", "request_uri is not allowed in a pushed request.", redirect=False)
    auth_request = validate(params, client=client)
    request_uri = PAR_PREFIX + secrets.token_urlsafe(32)
    ttl = settings.IDPORTEN_PAR_TTL_SECONDS
    PushedRequest.objects.create(
        request_uri=request_uri,
        client=client,
        parameters=auth_request.as_dict(),
        expires_at=timezone.now() + timedelta(seconds=ttl),
    )
    return request_uri, ttl


def from_query(params: dict) -> AuthRequest:
    """An authorization request from the browser: a pushed one by request_uri, or plain parameters."""
    request_uri = params.get("request_uri")
    if not request_uri:
        return validate(params)
    if not str(request_uri).startswith(PAR_PREFIX):
        # Only the request URIs pushed here (RFC 9126); a request object by reference is not fetched.
        raise OAuthError(
            "request_uri_not_supported",
            "Only request_uri values from the PAR endpoint are supported.",
            redirect=False,
        )
    client = get_client(params.get("client_id"))
    # Pending logins (keep_pending) share the table; only pushed requests are request URIs.
    pushed = PushedRequest.objects.filter(request_uri=request_uri, request_uri__startswith=PAR_PREFIX).first()
    if client is None or pushed is None or pushed.client_id != client.pk:
        raise OAuthError(
            "invalid_request", "Unknown request_uri for this client.", redirect=False, message=_STALE_REQUEST
        )
    if pushed.used_at or pushed.expires_at < timezone.now():
        raise OAuthError(
            "invalid_request",
            "The request_uri has expired or been used.",
            redirect=False,
            message=_STALE_REQUEST,
        )
    pushed.used_at = timezone.now()
    pushed.save(update_fields=["used_at"])
    return AuthRequest(**pushed.parameters).with_client(client)


def keep_pending(auth_request: AuthRequest) -> str:
    """Keep a validated request while the citizen logs in; returns its reference."""
    reference = secrets.token_urlsafe(24)
    PushedRequest.objects.create(
        request_uri=reference,
        client=auth_request.client(),
        parameters={**auth_request.as_dict(), "started": timezone.now().isoformat()},
        expires_at=timezone.now() + PENDING_TTL,
    )
    return reference


def pending(reference: str) -> tuple[AuthRequest, str] | None:
    """The pending request and when it started (ISO time), while it is still open."""
    if "\x00" in reference:  # from the URL path; PostgreSQL refuses NUL in the lookup
        return None
    row = (
        PushedRequest.objects.select_related("client__organisation")
        .filter(request_uri=reference, used_at__isnull=True)
        .first()
    )
    if row is None or row.expires_at < timezone.now() or "started" not in row.parameters:
        return None
    parameters = dict(row.parameters)
    started = parameters.pop("started")
    auth_request = AuthRequest(**parameters).with_client(row.client)
    object.__setattr__(auth_request, "_pending_since", started)
    return auth_request, started


def finish_pending(reference: str) -> None:
    PushedRequest.objects.filter(request_uri=reference).update(used_at=timezone.now())
