"""The citizen's pages: the eID picker, consent, "my logins", and logout."""

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core import audit
from core.middleware import use_language
from idporten import eid, services
from idporten.services import logout, params
from idporten.services.authorize import asked_locale
from idporten.services.issuer import issuer
from idporten.views.protocol import continue_authorization


def _pending_or_error(request, reference: str):
    found = services.pending(reference)
    if found is None:
        return None, render(request, "idporten/expired.html", status=400)
    return found, None


@never_cache
def picker(request, reference: str):
    found, error = _pending_or_error(request, reference)
    if error:
        return error
    auth, _started = found
    client = auth.client()  # read with the pending request
    session = services.current_session(request)
    offered = eid.offered(auth.acr)
    context = {
        "reference": reference,
        "client": client,
        "organisation_name": client.organisation.display_name(),
        "logo_url": client.organisation.logo.url if client.organisation.logo else "",
        # The registered eIDs at the requested level or higher (level 4 also satisfies level 3).
        "eids": [
            {
                "label": choice.label,
                "description": choice.description,
                "url": reverse(
                    "idporten:choose",
                    kwargs={"reference": reference, "method": method.name}
                    | ({"choice": choice.slug} if choice.slug else {}),
                ),
            }
            for method, choices in offered
            for choice in choices
        ],
        "help_links": [link for method, _choices in offered for link in method.help_links()],
        "session": session,
        "cancel_url": services.redirect_with(
            auth.redirect_uri, error="access_denied", state=auth.state, iss=issuer(request)
        ),
    }
    return render(request, "idporten/picker.html", context)


def choose(request, reference: str, method: str, choice: str = ""):
    """A button in the picker: on to the eID's own login, which comes back to `resume` (which checks
    the level)."""
    chosen = eid.get(method)
    if chosen is None or choice not in {found.slug for found in chosen.choices()}:
        raise Http404
    next_url = reverse("idporten:resume", kwargs={"reference": reference})
    return redirect(chosen.start_url(choice, next_url))


def _end_session_of_another_person(request, identity_number: str) -> None:
    """A login as someone else than the SSO session's person: that session ends, not just steps up,
    and so does every eID login of anyone else in this browser (also when the session had timed out)."""
    eid.log_out_others(request, identity_number)
    old = services.current_session(request)
    if old is None or old.identity_number == identity_number:
        return
    audit.record(
        "idporten.session_person_changed",
        actor=identity_number,
        request=request,
        object_type="idporten.session",
        object_id=identity_number,
        details={"previous_person": old.identity_number, "previous_acr": old.acr},
    )
    services.end_session(old, reason="person_changed", issuer=issuer(request), request=request)


@never_cache
def resume(request, reference: str):
    """Back from the eID: start the SSO session and go on to consent or the service."""
    found, error = _pending_or_error(request, reference)
    if error:
        return error
    auth, started = found
    since = datetime.fromisoformat(started).replace(microsecond=0)
    authentication = eid.latest_login(request, since)
    if authentication is None or not eid.meets(authentication.acr, auth.acr):
        return redirect("idporten:picker", reference=reference)
    _end_session_of_another_person(request, authentication.identity_number)
    services.start_session(
        request,
        identity_number=authentication.identity_number,
        acr=authentication.acr,
        amr=authentication.amr,
        auth_time=authentication.auth_time,
    )
    return continue_authorization(request, auth, reference)


@never_cache
@require_http_methods(["GET", "POST"])
def consent(request, reference: str):
    found, error = _pending_or_error(request, reference)
    if error:
        return error
    auth, _started = found
    session = services.current_session(request)
    if session is None:
        return redirect("idporten:picker", reference=reference)
    client = auth.client()  # read with the pending request
    if request.method == "POST":
        if request.POST.get("answer") == "yes":
            services.give_consent(session.identity_number, request=request)
            return continue_authorization(request, auth, reference, consented_now=True)
        services.finish_pending(reference)
        return redirect(
            services.redirect_with(
                auth.redirect_uri, error="access_denied", state=auth.state, iss=issuer(request)
            )
        )
    return render(
        request,
        "idporten/consent.html",
        {
            "client": client,
            "organisation_name": client.organisation.display_name(),
            "may_receive_pid": client.may_receive_pid,
        },
    )


@never_cache
def my_logins(request):
    session = services.current_session(request)
    if session is None:
        return render(request, "idporten/my_logins_logged_out.html")
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        services.withdraw_consent(session.identity_number, request=request)
        messages.success(request, _("Your consent is withdrawn. You will be asked again at your next login."))
        return redirect("idporten:my_logins")
    return render(
        request,
        "idporten/my_logins.html",
        {
            "logins": services.recent_logins(session.identity_number),
            "has_consent": services.has_consent(session.identity_number),
        },
    )


@csrf_exempt  # RP-Initiated Logout 1.0 section 2: relying parties may POST from their own pages
@never_cache
@require_http_methods(["GET", "POST"])
def endsession(request):
    """RP-initiated logout: end the SSO session and log the citizen out of every service in it.
    Only a valid ID token for this very session ends it at once; anything else asks the citizen
    (RP-Initiated Logout 1.0 section 2), and a confirmation returns to the client as asked."""
    try:
        query = params.parameters(request)
        asked = logout.logout_request(query, issuer=issuer(request), request=request)
    except services.OAuthError as error:
        return render(request, "idporten/error.html", {"error": error}, status=400)
    # The client's ui_locales (section 2) wins for these pages and after, as at authorize.
    locale = asked_locale(query.get("ui_locales", ""))
    if locale:
        use_language(request, locale)
    session = services.current_session(request)
    if not asked.sid or (session is not None and asked.sid != session.sid):
        # The request may come from any site: the citizen confirms (a form with a CSRF token).
        response = render(request, "idporten/confirm_logout.html", {"logout": asked})
    else:
        response = _log_out(request, session, asked)
    if locale:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, locale, samesite="Lax", secure=request.is_secure())
    return response


def _log_out(request, session, asked: logout.LogoutRequest):
    frontchannel = []
    if session is not None:
        frontchannel = services.end_session(
            session,
            reason="logout",
            issuer=issuer(request),
            request=request,
            frames_shown=True,
            requested_by=asked.client,
        ).frontchannel_uris
    return _logout_page(request, frontchannel, asked.destination() or reverse("idporten:logged_out"))


def _logout_page(request, frontchannel: list[str], destination: str):
    """Log out of MinID and the smartcard too, then load each service's front-channel logout URI in an iframe."""
    eid.log_out_all(request)
    frame_origins = logout.frame_origins(frontchannel)
    context = {"frontchannel": frontchannel, "destination": destination}
    response = render(request, "idporten/logout.html", context)
    if frame_origins:  # django-csp 4 reads the update from the response, not the request
        response._csp_update = {"frame-src": frame_origins}
    return response


def logged_out(request):
    return render(request, "idporten/logged_out.html")


@require_POST
def logout_here(request):
    """The "Log out" button on ID-porten's own pages, and the citizen's answer on the confirmation
    page of an RP-initiated logout (which carries the client, its post-logout URI and state)."""
    fields = {name: request.POST.get(name, "") for name in ("client_id", "post_logout_redirect_uri", "state")}
    try:
        asked = logout.logout_request(fields, issuer=issuer(request), request=request)
    except services.OAuthError as error:
        return render(request, "idporten/error.html", {"error": error}, status=400)
    if request.POST.get("answer") == "no":
        # Only a yes logs out (section 2); the citizen goes back to the service that asked, if it said where.
        logout.logout_declined(asked, request=request)
        return redirect(asked.destination() or reverse("idporten:my_logins"))
    return _log_out(request, services.current_session(request), asked)


urlpatterns = [
    path("velg/<str:reference>/", picker, name="picker"),
    path("velg/<str:reference>/<slug:method>/", choose, name="choose"),
    path("velg/<str:reference>/<slug:method>/<slug:choice>/", choose, name="choose"),
    path("fortsett/<str:reference>/", resume, name="resume"),
    path("samtykke/<str:reference>/", consent, name="consent"),
    path("mine-innlogginger/", my_logins, name="my_logins"),
    path("endsession", endsession, name="endsession"),
    path("logg-ut/", logout_here, name="logout"),
    path("logget-ut/", logged_out, name="logged_out"),
]
