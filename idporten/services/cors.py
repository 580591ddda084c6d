"""Cross-origin requests (CORS, the Fetch standard) to the token, userinfo, revocation and JWKS
endpoints, from the web origins clients register (Client.allowed_origins): a public client's
single-page app calls them from the citizen's browser.

The decisions live here; the views only put the headers on. A preflight is answered for an origin
that some active client registers (it names no client); an actual response lets the browser read it
only when the origin is registered for the client in question. The allowed origin is always the
exact one asked for, never `*`, and every answer varies by Origin so that no cache hands one
origin's answer to another.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from idporten import keys
from idporten.models import Client

LOCAL_HOSTS = {"localhost", "127.0.0.1"}
DEFAULT_PORTS = {"https": 443, "http": 80}
# Headers a browser app sends that are not CORS-safelisted: the bearer token at userinfo and a
# Content-Type other than a form's.
ALLOWED_HEADERS = "Authorization, Content-Type"
# How long a browser may keep a preflight's answer: short, so that a removed origin stops soon.
MAX_AGE_SECONDS = 600


def normalized_origin(value: str) -> str:
    """An origin as browsers send it (RFC 6454 section 6.1): scheme://host[:port], lower case,
    without the default port, path, query or fragment. https, or http only on the developer's own
    machine, as for redirect URIs. Raises ValidationError otherwise."""
    params = {"origin": value}
    try:
        parts = urlsplit(value.strip())
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:
        raise ValidationError(
            _("%(origin)s: enter an origin, scheme://host[:port]."), code="invalid_origin", params=params
        ) from None
    if not host or any(c.isspace() for c in value.strip()) or "@" in parts.netloc:
        raise ValidationError(
            _("%(origin)s: enter an origin, scheme://host[:port]."), code="invalid_origin", params=params
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment or value.strip().endswith(("?", "#")):
        raise ValidationError(
            _("%(origin)s: an origin has no path, query or fragment."), code="origin_path", params=params
        )
    if not (scheme == "https" or (scheme == "http" and host in LOCAL_HOSTS)):
        raise ValidationError(
            _("%(origin)s: an origin must use https (http only for localhost or 127.0.0.1)."),
            code="insecure_origin",
            params=params,
        )
    shown_port = "" if port is None or port == DEFAULT_PORTS[scheme] else f":{port}"
    return f"{scheme}://{host}{shown_port}"


def normalized_origins(values: list) -> list[str]:
    """A client's allowed_origins, each normalized, without repeats; ValidationError lists every bad one."""
    if not isinstance(values, list):
        raise ValidationError(_("Enter a list of origins."), code="invalid_origins")
    origins, errors = [], []
    for value in values:
        try:
            origins.append(normalized_origin(value if isinstance(value, str) else ""))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return list(dict.fromkeys(origins))


def _registered(origin: str, origins) -> bool:
    # Exactly one of the stored origins: a row written around the service (the shell, a data
    # migration, loaddata) may hold something other than a list, and `in` on a string is a substring test.
    return isinstance(origins, list) and origin in origins


def _registered_by_any_client(origin: str) -> bool:
    # Few clients register origins; JSON containment is not portable to SQLite, so they are read.
    rows = Client.objects.filter(active=True).exclude(allowed_origins=[]).values_list("allowed_origins")
    return any(_registered(origin, origins) for (origins,) in rows)


def _allowed(origin: str) -> dict[str, str]:
    # The app reads the RFC 6750 section 3 challenge of a 401 from userinfo (and the DPoP-less
    # token endpoint's), which a browser hides from scripts unless it is exposed.
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": "WWW-Authenticate",
        "Vary": "Origin",
    }


def preflight_headers(origin: str | None, methods: list[str]) -> dict[str, str]:
    """The answer to an OPTIONS preflight from `origin` for an endpoint that takes `methods`: the
    permissions when some active client registers the origin, none otherwise (the browser then
    stops the request)."""
    if not origin or not _registered_by_any_client(origin):
        return {"Vary": "Origin"}
    return {
        **_allowed(origin),
        "Access-Control-Allow-Methods": ", ".join([*methods, "OPTIONS"]),
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
    }


def client_response_headers(origin: str | None, client: Client | str | None) -> dict[str, str]:
    """The headers for an actual response about `client` (a Client or a client_id): the browser may
    read it only if the origin is registered for that client, and the client is active."""
    if not origin or not client:  # a request from no browser page costs no query
        return {"Vary": "Origin"}
    if isinstance(client, str):  # PostgreSQL refuses NUL in a query; no client_id has one
        found = "\x00" not in client and len(client) <= 100
        client = Client.objects.filter(client_id=client, active=True).first() if found else None
    if client is not None and client.active and _registered(origin, client.allowed_origins):
        return _allowed(origin)
    return {"Vary": "Origin"}


def any_client_response_headers(origin: str | None) -> dict[str, str]:
    """The headers for an actual response that concerns no one client (the JWKS): readable from an
    origin some active client registers."""
    if origin and _registered_by_any_client(origin):
        return _allowed(origin)
    return {"Vary": "Origin"}


def access_token_response_headers(origin: str | None, access_token: str, *, issuer: str) -> dict[str, str]:
    """The headers for a userinfo answer: readable from the origins of the client the access token
    was issued to. The token's own signature tells which client that is, also when it has expired or
    been revoked, so that the app can read the error and log in again."""
    if not origin:
        return {"Vary": "Origin"}
    try:
        claims = keys.verify(access_token, issuer=issuer, audience=issuer, verify_exp=False)
    except keys.SigningError:
        return {"Vary": "Origin"}
    client_id = claims.get("client_id")
    return client_response_headers(origin, client_id if isinstance(client_id, str) else None)
