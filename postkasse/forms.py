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
