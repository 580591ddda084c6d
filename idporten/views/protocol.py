"""The OpenID Connect endpoints: discovery, JWKS, PAR, authorize, token, userinfo,
revocation, introspection. Thin: parse, call a service, answer as the specs say."""

from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import audit
from core.middleware import use_language
from idporten import eid, keys, services
from idporten.models import LEVELS
from idporten.ratelimit import check_token_rate
from idporten.services import cors, params
from idporten.services.issuer import issuer


def endpoint(request, name: str) -> str:
    return (
        request.build_absolute_uri(reverse(f"idporten:{name}"))
        if not settings.IDPORTEN_ISSUER
        else (settings.IDPORTEN_ISSUER + reverse(f"idporten:{name}"))
    )


REALM = "ID-porten"
CONFIDENTIAL_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]
ASSERTION_ALGORITHMS = ["RS256", "ES256"]  # idporten.services.clients.ASSERTION_ALGORITHMS


def _no_store(response):
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def oauth_error(error: services.OAuthError) -> JsonResponse:
    response = JsonResponse(error.as_dict(), status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = (
            f'Bearer realm="{REALM}", error="{error.error}"'
            if error.error == "invalid_token"
            else f'Basic realm="{REALM}"'  # RFC 7617 section 2: realm is required
        )
    return _no_store(response)


def _with_cors(response, headers: dict[str, str]):
    """Put on the CORS headers idporten.services.cors decided."""
    for name, value in headers.items():
        if name == "Vary":
            patch_vary_headers(response, [value])
        else:
            response[name] = value
    return response


def _answers_preflight(*methods: str):
    """The view also answers CORS preflights (OPTIONS) for `methods`; other requests reach it."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "OPTIONS":
                headers = cors.preflight_headers(request.headers.get("Origin"), list(methods))
                return _with_cors(HttpResponse(status=204), headers)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


@require_GET
def discovery(request):
    return JsonResponse(
        {
            "issuer": issuer(request),
            "authorization_endpoint": endpoint(request, "authorize"),
            "pushed_authorization_request_endpoint": endpoint(request, "par"),
            "token_endpoint": endpoint(request, "token"),
            "userinfo_endpoint": endpoint(request, "userinfo"),
            "end_session_endpoint": endpoint(request, "endsession"),
            "revocation_endpoint": endpoint(request, "revoke"),
            "introspection_endpoint": endpoint(request, "introspect"),
            "jwks_uri": endpoint(request, "jwks"),
            "scopes_supported": ["openid", "profile"],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "request_uri_parameter_supported": False,
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": list(keys.ALGORITHMS),
            # none: public clients (single-page and mobile apps), with PKCE and without refresh tokens.
            "token_endpoint_auth_methods_supported": [*CONFIDENTIAL_AUTH_METHODS, "none"],
            "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
            "revocation_endpoint_auth_methods_supported": [*CONFIDENTIAL_AUTH_METHODS, "none"],
            "revocation_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
            "introspection_endpoint_auth_methods_supported": CONFIDENTIAL_AUTH_METHODS,
            "introspection_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
            "code_challenge_methods_supported": ["S256"],
            "acr_values_supported": list(LEVELS),
            "ui_locales_supported": ["nb", "nn", "en"],
            "claims_supported": [
                "iss",
                "sub",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "acr",
                "amr",
                "pid",
                "sid",
                "locale",
                "nonce",
                "jti",
            ],
            "authorization_response_iss_parameter_supported": True,
            "frontchannel_logout_supported": True,
            "frontchannel_logout_session_supported": True,
            "backchannel_logout_supported": True,
            "backchannel_logout_session_supported": True,
            "request_parameter_supported": False,
            "require_pushed_authorization_requests": False,
            "amr_values_supported": eid.amr_values(),
        }
    )


@_answers_preflight("GET")
@require_GET
def jwks(request):
    return _with_cors(
        JsonResponse(keys.jwks()), cors.any_client_response_headers(request.headers.get("Origin"))
    )


@csrf_exempt
@require_POST
def par(request):
    try:
        form = params.parameters(request)
        client = services.authenticate(
            request,
            form,
            audiences={issuer(request), endpoint(request, "par"), endpoint(request, "token")},
            public=True,  # RFC 9126 section 2: the token endpoint's client authentication, none included
        )
        pushed = {k: v for k, v in form.items() if not k.startswith("client_")}
        pushed["client_id"] = client.client_id
        request_uri, expires_in = services.push(pushed, client)
    except services.OAuthError as error:
        return oauth_error(error)
    return _no_store(JsonResponse({"request_uri": request_uri, "expires_in": expires_in}, status=201))


def _error_redirect(query: dict, error: services.OAuthError, request) -> HttpResponseRedirect:
    return HttpResponseRedirect(
        services.redirect_with(
            query["redirect_uri"],
            error=error.error,
            error_description=error.description or None,
            state=query.get("state") or None,
            iss=issuer(request),
        )
    )


@csrf_exempt  # OIDC Core 3.1.2.1: relying parties may POST the request from their own pages
@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request):
    query = {}
    try:
        query = params.parameters(request)
        auth = services.from_query(query)
    except services.OAuthError as error:
        audit.record(
            "idporten.authorization_refused",
            actor=query.get("client_id", "")[:100] or "unknown client",
            request=request,
            outcome=audit.Outcome.DENIED,
            details={"error": error.error, "description": error.description},
        )
        if not error.redirect:
            return render(request, "idporten/error.html", {"error": error}, status=400)
        return _error_redirect(query, error, request)
    # A language the client asks for (ui_locales) wins for this login and after; without one, the
    # citizen's own choice (the language cookie) stands.
    if auth.locale:
        use_language(request, auth.locale)
    response = continue_authorization(request, auth)
    if auth.locale:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, auth.locale, samesite="Lax", secure=request.is_secure()
        )
    return response


def continue_authorization(
    request, auth: services.AuthRequest, reference: str | None = None, *, consented_now: bool = False
):
    """Where an authorization request goes next: straight back with a code, to consent, or to the picker.
    prompt=login asks for a login made after the request came in, prompt=consent for consent given on it."""
    prompts = set(auth.prompt.split())
    session = services.current_session(request)
    usable = services.meets(session, auth.acr) and (
        _logged_in_since_request(session, auth, reference)
        or ("login" not in prompts and _young_enough(session, auth.max_age))
    )
    consented = consented_now or (
        "consent" not in prompts and usable and services.has_consent(session.identity_number)
    )
    if usable and consented:
        if reference:
            services.finish_pending(reference)
        return redirect(services.issue_code(auth, session, issuer=issuer(request), request=request))
    if "none" in prompts:
        error = "consent_required" if usable else "login_required"
        return redirect(
            services.redirect_with(auth.redirect_uri, error=error, state=auth.state, iss=issuer(request))
        )
    reference = reference or services.keep_pending(auth)
    if usable:
        return redirect("idporten:consent", reference=reference)
    return redirect("idporten:picker", reference=reference)


def _young_enough(session, max_age: int | None) -> bool:
    """OIDC Core 3.1.2.1: a login older than max_age seconds must be made again."""
    return max_age is None or session.auth_time >= timezone.now() - timedelta(seconds=max_age)


def _logged_in_since_request(session, auth: services.AuthRequest, reference: str | None) -> bool:
    """prompt=login is met by a login made after the request came in, never by an older session."""
    if not reference:
        return False
    started = auth.pending_since()  # read with the pending request in this request
    if started is None:
        found = services.pending(reference)
        started = found[1] if found is not None else None
    return started is not None and session.auth_time >= datetime.fromisoformat(started).replace(microsecond=0)


@csrf_exempt
@_answers_preflight("POST")
@require_POST
def token(request):
    form, client = {}, None
    try:
        form = params.parameters(request)
        client = services.authenticate(
            request, form, audiences={issuer(request), endpoint(request, "token")}, public=True
        )
        check_token_rate(client, request)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            body = services.exchange_code(
                client,
                code=form.get("code", ""),
                redirect_uri=form.get("redirect_uri", ""),
                code_verifier=form.get("code_verifier", ""),
                issuer=issuer(request),
            )
        elif grant_type == "refresh_token":
            body = services.refresh(
                client, refresh_token=form.get("refresh_token", ""), issuer=issuer(request)
            )
        elif not grant_type:  # RFC 6749 section 5.2: a missing parameter is invalid_request
            raise services.OAuthError("invalid_request", "The grant_type parameter is missing.")
        else:
            raise services.OAuthError("unsupported_grant_type", "Use authorization_code or refresh_token.")
    except services.OAuthError as error:
        if error.error == "invalid_grant":
            audit.record(
                "idporten.token_refused",
                actor=form.get("client_id", "") or "client",
                request=request,
                outcome=audit.Outcome.DENIED,
                details={"error": error.error, "description": error.description},
            )
        response = oauth_error(error)
    else:
        response = _no_store(JsonResponse(body))
    origin = request.headers.get("Origin")
    return _with_cors(response, cors.client_response_headers(origin, client or form.get("client_id")))


@csrf_exempt
@_answers_preflight("GET", "POST")
@require_http_methods(["GET", "POST"])
def userinfo(request):
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        # RFC 6750 section 3.1: a request without a token gets the challenge, not an error code.
        response = _no_store(JsonResponse({}, status=401))
        response["WWW-Authenticate"] = f'Bearer realm="{REALM}"'
        # No token names no client: an app on any registered origin may read the challenge.
        return _with_cors(response, cors.any_client_response_headers(request.headers.get("Origin")))
    try:
        response = _no_store(
            JsonResponse(services.userinfo(header[7:], issuer=issuer(request), request=request))
        )
    except services.OAuthError as error:
        response = oauth_error(error)
    origin = request.headers.get("Origin")
    return _with_cors(
        response, cors.access_token_response_headers(origin, header[7:], issuer=issuer(request))
    )


@csrf_exempt
@_answers_preflight("POST")
@require_POST
def revoke(request):
    form, client = {}, None
    try:
        form = params.parameters(request)
        # RFC 7009 section 2.1: a public client revokes its own tokens with its client_id.
        client = services.authenticate(
            request, form, audiences={issuer(request), endpoint(request, "token")}, public=True
        )
    except services.OAuthError as error:
        response = oauth_error(error)
    else:
        services.revoke(client, token=form.get("token", ""))
        response = _no_store(JsonResponse({}))
    origin = request.headers.get("Origin")
    return _with_cors(response, cors.client_response_headers(origin, client or form.get("client_id")))


@csrf_exempt
@require_POST
def introspect(request):
    try:
        form = params.parameters(request)
        client = services.authenticate(request, form, audiences={issuer(request), endpoint(request, "token")})
    except services.OAuthError as error:
        return oauth_error(error)
    return _no_store(
        JsonResponse(services.introspect(client, token=form.get("token", ""), issuer=issuer(request)))
    )


urlpatterns = [
    path("jwks", jwks, name="jwks"),
    path("par", par, name="par"),
    path("authorize", authorize, name="authorize"),
    path("token", token, name="token"),
    path("userinfo", userinfo, name="userinfo"),
    path("revoke", revoke, name="revoke"),
    path("introspect", introspect, name="introspect"),
]
