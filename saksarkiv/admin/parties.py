"""Correspondence parties on a journal post in the admin: one recipient, or many pasted at once."""

from django import forms
from django.contrib import messages
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saksarkiv import services


class PartyForm(forms.Form):
    identity_number = forms.CharField(label=gettext_lazy("Identity number"), max_length=20, required=False)
    organisasjonsnummer = forms.CharField(
        label=gettext_lazy("Organisation number"), max_length=20, required=False
    )


class RecipientsForm(forms.Form):
    identity_numbers = forms.CharField(
        label=gettext_lazy("Identity numbers, one per line"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 30}),
    )


class PartyViews:
    """The party forms and views of JournalpostAdmin (which supplies _journalpost, _detail, _back,
    _post_only and handler)."""

    def party_urls(self, view) -> list:
        return [
            path("<int:pk>/mottaker/", view(self.add_party_view), name="saksarkiv_journalpost_add_party"),
            path(
                "<int:pk>/mottakere/",
                view(self.add_recipients_view),
                name="saksarkiv_journalpost_add_recipients",
            ),
        ]

    def party_context(self) -> dict:
        return {"party_form": PartyForm(), "recipients_form": RecipientsForm()}

    def add_party_view(self, request, pk):
        self._post_only(request)
        journalpost = self._journalpost(request, pk)
        form = PartyForm(request.POST)
        form.is_valid()
        try:
            party = services.add_party(
                journalpost, self.handler(request), request=request, **form.cleaned_data
            )
        except services.SaksarkivError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(name)s is added as recipient.") % {"name": party.navn})
        return self._back(journalpost)

    def add_recipients_view(self, request, pk):
        """Masseutsendelse: many recipients pasted at once; all or none. A refused list is shown
        again as pasted, with every line that stopped it, so that it can be corrected in place."""
        self._post_only(request)
        journalpost = self._journalpost(request, pk)
        form = RecipientsForm(request.POST)
        numbers = request.POST.get("identity_numbers", "").splitlines()
        try:
            count = services.add_recipients(journalpost, self.handler(request), numbers, request=request)
        except services.RecipientsRejected as error:
            return self._detail(
                request, journalpost, status=400, recipients_form=form,
                recipients_error=error.message, rejected_lines=error.rejected,
            )  # fmt: skip
        except services.SaksarkivError as error:
            return self._detail(
                request, journalpost, status=400, recipients_form=form, recipients_error=error.message
            )
        messages.success(request, _("%(count)d recipients are added.") % {"count": count})
        return self._back(journalpost)
