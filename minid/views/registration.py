"""Registration: fødselsnummer → two codes from the PIN letter → password and contact
details → confirm them with codes → consent. The state between steps is in the session."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache

from folkeregister import services as folkeregister
from minid import services
from minid.forms import ContactCodesForm, IdentityNumberForm, PinCodesForm, ProfileForm
from minid.models import MinidUser

STATE_KEY = "minid.registration"


def _state(request) -> dict:
    return request.session.get(STATE_KEY, {})


def _save_state(request, **values) -> None:
    request.session[STATE_KEY] = {**_state(request), **values}


def _restart(request, message: str | None = None):
    request.session.pop(STATE_KEY, None)
    if message:
        messages.warning(request, message)
    return redirect("minid:register")


@never_cache
def register(request):
    form = IdentityNumberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            begun = services.start_registration(form.cleaned_data["fodselsnummer"], request=request)
        except services.MinidError as error:  # only a limit: everyone else goes on alike
            form.add_error(None, error.message)
        else:
            request.session[STATE_KEY] = {
                "fodselsnummer": begun.identity_number,
                "letter": begun.letter_id,
                "numbers": begun.numbers,
            }
            return redirect("minid:register_codes")
    return render(request, "minid/register.html", {"form": form})


@never_cache
def register_codes(request):
    state = _state(request)
    if "numbers" not in state:
        return _restart(request)
    if state.get("codes_ok"):  # a second submit of the same form: the first one went through
        return redirect("minid:register_profile")
    form = PinCodesForm(request.POST or None, numbers=state["numbers"])
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_registration_codes(
                state["fodselsnummer"], state["letter"], form.answers(), request=request
            )
        except services.CodeRejected as error:
            form.add_error(None, error.message)
        except services.MinidError as error:
            return _restart(request, error.message)
        else:
            _save_state(request, codes_ok=True)
            return redirect("minid:register_profile")
    return render(request, "minid/register_codes.html", {"form": form})


@never_cache
def register_profile(request):
    state = _state(request)
    if not state.get("codes_ok"):
        return _restart(request)
    form = ProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = folkeregister.get_person(state["fodselsnummer"])
        data = form.cleaned_data
        try:
            user = services.create_profile(
                person,
                password=data["password"],
                repeated=data["repeated"],
                mobile=data["mobile"],
                email=data["email"],
                channel=data["channel"],
                request=request,
            )
        except services.PasswordRejected as error:
            for message in error.messages:
                form.add_error("password", message)
        except services.AlreadyRegistered as error:
            return _restart(request, error.message)
        except services.MinidError as error:
            form.add_error(None, error.message)
        else:
            _save_state(request, user=user.pk)
            return redirect("minid:register_verify")
    return render(request, "minid/register_profile.html", {"form": form})


def _registering_user(request) -> MinidUser | None:
    user_id = _state(request).get("user")
    return (
        MinidUser.objects.filter(pk=user_id, status=MinidUser.Status.REGISTERING).first() if user_id else None
    )


@never_cache
def register_verify(request):
    user = _registering_user(request)
    if user is None:
        return _restart(request)
    kinds = services.unverified_contacts(user)
    if not kinds:
        return redirect("minid:register_consent")
    form = ContactCodesForm(request.POST or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        for kind in kinds:
            try:
                services.confirm_contact(user, kind, form.cleaned_data[kind], request=request)
            except services.MinidError as error:
                form.add_error(kind, error.message)
        if form.is_valid():
            return redirect("minid:register_consent")
    return render(request, "minid/register_verify.html", {"form": form, "user": user})


@never_cache
def register_consent(request):
    finished = _state(request).get("finished")
    if finished:  # a second submit: answer as the first one did
        return redirect(finished)
    user = _registering_user(request)
    if user is None or services.unverified_contacts(user):
        return _restart(request)
    if request.method == "POST":
        accepted = request.POST.get("consent") == "yes"
        services.give_consent(user, accepted=accepted, request=request)
        finished = "minid:register_done" if accepted else "minid:register_deleted"
        request.session[STATE_KEY] = {"finished": finished}
        return redirect(finished)
    return render(request, "minid/register_consent.html")


def register_done(request):
    return render(request, "minid/register_done.html")


def register_deleted(request):
    return render(request, "minid/register_deleted.html")


urlpatterns = [
    path("registrer/", register, name="register"),
    path("registrer/pinkoder/", register_codes, name="register_codes"),
    path("registrer/profil/", register_profile, name="register_profile"),
    path("registrer/bekreft/", register_verify, name="register_verify"),
    path("registrer/samtykke/", register_consent, name="register_consent"),
    path("registrer/ferdig/", register_done, name="register_done"),
    path("registrer/slettet/", register_deleted, name="register_deleted"),
]
