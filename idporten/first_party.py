"""ID-porten's one public module for Felles' own citizen services (the contact register's
self-service, the digital mailbox, signing), which log citizens in through ID-porten like any
service owner. Those apps import this module and nothing else of idporten (checked by the
import contracts in pyproject.toml): the service (idporten.services.first_party), the security
levels they ask for, and the makers of each service's own login, callback and logout views
(`login_views`) and of its citizen pages (`citizen_page`), which live here rather than among
ID-porten's views."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from idporten.models import LEVELS, LOA_HIGH, LOA_SUBSTANTIAL
from idporten.services import OAuthError, first_party
from idporten.services.first_party import (
    CitizenLogin,
    FirstPartyService,
    auth_time,
    current_login,
    finish_login,
    logout_url,
    start_login,
)

__all__ = [
    "LEVELS",
    "LOA_HIGH",
    "LOA_SUBSTANTIAL",
    "STEP_UP_LEVEL",
    "CitizenLogin",
    "FirstPartyService",
    "auth_time",
    "citizen_page",
    "current_login",
    "finish_login",
    "login_url",
    "login_views",
    "logout_url",
    "start_login",
]

# ?nivaa=4 on the login URL asks for level 4 (a step-up from a level-3 login).
STEP_UP_LEVEL = "4"


def login_views(service: first_party.FirstPartyService, *, failed_template: str):
    """(login, callback, logout) views for one service; its URL names are in service.namespace."""
    home = f"{service.namespace}:home"

    @never_cache
    @require_GET
    def login(request):
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = ""
        acr = LOA_HIGH if request.GET.get("nivaa") == STEP_UP_LEVEL else LOA_SUBSTANTIAL
        return redirect(first_party.start_login(request, service, acr=acr, next_url=next_url))

    @never_cache
    @require_GET
    def callback(request):
        try:
            _login, next_url = first_party.finish_login(request, service)
        except OAuthError as error:
            if error.error == "access_denied":
                messages.info(request, _("The login was cancelled."))
                return redirect(home)
            return render(request, failed_template, status=400)
        return redirect(next_url or home)

    @require_POST
    def logout(request):
        return redirect(first_party.logout_url(request, service))

    return login, callback, logout


def login_url(service: first_party.FirstPartyService, next_url: str, *, step_up: bool = False) -> str:
    query = {"next": next_url, **({"nivaa": STEP_UP_LEVEL} if step_up else {})}
    return f"{reverse(f'{service.namespace}:login')}?{urlencode(query)}"


def citizen_page(service: first_party.FirstPartyService, *methods: str):
    """A page for the citizen logged in to the service (level 3 or higher); otherwise log in first,
    then come back. The view reads request.identity_number and request.acr; never cached."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            login = first_party.current_login(request, service)
            if login is None:
                return redirect(login_url(service, request.path))
            request.identity_number, request.acr = login.identity_number, login.acr
            return view(request, *args, **kwargs)

        return require_http_methods(list(methods))(never_cache(wrapper))

    return decorate
