"""The smartcard login page (level 4) and its help page.

The page's script asks the card agent on the citizen's machine to have the card sign the
challenge; the PIN goes only to the agent. The server gets the agent's answer (a Web eID
authentication token) in a hidden field and checks it.
"""

import json

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from smartkort import services, session
from smartkort.models import Provider

# URL slugs of the providers.
PROVIDERS = {provider.lower(): provider for provider in Provider.values}
MAX_TOKEN_CHARS = 16000


def origin(request) -> str:
    """This site's origin as the browser sees it, which the card signs together with the challenge."""
    return f"{request.scheme}://{request.get_host()}"


def _next_url(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return next_url
    return ""


def _token(value: str) -> dict:
    if len(value) > MAX_TOKEN_CHARS:
        return {}
    try:
        token = json.loads(value)
    except (ValueError, RecursionError):
        return {}
    return token if isinstance(token, dict) else {}


@never_cache
@require_http_methods(["GET", "POST"])
def login(request, provider: str):
    provider = PROVIDERS.get(provider)
    if provider not in services.available_providers():
        raise Http404
    next_url = _next_url(request)
    error = ""
    if request.method == "POST":
        try:
            holder = services.verify_authentication(
                _token(request.POST.get("token", "")),
                session.pending_challenge(request),
                origin(request),
                attempt=session.attempt(request),
                provider=provider,
                request=request,
            )
        except services.SmartcardError as refusal:
            error = refusal.message
        else:
            session.log_in(request, holder)
            return redirect(next_url or "front_page")
    challenge = services.issue_challenge(
        origin=origin(request), provider=provider, attempt=session.attempt(request)
    )
    session.keep_challenge(request, challenge)
    context = {
        "provider": provider,
        "challenge": challenge,
        "agent_url": settings.SMARTCARD_AGENT_URL,
        "next": next_url,
        "error": error,
    }
    response = render(request, "smartkort/login.html", context, status=400 if error else 200)
    # django-csp 4 reads the update from the response; only these pages may reach the agent.
    response._csp_update = {"connect-src": [settings.SMARTCARD_AGENT_URL]}
    return response


def help_page(request):
    return render(request, "smartkort/help.html", {"agent_url": settings.SMARTCARD_AGENT_URL})


app_name = "smartkort"
urlpatterns = [
    path("hjelp/", help_page, name="help"),
    path("<slug:provider>/", login, name="login"),
]
