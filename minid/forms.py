"""Forms for MinID's login, registration and PIN-letter pages."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import CodeField, Form
from folkeregister.identity import parse_identity_number
from minid.models import CodeChannel
from minid.services.codes import PIN_CODE_DIGITS, SMS_CODE_LENGTH


class IdentityNumberField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Fødselsnummer (11 digits)"))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "username", "inputmode": "numeric", "spellcheck": "false"})

    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_identity_number(value).number
        except ValidationError:
            raise ValidationError(
                _("Enter a valid fødselsnummer or D-nummer: 11 digits."), code="invalid"
            ) from None


def PinCodeField(**kwargs) -> CodeField:  # noqa: N802 - used like the field classes beside it
    """A PIN code from the letter: five digits."""
    return CodeField(length=PIN_CODE_DIGITS, digits_only=True, max_length=10, **kwargs)


def SmsCodeField(**kwargs) -> CodeField:  # noqa: N802
    """A code MinID sends by SMS or e-mail: letters and digits."""
    return CodeField(length=SMS_CODE_LENGTH, digits_only=False, max_length=10, **kwargs)


class PasswordField(forms.CharField):
    def __init__(self, *, new: bool = False, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("strip", False)
        super().__init__(widget=forms.PasswordInput(render_value=False), **kwargs)
        self.widget.attrs["autocomplete"] = "new-password" if new else "current-password"


class LoginForm(Form):
    fodselsnummer = IdentityNumberField()
    password = PasswordField(label=_("Password"))


class OneTimeCodeForm(Form):
    """The second step of a login: a PIN code from the letter or the code sent by SMS."""

    def __init__(self, *args, pin: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = PinCodeField if pin else SmsCodeField
        self.fields["code"] = field(label=_("One-time code"))


class IdentityNumberForm(Form):
    fodselsnummer = IdentityNumberField()


class BlockCodesForm(Form):
    fodselsnummer = IdentityNumberField()
    code = PinCodeField(
        label=_("One of the PIN codes from the letter"),
        help_text=_("Any code from the letter that you have not used yet."),
    )


class PinCodesForm(Form):
    """Asks for the codes with the given numbers from the PIN letter."""

    def __init__(self, *args, numbers: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        for number in numbers:
            self.fields[f"pin_{number}"] = PinCodeField(
                label=_("PIN code no. %(number)d") % {"number": number}
            )
        self.numbers = numbers

    def answers(self) -> dict[int, str]:
        return {number: self.cleaned_data[f"pin_{number}"] for number in self.numbers}


class NewPasswordFields(Form):
    password = PasswordField(
        new=True,
        label=_("New password"),
        help_text=_(
            "8 to 16 characters with both letters and digits. Not your fødselsnummer or your birth date."
        ),
    )
    repeated = PasswordField(new=True, label=_("Repeat the new password"))


class ProfileForm(NewPasswordFields):
    mobile = forms.CharField(label=_("Mobile number"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail address"), max_length=254, required=False)
    channel = forms.ChoiceField(
        label=_("How do you want to get one-time codes when you log in?"),
        choices=CodeChannel.choices,
        initial=CodeChannel.SMS,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mobile"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class ForgotPasswordForm(PinCodesForm, NewPasswordFields):
    pass


class ContactCodesForm(Form):
    """One code field per contact detail still to be confirmed."""

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            "mobile": _("Code sent by SMS to your mobile"),
            "email": _("Code sent to your e-mail address"),
        }
        for kind in kinds:
            self.fields[kind] = SmsCodeField(label=labels[kind])
