"""The demo services' pages: log in with ID-porten, see what the service got, log out.

Each service keeps its login in its own session keys ("demo.<slug>"), as if it were a
separate web application; ID-porten tells it about logouts through front-channel logout.
"""

from dataclasses import asdict

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from demo import relying_party
from demo.services import SERVICES, DemoService, client_secret, serve_at


def _service(slug: str) -> DemoService:
    if slug not in SERVICES:
        raise Http404
    return SERVICES[slug]


def _login_key(service: DemoService) -> str:
    return f"demo.{service.slug}"


def _pending_key(service: DemoService) -> str:
    return f"demo.{service.slug}.pending"


def _issuer(request) -> str:
    return settings.IDPORTEN_ISSUER or request.build_absolute_uri("/").rstrip("/")


def _url(request, name: str, service: DemoService) -> str:
    return request.build_absolute_uri(reverse(f"demo:{name}", kwargs={"slug": service.slug}))


def _page(request, service: DemoService, *, error: str = "", status: int = 200):
    organisation = service.organisation()
    context = {
        "service": service,
        "organisation_name": organisation.display_name() if organisation else service.name,
        "ready": organisation is not None and client_secret(service) is not None,
        "login": request.session.get(_login_key(service)),
        "others": [other for other in SERVICES.values() if other != service],
        "error": error,
    }
    return render(request, "demo/service.html", context, status=status)


@never_cache
def home(request, slug: str):
    return _page(request, _service(slug))


@never_cache
def login(request, slug: str):
    service = _service(slug)
    if client_secret(service) is None:
        return _page(request, service, status=503)
    serve_at(service, request.build_absolute_uri("/"))
    try:
        metadata = relying_party.discover(_issuer(request))
    except relying_party.LoginFailed as error:
        return _page(request, service, error=str(error), status=502)
    url, pending = relying_party.start_login(
        metadata, client_id=service.client_id, redirect_uri=_url(request, "callback", service)
    )
    request.session[_pending_key(service)] = pending
    return redirect(url)


@never_cache
def callback(request, slug: str):
    service = _service(slug)
    pending = request.session.pop(_pending_key(service), None)
    if pending is None:
        return _page(request, service, error=_("No login was started here, or it has been used."), status=400)
    if request.GET.get("error") == "access_denied":
        messages.info(request, _("The login was cancelled."))
        return redirect("demo:home", slug=service.slug)
    if "error" in request.GET:
        return _page(
            request,
            service,
            error=_("ID-porten answered: %(error)s") % {"error": request.GET["error"]},
            status=400,
        )
    secret = client_secret(service)
    if secret is None:
        return _page(request, service, status=503)
    try:
        login = relying_party.finish_login(
            relying_party.discover(_issuer(request)),
            client_id=service.client_id,
            client_secret=secret,
            redirect_uri=_url(request, "callback", service),
            pending=pending,
            callback_url=request.build_absolute_uri(),
        )
    except relying_party.LoginFailed as error:
        return _page(request, service, error=str(error), status=400)
    request.session[_login_key(service)] = asdict(login)
    return redirect("demo:home", slug=service.slug)


@require_POST
def logout(request, slug: str):
    """Log out here, then at ID-porten, which logs the citizen out of the other services too."""
    service = _service(slug)
    login = request.session.pop(_login_key(service), None)
    if login is None:
        return redirect("demo:home", slug=service.slug)
    try:
        metadata = relying_party.discover(_issuer(request))
    except relying_party.LoginFailed as error:
        return _page(request, service, error=str(error), status=502)
    return redirect(
        relying_party.logout_url(
            metadata, id_token=login["id_token"], post_logout_redirect_uri=_url(request, "home", service)
        )
    )


@never_cache
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def frontchannel_logout(request, slug: str):
    """OpenID Connect Front-Channel Logout: ID-porten loads this in a frame when the session ends."""
    service = _service(slug)
    login = request.session.get(_login_key(service))
    if login and request.GET.get("iss") == _issuer(request) and request.GET.get("sid") == login["sid"]:
        del request.session[_login_key(service)]
    return render(request, "demo/frontchannel_logout.html", {"service": service})


def api_documentation(request):
    """Swagger UI on the OpenAPI schema, for developers at agencies and service owners."""
    return render(request, "demo/api.html", {"schema_url": reverse("api-schema")})


urlpatterns = [
    path("api/", api_documentation, name="api"),
    path("<slug:slug>/", home, name="home"),
    path("<slug:slug>/login", login, name="login"),
    path("<slug:slug>/callback", callback, name="callback"),
    path("<slug:slug>/logout", logout, name="logout"),
    path("<slug:slug>/frontchannel-logout", frontchannel_logout, name="frontchannel_logout"),
]
