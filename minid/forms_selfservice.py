"""Forms for MinID self-service ("Min side"): the fields only; the rules live in minid.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CodeField, ContactValueForm, FirstOptionRadioSelect, Form
from minid.models import CodeChannel
from minid.services.codes import SMS_CODE_LENGTH


class ChangePasswordForm(Form):
    current = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_(
            "8 to 16 characters, with both letters and digits. "
            "It must not contain your fødselsnummer or your birth date."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    repeated = forms.CharField(
        label=_("Repeat the new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ConfirmPasswordForm(Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=64,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class NewContactForm(ContactValueForm):
    """Step 1 of a contact change: the new mobile number or e-mail address."""

    mobile_label = _("New mobile number")
    email_label = _("New e-mail address")


class ContactCodeForm(Form):
    """Step 2 of a contact change: the code sent to the new mobile or e-mail."""

    code = CodeField(label=_("Code"), length=SMS_CODE_LENGTH, digits_only=False)


class CodeChannelForm(Form):
    channel = forms.ChoiceField(
        label=_("How do you want to get the one-time code when you log in?"),
        choices=CodeChannel.choices,
        widget=FirstOptionRadioSelect,
    )


class DeleteUserForm(Form):
    understood = forms.BooleanField(
        label=_("I understand that my MinID user is deleted and cannot be restored."),
        error_messages={"required": _("Tick the box to confirm that you want to delete your MinID user.")},
    )
