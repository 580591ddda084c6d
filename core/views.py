"""Pages every visitor can reach: the front page, the help pages and the privacy statement, the
health check, error pages, and in development the SMS outbox (the demo user's "phone")."""

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import api
from core.help import HELP_TOPICS
from core.models import OutboundSms


@require_GET
def favicon(request):
    return redirect(static("img/felles.svg"))


@require_GET
def front_page(request):
    return render(request, "core/front_page.html")


@require_GET
def help_index(request):
    return render(request, "core/help_index.html", {"topics": HELP_TOPICS.values()})


@require_GET
def help_page(request, service):
    topic = HELP_TOPICS.get(service)
    if topic is None:
        raise Http404
    others = [other for other in HELP_TOPICS.values() if other is not topic]
    return render(request, "core/help.html", {"topic": topic, "others": others})


@require_GET
def privacy_statement(request):
    return render(request, "core/privacy.html")


@never_cache
@require_GET
def healthz(request):
    """200 when every configured database answers a query, 503 otherwise."""
    try:
        for alias in settings.DATABASES:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
@require_GET
def sms_outbox(request):
    """The messages the outbox backend has kept; reachable only with DEBUG on."""
    if not settings.DEBUG:
        raise Http404
    return render(request, "core/sms_outbox.html", {"messages_sent": OutboundSms.objects.all()[:50]})


def bad_request(request, exception=None):
    if api.is_api(request):
        return api.api_error(400, "bad_request", _("The request is not valid."), request.path)
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    return render(
        request,
        "403.html",
        {
            "explanation": _(
                "The form has expired or your browser blocks cookies. Go back, reload the page and try again."
            )
        },
        status=403,
    )


def page_not_found(request, exception=None):
    # Under /api/ a machine asks: a path no view takes (an id that is not a UUID) is a JSON problem.
    if api.is_api(request):
        return api.api_error(404, "not_found", _("No such resource."), request.path)
    return render(request, "404.html", status=404)


def server_error(request):
    if api.is_api(request):
        return api.api_error(500, "server_error", _("Something went wrong. Please try again."), request.path)
    return render(request, "500.html", status=500)
