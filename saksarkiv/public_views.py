"""The public journal's pages, open to anyone without login: the organisations, one organisation's
journal with search and filters, and the form that requests access to a journal post."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import Form
from saksarkiv.models import Journalpost
from saksarkiv.services import InvalidInput, NotFound, public
from saksarkiv.services.public import TooManyRequests


class SearchForm(Form):
    q = forms.CharField(label=gettext_lazy("Search in titles"), max_length=200, required=False)
    fra = forms.DateField(
        label=gettext_lazy("Journal date from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    til = forms.DateField(
        label=gettext_lazy("Journal date to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    type = forms.ChoiceField(
        label=gettext_lazy("Type"),
        required=False,
        choices=[("", gettext_lazy("All types")), *Journalpost.Type.choices],
    )

    def clean_q(self):
        query = self.cleaned_data["q"]
        if len(query.split()) > public.MAX_SEARCH_WORDS:
            raise forms.ValidationError(
                _("Search with at most %(count)d words.") % {"count": public.MAX_SEARCH_WORDS}
            )
        return query

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("fra") and cleaned.get("til") and cleaned["fra"] > cleaned["til"]:
            self.add_error("til", _("The to date must be on or after the from date."))
        return cleaned


class AccessRequestForm(Form):
    # The service checks the address; the browser's own check would stop the clear message.
    epost = forms.CharField(
        label=gettext_lazy("Your e-mail address"),
        help_text=gettext_lazy("The organisation answers your request by e-mail."),
        max_length=254,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "email"}),
    )
    begrunnelse = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        help_text=gettext_lazy("You do not have to say why you ask for access."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _organisation(organisasjonsnummer: str):
    try:
        return public.organisation_with_journal(organisasjonsnummer)
    except NotFound:
        raise Http404 from None


@require_GET
def organisations(request):
    return render(
        request, "innsyn/organisations.html", {"organisations": public.organisations_with_journal()}
    )


@require_GET
def journal(request, organisasjonsnummer):
    organisation = _organisation(organisasjonsnummer)
    form = SearchForm(request.GET or None)
    filters = {}
    if form.is_bound:
        form.full_clean()
        # A field that is not valid is left out (the form shows its error); the valid ones still apply.
        filters = form.cleaned_data
    page = public.public_journal(
        organisation,
        query=filters.get("q", ""),
        date_from=filters.get("fra"),
        date_to=filters.get("til"),
        journalposttype=filters.get("type", ""),
        page=request.GET.get("side"),
    )
    query = request.GET.copy()
    query.pop("side", None)
    return render(
        request,
        "innsyn/journal.html",
        {
            "organisation": organisation,
            "organisation_name": organisation.display_name(),
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "filter_query": query.urlencode(),
            "filtered": bool(filters and any(filters.values())),
        },
    )


@require_http_methods(["GET", "POST"])
def request_access(request, organisasjonsnummer, journalpost_id):
    organisation = _organisation(organisasjonsnummer)
    try:
        journalpost, entry = public.public_entry(organisation, journalpost_id)
    except NotFound:
        raise Http404 from None
    form = AccessRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            public.request_access(
                journalpost,
                email=form.cleaned_data["epost"],
                reason=form.cleaned_data["begrunnelse"],
                request=request,
            )
        except InvalidInput as error:
            form.add_error("epost", error.message)
        except TooManyRequests as error:
            form.add_error(None, error.message)
            status = 429
        else:
            messages.success(
                request,
                _(
                    "Your request for access to %(number)s is sent to %(organisation)s. "
                    "The answer comes by e-mail to %(email)s."
                )
                % {
                    "number": entry.saksnummer,
                    "organisation": organisation.display_name(),
                    "email": form.cleaned_data["epost"].strip(),
                },
            )
            return redirect("innsyn:journal", organisasjonsnummer=organisation.organisasjonsnummer)
    return render(
        request,
        "innsyn/request_access.html",
        {
            "organisation": organisation,
            "organisation_name": organisation.display_name(),
            "entry": entry,
            "form": form,
        },
        status=status,
    )
