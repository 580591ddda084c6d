"""Forms for the citizen's mailbox: the fields only; the rules live in postkasse.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form

INBOX, ARCHIVE = "innboks", "arkiv"


class FolderForm(Form):
    name = forms.CharField(label=_("Folder name"), max_length=60)


class MoveForm(Form):
    """Where to put a letter: the inbox, the archive or one of the citizen's folders."""

    to = forms.ChoiceField(label=_("Move to"))

    def __init__(self, *args, folders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [
            (INBOX, _("Inbox")),
            (ARCHIVE, _("Archive")),
            *((str(folder.pk), folder.name) for folder in folders),
        ]


class NotificationsForm(Form):
    notify_sms = forms.BooleanField(label=_("By SMS"), required=False)
    notify_email = forms.BooleanField(label=_("By e-mail"), required=False)


class MultiplePdfInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Any number of files (none too); each is checked as a PDF by the reply service."""

    widget = MultiplePdfInput(attrs={"accept": "application/pdf"})

    def clean(self, data, initial=None):
        clean_one = super().clean
        return [clean_one(upload, initial) for upload in data or []]


class ReplyForm(Form):
    text = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 10}), required=False)
    attachments = AttachmentsField(
        label=_("Attachments (optional)"),
        help_text=_("PDF files only. You can choose several."),
        required=False,
    )
