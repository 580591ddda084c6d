"""MinID's start page, login in two steps, the locked page and logout."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from minid import services, session
from minid.forms import LoginForm, OneTimeCodeForm
from minid.models import Login


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("minid:profile")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def start(request):
    return render(request, "minid/start.html", {"user": session.current_user(request)})


@never_cache
def login(request):
    next_url = _next_url(request)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = services.start_login(
                form.cleaned_data["fodselsnummer"], form.cleaned_data["password"], request=request
            )
        except services.MinidError as error:
            form.add_error(None, error.message)
        else:
            request.session[session.PENDING_LOGIN_KEY] = str(attempt.id)
            return redirect(_with_next("minid:login_code", next_url))
    return render(request, "minid/login.html", {"form": form, "next": next_url})


def _pending_login(request) -> Login | None:
    login_id = request.session.get(session.PENDING_LOGIN_KEY)
    return services.get_login(login_id) if login_id else None


@never_cache
def login_code(request):
    next_url = _next_url(request)
    attempt = _pending_login(request)
    if attempt is None:
        if session.current_user(request) is not None:  # a second submit after a successful login
            return redirect(next_url)
        return redirect(_with_next("minid:login", next_url))
    form = OneTimeCodeForm(request.POST or None, pin=attempt.method == Login.Method.PIN)
    if request.method == "POST" and form.is_valid():
        try:
            completed = services.complete_login(attempt, form.cleaned_data["code"], request=request)
        except services.AccountLocked:
            request.session.pop(session.PENDING_LOGIN_KEY, None)
            return redirect("minid:locked")
        except services.LoginExpired as error:
            request.session.pop(session.PENDING_LOGIN_KEY, None)
            messages.warning(request, error.message)
            return redirect(_with_next("minid:login", next_url))
        except services.MinidError as error:
            form.add_error("code", error.message)
        else:
            session.log_in(request, completed)
            return redirect(next_url)
    letter = services.current_letter(attempt.user.person) if attempt.method == Login.Method.PIN else None
    context = {
        "form": form,
        "next": next_url,
        "attempt": attempt,
        "letter": letter,
        "mobile_end": attempt.user.mobile[-2:],
    }
    return render(request, "minid/login_code.html", context)


def _change_pending_login(request, change, done_message: str = ""):
    """Apply a change to the login waiting for its code, and go back to the code page."""
    next_url = _next_url(request)
    attempt = _pending_login(request)
    if attempt is not None:
        try:
            change(attempt)
        except services.MinidError as error:
            messages.error(request, error.message)
        else:
            if done_message:
                messages.info(request, done_message)
    return redirect(_with_next("minid:login_code", next_url))


@require_POST
def login_use_pin(request):
    return _change_pending_login(request, services.use_pin_instead)


@require_POST
def login_resend(request):
    return _change_pending_login(request, services.resend_sms, _("We have sent you a new code."))


def locked(request):
    return render(request, "minid/locked.html")


@require_POST
def logout(request):
    session.log_out(request)
    messages.success(request, _("You are logged out of MinID."))
    return redirect("minid:start")


urlpatterns = [
    path("", start, name="start"),
    path("logg-inn/", login, name="login"),
    path("logg-inn/kode/", login_code, name="login_code"),
    path("logg-inn/pinkode/", login_use_pin, name="login_use_pin"),
    path("logg-inn/ny-kode/", login_resend, name="login_resend"),
    path("sperret/", locked, name="locked"),
    path("logg-ut/", logout, name="logout"),
]
