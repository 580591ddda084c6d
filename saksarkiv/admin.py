"""The case handler's archive in the admin, Public 360-style: cases, journal posts with their
parties, documents and receipts, letter templates, and dispatch with one action.

Every queryset, form choice and action is limited to the handler's own organisation (a record of
another organisation answers 404). The rules live in saksarkiv.services; this is the surface."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postkasse import services as postkasse
from saksarkiv import services
from saksarkiv.models import Brevmal, Journalpost, Klasse, Saksbehandler, Saksmappe, Skjerming


def _handler(request) -> Saksbehandler | None:
    if not request.user.is_active or not request.user.is_staff:
        return None
    if not hasattr(request, "_saksbehandler"):
        request._saksbehandler = (
            Saksbehandler.objects.select_related("organisation", "user").filter(user=request.user).first()
        )
    return request._saksbehandler


class CaseHandlerAdmin(admin.ModelAdmin):
    """Open to registered case handlers, on their own organisation's records only."""

    def has_module_permission(self, request):
        return _handler(request) is not None

    def has_view_permission(self, request, obj=None):
        return _handler(request) is not None

    def has_add_permission(self, request):
        return _handler(request) is not None

    def has_change_permission(self, request, obj=None):
        return _handler(request) is not None

    def has_delete_permission(self, request, obj=None):
        return False

    def handler(self, request) -> Saksbehandler:
        handler = _handler(request)
        if handler is None:
            raise PermissionDenied
        return handler

    def get_list_filter(self, request):
        # A filter over another model would list all its rows, other organisations' case handlers
        # among them; offer only the values found in this handler's own records.
        return [
            (name, admin.RelatedOnlyFieldListFilter)
            if isinstance(name, str) and get_fields_from_path(self.model, name)[-1].is_relation
            else name
            for name in super().get_list_filter(request)
        ]


# A mass dispatch may have thousands of recipients; the page shows the first ones and the count.
PARTIES_SHOWN = 200


class OptionalPublicTitle:
    """The service makes the public title from the title when it is left empty; the form must not
    demand it (the model's column is required, the handler's input is not)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "offentlig_tittel" in self.fields:
            self.fields["offentlig_tittel"].required = False


class SaksmappeForm(OptionalPublicTitle, forms.ModelForm):
    class Meta:
        model = Saksmappe
        fields = ("tittel", "offentlig_tittel", "klasse", "skjerming")
        widgets = {
            "tittel": forms.TextInput(attrs={"size": 80}),
            "offentlig_tittel": forms.TextInput(attrs={"size": 80}),
        }


class JournalpostInline(admin.TabularInline):
    model = Journalpost
    fields = ("nummer", "journalposttype", "tittel", "journalstatus", "journaldato", "saksbehandler")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("number"))
    def nummer(self, journalpost):
        return journalpost.journalpostnummer


@admin.register(Saksmappe)
class SaksmappeAdmin(CaseHandlerAdmin):
    form = SaksmappeForm
    list_display = ("saksnummer_display", "tittel", "saksstatus", "saksansvarlig", "saksdato")
    list_filter = ("saksstatus", "saksansvarlig", "saksdato")
    search_fields = ("tittel", "offentlig_tittel")
    search_help_text = gettext_lazy("Search by title, or by case number (2026/12).")
    list_select_related = ("saksansvarlig__user",)
    show_full_result_count = False
    inlines = [JournalpostInline]
    actions = ("close_cases",)

    @admin.display(description=gettext_lazy("case number"), ordering="sakssekvensnummer")
    def saksnummer_display(self, saksmappe):
        return saksmappe.saksnummer

    def get_queryset(self, request):
        return services.cases_for(self.handler(request))

    def get_urls(self):
        return [
            path("oversikt/", self.admin_site.admin_view(self.dashboard_view), name="saksarkiv_dashboard"),
            *super().get_urls(),
        ]

    def dashboard_view(self, request):
        """This month's letters from the organisation: digital or paper, and what digital saved."""
        handler = self.handler(request)
        month = timezone.localdate()
        use = postkasse.monthly_use(month, organisations=[handler.organisation])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Digital and paper this month"),
            "month": month,
            "use": use[0] if use else None,
            "open_cases": services.cases_for(handler)
            .filter(saksstatus=Saksmappe.Status.UNDER_BEHANDLING)
            .count(),
        }
        return TemplateResponse(request, "admin/saksarkiv/dashboard.html", context)

    def get_search_results(self, request, queryset, search_term):
        year, _slash, number = search_term.strip().partition("/")
        if year.isdigit() and number.isdigit():
            return queryset.filter(saksaar=int(year), sakssekvensnummer=int(number)), False
        return super().get_search_results(request, queryset, search_term)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("tittel", "offentlig_tittel", "klasse", "skjerming")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "klasse":
            kwargs["queryset"] = Klasse.objects.filter(
                klassifikasjonssystem__arkiv__organisation=self.handler(request).organisation
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            created = services.create_saksmappe(self.handler(request), request=request, **form.cleaned_data)
        except services.SaksarkivError as error:
            raise ValidationError(error.message) from None
        # The admin builds its "was added" message from this object after save_model: it needs the
        # number the service assigned, not the unsaved form instance's None/None.
        obj.pk = created.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    @admin.action(description=gettext_lazy("Close the selected cases"))
    def close_cases(self, request, queryset):
        handler = self.handler(request)
        for saksmappe in queryset:
            try:
                services.close_case(saksmappe, handler, request=request)
            except services.SaksarkivError as error:
                messages.error(request, f"{saksmappe.saksnummer}: {error.message}")
            else:
                messages.success(request, _("Case %(number)s is closed.") % {"number": saksmappe.saksnummer})


class JournalpostForm(OptionalPublicTitle, forms.ModelForm):
    class Meta:
        model = Journalpost
        fields = (
            "saksmappe",
            "journalposttype",
            "tittel",
            "offentlig_tittel",
            "dokumentdato",
            "skjerming",
            "brevmal",
        )


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


class UploadForm(forms.Form):
    tittel = forms.CharField(label=gettext_lazy("Title"), max_length=500, required=False)
    fil = forms.FileField(label=gettext_lazy("PDF file"))
    hoveddokument = forms.BooleanField(label=gettext_lazy("Main document"), required=False)


@admin.register(Journalpost)
class JournalpostAdmin(CaseHandlerAdmin):
    form = JournalpostForm
    list_display = ("nummer", "journalposttype", "tittel", "journalstatus", "journaldato", "saksbehandler")
    list_filter = ("journalstatus", "journalposttype", "saksbehandler", "journaldato")
    search_fields = ("tittel", "offentlig_tittel")
    date_hierarchy = "journaldato"
    list_select_related = ("saksmappe", "saksbehandler__user")
    show_full_result_count = False
    list_per_page = 50

    @admin.display(description=gettext_lazy("number"), ordering="journalsekvensnummer")
    def nummer(self, journalpost):
        return f"{journalpost.saksmappe.saksnummer}-{journalpost.journalpostnummer}"

    def get_queryset(self, request):
        return services.journalposts_for(self.handler(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        handler = self.handler(request)
        if db_field.name == "saksmappe":
            kwargs["queryset"] = services.cases_for(handler).filter(
                saksstatus=Saksmappe.Status.UNDER_BEHANDLING
            )
        elif db_field.name == "brevmal":
            kwargs["queryset"] = Brevmal.objects.filter(organisation=handler.organisation)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        brevmal = data.pop("brevmal", None)
        saksmappe = data.pop("saksmappe")
        try:
            created = services.add_journalpost(saksmappe, self.handler(request), request=request, **data)
        except services.SaksarkivError as error:
            raise ValidationError(error.message) from None
        if brevmal is not None:
            created.brevmal = brevmal
            created.save(update_fields=["brevmal"])
        obj.pk = created.pk

    def response_add(self, request, obj, post_url_continue=None):
        return redirect("admin:saksarkiv_journalpost_change", obj.pk)

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        return [
            path("<int:pk>/mottaker/", view(self.add_party_view), name="saksarkiv_journalpost_add_party"),
            path(
                "<int:pk>/mottakere/",
                view(self.add_recipients_view),
                name="saksarkiv_journalpost_add_recipients",
            ),
            path("<int:pk>/dokument/", view(self.upload_view), name="saksarkiv_journalpost_upload"),
            path("<int:pk>/forhandsvis/", view(self.preview_view), name="saksarkiv_journalpost_preview"),
            path("<int:pk>/dokument/<int:version>/", view(self.file_view), name="saksarkiv_journalpost_file"),
            path("<int:pk>/ferdigstill/", view(self.finalise_view), name="saksarkiv_journalpost_finalise"),
            path("<int:pk>/ekspeder/", view(self.dispatch_view), name="saksarkiv_journalpost_dispatch"),
            path("<int:pk>/navn/", view(self.public_names_view), name="saksarkiv_journalpost_public_names"),
            *super().get_urls(),
        ]

    def _journalpost(self, request, pk) -> Journalpost:
        try:
            return services.get_journalpost(self.handler(request), pk)
        except services.NotFound:
            raise Http404 from None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._detail(request, self._journalpost(request, object_id))

    def _detail(self, request, journalpost: Journalpost, *, status: int = 200, **forms_shown):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(journalpost),
            "journalpost": journalpost,
            "parties": services.receipts(journalpost, limit=PARTIES_SHOWN),
            "party_count": journalpost.korrespondanseparter.count(),
            "names_public": services.public.names_persons(journalpost),
            "documents": [(d, services.current_version(d)) for d in journalpost.dokumenter.all()],
            "editable": not journalpost.is_finalised,
            "dispatchable": journalpost.journalposttype == Journalpost.Type.UTGAAENDE
            and journalpost.journalstatus != Journalpost.Status.EKSPEDERT,
            "party_form": PartyForm(),
            "recipients_form": RecipientsForm(),
            "upload_form": UploadForm(),
            **forms_shown,
        }
        return TemplateResponse(request, "admin/saksarkiv/journalpost/detail.html", context, status=status)

    def _back(self, journalpost):
        return redirect("admin:saksarkiv_journalpost_change", journalpost.pk)

    def _post_only(self, request):
        if request.method != "POST":
            raise PermissionDenied

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

    def upload_view(self, request, pk):
        self._post_only(request)
        journalpost = self._journalpost(request, pk)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Choose a PDF file to upload."))
            return self._back(journalpost)
        upload = form.cleaned_data["fil"]
        try:
            services.add_document(
                journalpost,
                self.handler(request),
                tittel=form.cleaned_data["tittel"],
                content=upload.read(),
                filnavn=upload.name,
                hoveddokument=form.cleaned_data["hoveddokument"],
                request=request,
            )
        except services.SaksarkivError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The document is added."))
        return self._back(journalpost)

    def preview_view(self, request, pk):
        """The letter from the template as the PDF the first recipient will get."""
        journalpost = self._journalpost(request, pk)
        if journalpost.brevmal is None:
            raise Http404
        party = journalpost.korrespondanseparter.filter(korrespondanseparttype="EM").order_by("pk").first()
        response = HttpResponse(services.letter_pdf(journalpost, party), content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="forhandsvisning.pdf"'
        return response

    def file_view(self, request, pk, version):
        journalpost = self._journalpost(request, pk)
        found = next(
            (v for d in journalpost.dokumenter.all() for v in d.versjoner.all() if v.pk == version), None
        )
        if found is None:
            raise Http404
        with services.open_version(self.handler(request), found, request=request) as file:
            response = HttpResponse(file.read(), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{found.filnavn}"'
        return response

    def finalise_view(self, request, pk):
        self._post_only(request)
        journalpost = self._journalpost(request, pk)
        try:
            services.finalise(journalpost, self.handler(request), request=request)
        except services.SaksarkivError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The journal post is finalised."))
        return self._back(journalpost)

    def public_names_view(self, request, pk):
        self._post_only(request)
        journalpost = self._journalpost(request, pk)
        named = request.POST.get("named") == "yes"
        services.public.set_public_names(journalpost, self.handler(request), named=named, request=request)
        messages.success(
            request,
            _("The public journal names the persons among the parties.")
            if named
            else _("The public journal names the persons only as the rule allows."),
        )
        return self._back(journalpost)

    def dispatch_view(self, request, pk):
        """Dispatch; to many recipients only after the handler has seen how many and by which
        channel, and confirmed."""
        self._post_only(request)
        journalpost = self._journalpost(request, pk)
        handler = self.handler(request)
        try:
            if request.POST.get("confirmed") != "yes":
                split = services.expected_channels(journalpost)
                if split.total >= services.CONFIRM_FROM:
                    context = {
                        **self.admin_site.each_context(request),
                        "opts": self.opts,
                        "title": _("Dispatch to %(count)d recipients?") % {"count": split.total},
                        "journalpost": journalpost,
                        "split": split,
                    }
                    return TemplateResponse(
                        request, "admin/saksarkiv/journalpost/confirm_dispatch.html", context
                    )
            queued = services.dispatch_or_queue(journalpost, handler, request=request)
        except services.SaksarkivError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The mass dispatch is queued; the letters go out in the background.")
                if queued
                else _("The letter is dispatched. Receipts appear below as they come back."),
            )
        return self._back(journalpost)


class BrevmalForm(forms.ModelForm):
    organisation = None  # the handler's, set by BrevmalAdmin.get_form

    class Meta:
        model = Brevmal
        fields = ("navn", "emne", "tekst")
        widgets = {"tekst": forms.Textarea(attrs={"rows": 16, "cols": 90})}

    def clean(self):
        cleaned = super().clean()
        try:
            services.validate_template(cleaned.get("emne", ""), cleaned.get("tekst", ""))
        except services.SaksarkivError as error:
            raise ValidationError(error.message) from None
        return cleaned

    def validate_unique(self):
        # The name is unique within the organisation, which is not a field on the form.
        self.instance.organisation = self.organisation
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            self._update_errors(error)


@admin.register(Brevmal)
class BrevmalAdmin(CaseHandlerAdmin):
    form = BrevmalForm
    list_display = ("navn", "emne")
    search_fields = ("navn",)

    def get_queryset(self, request):
        return Brevmal.objects.filter(organisation=self.handler(request).organisation)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        fields = ", ".join(
            f"{{{{ {name} }}}} ({description})" for name, description in services.FIELDS.items()
        )
        form.base_fields["tekst"].help_text = _("Fields you can use: %(fields)s") % {"fields": fields}
        return type(form.__name__, (form,), {"organisation": self.handler(request).organisation})

    def save_model(self, request, obj, form, change):
        services.save_template(obj, self.handler(request), request=request)


@admin.register(Skjerming)
class SkjermingAdmin(admin.ModelAdmin):
    list_display = ("skjermingshjemmel", "tilgangsrestriksjon", "skjerming_metadata")


@admin.register(Saksbehandler)
class SaksbehandlerAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organisation", "administrativ_enhet")
    list_filter = ("organisation",)
    autocomplete_fields = ("user",)
