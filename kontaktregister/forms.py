"""Forms for the contact register's self-service: the fields only; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CodeField, ContactValueForm, FirstOptionRadioSelect, Form
from kontaktregister.models import ContactRecord
from kontaktregister.services.selfservice import CODE_DIGITS


class NewValueForm(ContactValueForm):
    """Step 1 of a change: the new mobile number or e-mail address."""


class CodeForm(Form):
    """Step 2 of a change: the code sent to the new value."""

    code = CodeField(label=_("Code"), length=CODE_DIGITS, digits_only=True, max_length=12)


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
