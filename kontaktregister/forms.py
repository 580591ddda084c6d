"""Forms for the contact register's self-service: the fields only; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import FirstOptionRadioSelect, Form
from kontaktregister.models import ContactRecord


class NewValueForm(Form):
    """Step 1 of a change: the new mobile number or e-mail address."""

    value = forms.CharField(max_length=254)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["value"]
        if kind == "mobile":
            field.label = _("Mobile number")
            field.help_text = _("A Norwegian number, or a foreign one starting with + and the country code.")
            field.widget.input_type = "tel"
            field.widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        else:
            field.label = _("E-mail address")
            field.widget.input_type = "email"
            field.widget.attrs["autocomplete"] = "email"


class CodeForm(Form):
    """Step 2 of a change: the code sent to the new value."""

    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class MailboxForm(Form):
    provider = forms.ChoiceField(label=_("Digital mailbox"), widget=FirstOptionRadioSelect)

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [
            (p.identifier, f"{p.name} – {p.description}" if p.description else p.name) for p in providers
        ]


class LanguageForm(Form):
    language = forms.ChoiceField(
        label=_("Which language do you want letters and notices from the public sector in?"),
        choices=ContactRecord.Language.choices,
        widget=FirstOptionRadioSelect,
    )
