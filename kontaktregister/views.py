"""The contact register's self-service for citizens, logged in through ID-porten at level 3:
see what is registered, change mobile and e-mail, confirm, reserve against digital post,
choose a mailbox and a language, and see the change history."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from idporten import first_party
from kontaktregister import services
from kontaktregister.forms import CodeForm, LanguageForm, MailboxForm, NewValueForm
from kontaktregister.models import ContactRecord

SERVICE = first_party.FirstPartyService(
    client_id="felles-kontaktregister",
    name="Kontakt- og reservasjonsregisteret",
    namespace="kontaktregister",
)
PENDING_KEY = "kontaktregister.pending.%s"

# The citizen's change history in plain language.
HISTORY_DESCRIPTIONS = {
    "mobile_code_sent": gettext_lazy("A code was sent to a new mobile number"),
    "email_code_sent": gettext_lazy("A code was sent to a new e-mail address"),
    "mobile_code_wrong": gettext_lazy("A wrong code was given for a new mobile number"),
    "email_code_wrong": gettext_lazy("A wrong code was given for a new e-mail address"),
    "mobile_changed": gettext_lazy("Mobile number registered and verified"),
    "email_changed": gettext_lazy("E-mail address registered and verified"),
    "mobile_removed": gettext_lazy("Mobile number removed"),
    "email_removed": gettext_lazy("E-mail address removed"),
    "confirmed": gettext_lazy("Contact information confirmed as correct"),
    "reserved": gettext_lazy("Reserved against digital post"),
    "reservation_withdrawn": gettext_lazy("Reservation against digital post withdrawn"),
    "mailbox_chosen": gettext_lazy("Digital mailbox chosen"),
    "language_changed": gettext_lazy("Language changed"),
}


def citizen_page(*methods):
    """A page for the citizen logged in through ID-porten at level 3; otherwise log in first."""
    return first_party.citizen_page(SERVICE, *methods)


@never_cache
def home(request):
    login = first_party.current_login(request, SERVICE)
    if login is None:
        return render(request, "kontaktregister/start.html")
    record = services.contact_record(login.identity_number)
    return render(
        request,
        "kontaktregister/overview.html",
        {
            "record": record,
            "needs_confirmation": services.needs_confirmation(record),
            "provider_name": services.provider_name(record.mailbox_provider)
            if record and record.mailbox_provider
            else "",
        },
    )


login, callback, logout = first_party.login_views(
    SERVICE, failed_template="kontaktregister/login_failed.html"
)


@citizen_page("GET", "POST")
def change_contact(request, kind):
    """Two steps on one page: the new value (a code is sent to it), then the code."""
    session_key = PENDING_KEY % kind
    pending = request.session.get(session_key)
    action = request.POST.get("action")
    value_form, code_form = NewValueForm(kind=kind), CodeForm()
    if action == "restart":
        request.session.pop(session_key, None)
        return redirect(request.path)
    if action in ("send", "resend"):
        value_form = NewValueForm(request.POST if action == "send" else {"value": pending}, kind=kind)
        if value_form.is_valid():
            try:
                value = services.request_change(
                    request.identity_number, kind, value_form.cleaned_data["value"], request=request
                )
            except services.KontaktregisterError as error:
                value_form.add_error("value", error.message)
            else:
                request.session[session_key] = value
                messages.info(request, _("We have sent a code to %(value)s.") % {"value": value})
                return redirect(request.path)
    elif action == "confirm" and pending:
        code_form = CodeForm(request.POST)
        if code_form.is_valid():
            try:
                services.confirm_change(
                    request.identity_number, kind, pending, code_form.cleaned_data["code"], request=request
                )
            except services.KontaktregisterError as error:
                code_form.add_error("code", error.message)
            else:
                request.session.pop(session_key, None)
                messages.success(request, _("%(value)s is registered and verified.") % {"value": pending})
                return redirect("kontaktregister:home")
    asks_for_value = pending is None or action == "send"
    record = services.contact_record(request.identity_number)
    return render(
        request,
        "kontaktregister/change_contact.html",
        {
            "kind": kind,
            "current": getattr(record, kind) if record else "",
            "pending": None if asks_for_value else pending,
            "form": value_form if asks_for_value else code_form,
        },
    )


@citizen_page("POST")
def remove_contact(request, kind):
    try:
        services.remove_contact(request.identity_number, kind, request=request)
    except services.KontaktregisterError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("It is removed."))
    return redirect("kontaktregister:home")


@citizen_page("POST")
def confirm(request):
    try:
        services.confirm_still_correct(request.identity_number, request=request)
    except services.KontaktregisterError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you. Your contact information is confirmed."))
    return redirect("kontaktregister:home")


@citizen_page("GET", "POST")
def reservation(request):
    record = services.contact_record(request.identity_number)
    if request.method == "POST":
        reserve = request.POST.get("reserve") == "yes"
        services.set_reservation(request.identity_number, reserve, request=request)
        messages.success(
            request,
            _("You are reserved against digital post.")
            if reserve
            else _("Your reservation against digital post is withdrawn."),
        )
        return redirect("kontaktregister:home")
    return render(request, "kontaktregister/reservation.html", {"record": record})


@citizen_page("GET", "POST")
def mailbox(request):
    providers = list(services.mailbox_providers())
    record = services.contact_record(request.identity_number)
    form = MailboxForm(
        request.POST if request.method == "POST" else None,
        providers=providers,
        initial={"provider": record.mailbox_provider if record else None},
    )
    if form.is_valid():
        try:
            services.choose_mailbox(request.identity_number, form.cleaned_data["provider"], request=request)
        except services.KontaktregisterError as error:
            form.add_error("provider", error.message)
        else:
            messages.success(request, _("Your digital mailbox is chosen."))
            return redirect("kontaktregister:home")
    return render(request, "kontaktregister/mailbox.html", {"form": form, "providers": providers})


@citizen_page("GET", "POST")
def language(request):
    record = services.contact_record(request.identity_number)
    form = LanguageForm(
        request.POST if request.method == "POST" else None,
        initial={"language": record.language if record else None},
    )
    if form.is_valid():
        services.set_language(request.identity_number, form.cleaned_data["language"], request=request)
        messages.success(request, _("Your language is saved."))
        return redirect("kontaktregister:home")
    return render(request, "kontaktregister/language.html", {"form": form})


@citizen_page("GET")
def history(request):
    languages = dict(ContactRecord.Language.choices)
    rows = [
        {
            "time": entry.time,
            "what": HISTORY_DESCRIPTIONS.get(entry.action, entry.action),
            "value": entry.details.get("value")
            or entry.details.get("provider")
            or languages.get(entry.details.get("language"), ""),
        }
        for entry in services.history(request.identity_number)
    ]
    return render(request, "kontaktregister/history.html", {"rows": rows})


urlpatterns = [
    path("", home, name="home"),
    path("logg-inn/", login, name="login"),
    path("innlogget/", callback, name="callback"),
    path("logg-ut/", logout, name="logout"),
    re_path(r"^endre/(?P<kind>mobile|email)/$", change_contact, name="change_contact"),
    re_path(r"^fjern/(?P<kind>mobile|email)/$", remove_contact, name="remove_contact"),
    path("bekreft/", confirm, name="confirm"),
    path("reservasjon/", reservation, name="reservation"),
    path("postkasse/", mailbox, name="mailbox"),
    path("sprak/", language, name="language"),
    path("historikk/", history, name="history"),
]
