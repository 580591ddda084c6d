"""PIN letters without logging in: order one, block one, and forgot password."""

from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache

from minid import services
from minid.forms import BlockCodesForm, ForgotPasswordForm, IdentityNumberForm

RESET_KEY = "minid.password_reset"


@never_cache
def order_letter(request):
    form = IdentityNumberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_pin_letter_public(form.cleaned_data["fodselsnummer"], request=request)
        except services.MinidError as error:  # a limit on this address, which tells nothing about the person
            form.add_error(None, error.message)
        else:
            return redirect("minid:letter_ordered")
    return render(request, "minid/order_letter.html", {"form": form})


def letter_ordered(request):
    return render(request, "minid/letter_ordered.html")


@never_cache
def block_codes(request):
    form = BlockCodesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.block_letter_with_code(
                form.cleaned_data["fodselsnummer"], form.cleaned_data["code"], request=request
            )
        except services.MinidError as error:
            form.add_error(None, error.message)
        else:
            return redirect("minid:codes_blocked")
    return render(request, "minid/block_codes.html", {"form": form})


def codes_blocked(request):
    return render(request, "minid/codes_blocked.html")


@never_cache
def forgot_password(request):
    form = IdentityNumberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["fodselsnummer"]
        try:
            letter_id, numbers = services.start_password_reset(number, request=request)
        except services.MinidError as error:
            form.add_error(None, error.message)
        else:
            request.session[RESET_KEY] = {"fodselsnummer": number, "letter": letter_id, "numbers": numbers}
            return redirect("minid:forgot_password_new")
    return render(request, "minid/forgot_password.html", {"form": form})


@never_cache
def forgot_password_new(request):
    state = request.session.get(RESET_KEY)
    if not state:
        return redirect("minid:forgot_password")
    form = ForgotPasswordForm(request.POST or None, numbers=state["numbers"])
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_password(
                state["fodselsnummer"],
                form.answers(),
                letter_id=state["letter"],
                password=form.cleaned_data["password"],
                repeated=form.cleaned_data["repeated"],
                request=request,
            )
        except services.PasswordRejected as error:
            for message in error.messages:
                form.add_error("password", message)
        except services.MinidError as error:
            form.add_error(None, error.message)
        else:
            request.session.pop(RESET_KEY, None)
            return redirect("minid:password_reset_done")
    return render(request, "minid/forgot_password_new.html", {"form": form, "numbers": state["numbers"]})


def password_reset_done(request):
    return render(request, "minid/password_reset_done.html")


urlpatterns = [
    path("pinbrev/", order_letter, name="order_letter_public"),
    path("pinbrev/bestilt/", letter_ordered, name="letter_ordered"),
    path("pinbrev/sperr/", block_codes, name="block_codes_public"),
    path("pinbrev/sperret/", codes_blocked, name="codes_blocked"),
    path("glemt-passord/", forgot_password, name="forgot_password"),
    path("glemt-passord/nytt/", forgot_password_new, name="forgot_password_new"),
    path("glemt-passord/ferdig/", password_reset_done, name="password_reset_done"),
]
