"""MinID self-service ("Min side"): what the logged-in citizen can see and change about their own user."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from minid import services
from minid.forms_selfservice import (
    ChangePasswordForm,
    CodeChannelForm,
    ConfirmPasswordForm,
    ContactCodeForm,
    DeleteUserForm,
    NewContactForm,
)
from minid.models import CodeChannel
from minid.services.actions import AuditAction
from minid.session import log_out, login_required, password_given, recent_password_required

LOG_PAGE_SIZE = 50
# The new mobile or e-mail waiting for its code, per kind.
PENDING_CONTACT_KEY = "minid.pending_contact.%s"

# The citizen's own log in plain language; unknown actions are shown by their code.
ACTION_DESCRIPTIONS = {
    AuditAction.LOGIN: gettext_lazy("You logged in"),
    AuditAction.LOGIN_PASSWORD_WRONG: gettext_lazy("Login with wrong password"),
    AuditAction.LOGIN_CODE_WRONG: gettext_lazy("Login with wrong one-time code"),
    AuditAction.LOGIN_WHILE_LOCKED: gettext_lazy("Login attempt while the user was locked"),
    AuditAction.USER_LOCKED: gettext_lazy("Your user was locked after too many failed attempts"),
    AuditAction.USER_UNLOCKED: gettext_lazy("Your user was unlocked"),
    AuditAction.PASSWORD_CHANGE_WRONG: gettext_lazy("Password change with wrong current password"),
    AuditAction.PASSWORD_CHANGED: gettext_lazy("You changed your password"),
    AuditAction.PASSWORD_RESET: gettext_lazy("You set a new password after forgetting the old one"),
    AuditAction.MOBILE_CHANGED: gettext_lazy("You changed your mobile number"),
    AuditAction.EMAIL_CHANGED: gettext_lazy("You changed your e-mail address"),
    AuditAction.CODE_CHANNEL_CHANGED: gettext_lazy("You changed how you get one-time codes"),
    AuditAction.PIN_LETTER_REQUESTED: gettext_lazy("A new PIN letter was asked for on the MinID website"),
    AuditAction.PIN_LETTER_ORDERED: gettext_lazy("A new PIN letter was ordered"),
    AuditAction.PIN_LETTER_HELD: gettext_lazy("A new PIN letter was ordered and is handled manually"),
    AuditAction.PIN_LETTER_PRINTED: gettext_lazy("Your PIN letter was printed and sent"),
    AuditAction.PIN_LETTER_BLOCKED: gettext_lazy("PIN codes were blocked"),
    AuditAction.REGISTRATION_PROFILE: gettext_lazy("You chose a password and contact details"),
    AuditAction.REGISTERED: gettext_lazy("You registered as a MinID user"),
    AuditAction.PASSWORD_CONFIRMED: gettext_lazy("You gave your password again"),
    AuditAction.PASSWORD_CONFIRM_WRONG: gettext_lazy("Wrong password given again on your own pages"),
    AuditAction.NOTICE_LOCKED: gettext_lazy("We told you that your user is locked"),
    AuditAction.NOTICE_REGISTRATION_ATTEMPT: gettext_lazy("We told you that someone tried to register you"),
}


def citizen_page(*methods, password_again: bool = False):
    """The citizen's own page: logged in, never cached, only the given HTTP methods; with
    password_again, the password is asked for again unless it was given a few minutes ago."""

    def decorate(view):
        if password_again:
            view = recent_password_required(view)
        return require_http_methods(list(methods))(never_cache(login_required(view)))

    return decorate


def _posted(request):
    """The POST data to bind a form to, even when empty (an unticked box sends nothing)."""
    return request.POST if request.method == "POST" else None


@citizen_page("GET")
def profile(request):
    user = request.minid_user
    return render(
        request,
        "minid/selfservice/profile.html",
        {
            "minid_user": user,
            "masked_identity_number": user.person.identity_number[:6] + "*****",
            "letter": services.current_letter(user.person),
            "uses_sms": user.code_channel == CodeChannel.SMS and bool(user.mobile),
        },
    )


@citizen_page("GET", "POST")
def change_password(request):
    form = ChangePasswordForm(_posted(request))
    if form.is_valid():
        try:
            services.change_password(request.minid_user, **form.cleaned_data, request=request)
        except services.PasswordRejected as error:
            for message in error.messages:
                form.add_error(None, message)
        except services.MinidError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your password is changed."))
            return redirect("minid:profile")
    return render(request, "minid/selfservice/change_password.html", {"form": form})


@citizen_page("GET", "POST")
def confirm_password(request):
    """Give the password again, then go back to the page that asked for it."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("minid:profile")
    form = ConfirmPasswordForm(_posted(request))
    if form.is_valid():
        user = request.minid_user
        try:
            services.confirm_password(user, form.cleaned_data["password"], request=request)
        except services.MinidError as error:
            if user.is_locked:  # that was the last wrong attempt: the login is over
                log_out(request)
                return redirect("minid:locked")
            form.add_error("password", error.message)
        else:
            password_given(request)
            return redirect(next_url)
    return render(request, "minid/selfservice/confirm_password.html", {"form": form, "next": next_url})


@citizen_page("GET", "POST", password_again=True)
def change_contact(request, kind):
    """Two steps on one page: the new value (a code is sent to it), then the code."""
    user = request.minid_user
    session_key = PENDING_CONTACT_KEY % kind
    pending = request.session.get(session_key)
    action = request.POST.get("action")
    value_form, code_form = NewContactForm(kind=kind), ContactCodeForm()

    if action == "restart":
        request.session.pop(session_key, None)
        return redirect(request.path)
    if action == "send":
        value_form = NewContactForm(request.POST, kind=kind)
        if value_form.is_valid():
            try:
                value = services.request_contact_change(user, kind, value_form.cleaned_data["value"])
            except services.MinidError as error:
                value_form.add_error("value", error.message)
            else:
                request.session[session_key] = value
                return redirect(request.path)
    elif action == "resend" and pending:
        try:
            services.request_contact_change(user, kind, pending)
        except services.MinidError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("We have sent a new code to %(value)s.") % {"value": pending})
        return redirect(request.path)
    elif action == "confirm" and pending:
        code_form = ContactCodeForm(request.POST)
        if code_form.is_valid():
            try:
                services.confirm_contact_change(
                    user, kind, pending, code_form.cleaned_data["code"], request=request
                )
            except services.MinidError as error:
                code_form.add_error("code", error.message)
            else:
                request.session.pop(session_key, None)
                messages.success(request, _changed_message(kind, pending))
                return redirect("minid:profile")

    asks_for_value = pending is None or action == "send"
    return render(
        request,
        "minid/selfservice/change_contact.html",
        {
            "kind": kind,
            "current": getattr(user, kind),
            "pending": None if asks_for_value else pending,
            "form": value_form if asks_for_value else code_form,
        },
    )


def _changed_message(kind: str, value: str) -> str:
    if kind == "mobile":
        return _("Your mobile number is now %(value)s.") % {"value": value}
    return _("Your e-mail address is now %(value)s.") % {"value": value}


@citizen_page("GET", "POST")
def code_channel(request):
    user = request.minid_user
    form = CodeChannelForm(_posted(request), initial={"channel": user.code_channel})
    if form.is_valid():
        try:
            services.set_code_channel(user, form.cleaned_data["channel"], request=request)
        except services.MinidError as error:
            form.add_error("channel", error.message)
        else:
            messages.success(request, _("Your choice is saved."))
            return redirect("minid:profile")
    return render(
        request,
        "minid/selfservice/code_channel.html",
        {"form": form, "has_letter": services.current_letter(user.person) is not None},
    )


@citizen_page("GET", "POST")
def order_letter(request):
    user = request.minid_user
    error = None
    if request.method == "POST":
        identity_number = user.person.identity_number
        try:
            services.order_pin_letter(identity_number, ordered_by=identity_number, request=request)
        except services.MinidError as exc:
            error = exc.message
        else:
            messages.success(request, _("Your new PIN letter is ordered. It arrives by post in a few days."))
            return redirect("minid:profile")
    return render(
        request,
        "minid/selfservice/order_letter.html",
        {"letter": services.current_letter(user.person), "error": error},
    )


@citizen_page("GET", "POST")
def block_codes(request):
    user = request.minid_user
    letter = services.current_letter(user.person)
    if request.method == "POST" and letter is not None:
        blocked = services.block_letters_in_force(
            user.person, blocked_by=user.person.identity_number, reason="citizen", request=request
        )
        messages.success(
            request,
            ngettext(
                "The PIN codes in letter %(serials)s are blocked.",
                "The PIN codes in letters %(serials)s are blocked.",
                len(blocked),
            )
            % {"serials": ", ".join(letter.serial for letter in blocked)},
        )
        return redirect("minid:profile")
    return render(request, "minid/selfservice/block_codes.html", {"letter": letter})


@citizen_page("GET")
def own_log(request):
    events = services.own_audit_trail(request.minid_user).only("time", "action", "outcome", "ip_address")
    page = Paginator(events, LOG_PAGE_SIZE).get_page(request.GET.get("side"))
    rows = [
        {
            "time": event.time,
            "what": ACTION_DESCRIPTIONS.get(event.action, event.action),
            "outcome": event.get_outcome_display(),
            "ip_address": event.ip_address,
        }
        for event in page
    ]
    return render(request, "minid/selfservice/own_log.html", {"page": page, "rows": rows})


@citizen_page("GET")
def export(request):
    response = JsonResponse(
        services.export_data(request.minid_user, request=request),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Disposition"] = 'attachment; filename="minid-data.json"'
    return response


@citizen_page("GET", "POST", password_again=True)
def delete(request):
    form = DeleteUserForm(_posted(request))
    if form.is_valid():
        services.delete_user(request.minid_user, request=request)
        log_out(request)
        messages.success(request, _("Your MinID user is deleted."))
        return redirect("minid:start")
    return render(request, "minid/selfservice/delete.html", {"form": form})


urlpatterns = [
    path("min-side/", profile, name="profile"),
    path("min-side/passord/", change_password, name="change_password"),
    path("min-side/bekreft-passord/", confirm_password, name="confirm_password"),
    re_path(r"^min-side/kontakt/(?P<kind>mobile|email)/$", change_contact, name="change_contact"),
    path("min-side/kodekanal/", code_channel, name="code_channel"),
    path("min-side/pinbrev/", order_letter, name="order_letter"),
    path("min-side/sperr/", block_codes, name="block_codes"),
    path("min-side/logg/", own_log, name="own_log"),
    path("min-side/data.json", export, name="export"),
    path("min-side/slett/", delete, name="delete"),
]
