"""Correspondence parties on a journal post in the admin: one party (from the registers, typed in by name and
postal address, or internal), many recipients pasted at once, and removing a party."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saksarkiv import services
from saksarkiv.models import AdministrativEnhet, Korrespondansepart, Saksbehandler


class PartyForm(forms.Form):
    """What kind of party, its type (EA, EM ... IS), and the fields of that kind: only those are used, and
    a field of another kind filled in is refused rather than left unread."""

    REGISTER, TYPED, INTERNAL = "register", "typed", "internal"
    KIND_FIELDS = {
        REGISTER: ("identity_number", "organisasjonsnummer"),
        TYPED: (
            "navn", "organisasjonsnummer_typed", "postadresse", "postnummer", "poststed", "land",
            "epostadresse", "telefonnummer", "kontaktperson",
        ),
        INTERNAL: ("saksbehandler", "administrativ_enhet"),
    }  # fmt: skip

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of party"),
        choices=[
            (REGISTER, gettext_lazy("From the registers (identity number or organisation number)")),
            (TYPED, gettext_lazy("Typed in (name and postal address)")),
            (INTERNAL, gettext_lazy("Internal (a case handler or unit of the organisation)")),
        ],
        widget=forms.RadioSelect,
        initial=REGISTER,
        required=False,
    )
    korrespondanseparttype = forms.ChoiceField(
        label=gettext_lazy("Type"),
        choices=Korrespondansepart.Type.choices,
        initial=Korrespondansepart.Type.MOTTAKER,
        required=False,
    )
    identity_number = forms.CharField(label=gettext_lazy("Identity number"), max_length=20, required=False)
    organisasjonsnummer = forms.CharField(
        label=gettext_lazy("Organisation number"), max_length=20, required=False
    )
    navn = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    organisasjonsnummer_typed = forms.CharField(
        label=gettext_lazy("Organisation number (if it has one)"), max_length=20, required=False
    )
    postadresse = forms.CharField(
        label=gettext_lazy("Address lines"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 30}),
        max_length=500,
        required=False,
    )
    postnummer = forms.CharField(label=gettext_lazy("Postal code"), max_length=10, required=False)
    poststed = forms.CharField(label=gettext_lazy("Postal town"), max_length=100, required=False)
    land = forms.CharField(label=gettext_lazy("Country code (empty: Norway)"), max_length=2, required=False)
    epostadresse = forms.CharField(label=gettext_lazy("E-mail"), max_length=254, required=False)
    telefonnummer = forms.CharField(label=gettext_lazy("Telephone"), max_length=30, required=False)
    kontaktperson = forms.CharField(label=gettext_lazy("Contact person"), max_length=200, required=False)
    saksbehandler = forms.ModelChoiceField(
        label=gettext_lazy("Case handler"), queryset=Saksbehandler.objects.none(), required=False
    )
    administrativ_enhet = forms.ModelChoiceField(
        label=gettext_lazy("Administrative unit"), queryset=AdministrativEnhet.objects.none(), required=False
    )

    def __init__(self, *args, handler: Saksbehandler | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if handler is not None:
            organisation = handler.organisation
            self.fields["saksbehandler"].queryset = Saksbehandler.objects.filter(
                organisation=organisation, user__is_active=True
            ).select_related("user")
            self.fields["administrativ_enhet"].queryset = AdministrativEnhet.objects.filter(
                organisation=organisation, aktiv=True
            )

    # Each kind's fields, for the template's fieldsets.
    def register_fields(self):
        return [self[name] for name in self.KIND_FIELDS[self.REGISTER]]

    def typed_fields(self):
        return [self[name] for name in self.KIND_FIELDS[self.TYPED]]

    def internal_fields(self):
        return [self[name] for name in self.KIND_FIELDS[self.INTERNAL]]

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or self.REGISTER
        others = [
            str(self.fields[name].label)
            for other, names in self.KIND_FIELDS.items()
            if other != kind
            for name in names
            if data.get(name) and name not in self.KIND_FIELDS[kind]
        ]
        if others:
            raise forms.ValidationError(
                _("Fill in only the fields of the kind of party you chose, not %(fields)s.")
                % {"fields": ", ".join(others)}
            )
        return data

    def party(self) -> dict:
        """The keyword arguments of services.add_party for the chosen kind."""
        data = self.cleaned_data
        kind = data.get("kind") or self.REGISTER
        values = {
            "korrespondanseparttype": data.get("korrespondanseparttype") or Korrespondansepart.Type.MOTTAKER
        }
        if kind == self.INTERNAL:
            return {
                **values,
                "saksbehandler": data["saksbehandler"],
                "administrativ_enhet": data["administrativ_enhet"],
            }
        if kind == self.TYPED:
            return {
                **values,
                **{
                    name: data[name]
                    for name in self.KIND_FIELDS[kind]
                    if name not in ("organisasjonsnummer_typed", "postadresse")
                },
                "organisasjonsnummer": data["organisasjonsnummer_typed"],
                "postadresse": data["postadresse"].splitlines(),
            }
        return {
            **values,
            "identity_number": data["identity_number"],
            "organisasjonsnummer": data["organisasjonsnummer"],
        }


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
            path(
                "<int:pk>/part/<int:party>/fjern/",
                view(self.remove_party_view),
                name="saksarkiv_journalpost_remove_party",
            ),
        ]

    def party_context(self, request=None) -> dict:
        handler = self.handler(request) if request is not None else None
        return {"party_form": PartyForm(handler=handler), "recipients_form": RecipientsForm()}

    def add_party_view(self, request, pk):
        """One party; a refused one is shown again as filled in, with the reason beside the form."""
        self._post_only(request)
        journalpost = self._journalpost(request, pk)
        handler = self.handler(request)
        form = PartyForm(request.POST, handler=handler)
        try:
            if not form.is_valid():
                raise services.InvalidInput(" ".join(_field_errors(form)))
            party = services.add_party(journalpost, handler, request=request, **form.party())
        except services.SaksarkivError as error:
            return self._detail(request, journalpost, status=400, party_form=form, party_error=error.message)
        messages.success(
            request,
            _("%(name)s is added as %(type)s.")
            % {"name": party.navn, "type": party.get_korrespondanseparttype_display().lower()},
        )
        return self._back(journalpost)

    def remove_party_view(self, request, pk, party):
        self._post_only(request)
        journalpost = self._journalpost(request, pk)
        found = journalpost.korrespondanseparter.filter(pk=party).first()
        if found is None:
            raise Http404
        try:
            services.remove_party(found, self.handler(request), request=request)
        except services.SaksarkivError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(name)s is removed.") % {"name": found.navn})
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


def _field_errors(form: forms.Form) -> list[str]:
    lines = list(form.non_field_errors())
    for name, errors in form.errors.items():
        if name != forms.forms.NON_FIELD_ERRORS:
            lines += [f"{form.fields[name].label}: {error}" for error in errors]
    return lines
