"""Cases (saksmapper) in the admin: the list, the case with its journal posts, closing, and reopening
(an archive leader's, with the reason)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postkasse import services as postkasse
from saksarkiv import services
from saksarkiv.admin.access import AccessCodeFields
from saksarkiv.admin.base import CaseHandlerAdmin, OptionalPublicTitle, _handler
from saksarkiv.admin.structure import CaseStructure
from saksarkiv.models import Journalpost, Saksmappe
from saksarkiv.services import archive as services_archive
from saksarkiv.services import avskrivning


class SaksmappeForm(OptionalPublicTitle, forms.ModelForm):
    class Meta:
        model = Saksmappe
        fields = ("tittel", "offentlig_tittel", "klasse", "sekundaerklasser", "skjerming", "tilgangskode")
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

    def get_queryset(self, request):
        # A post may carry an access code its case does not: it is left out for those not granted it.
        return services.journalposts_for(_handler(request)).select_related("saksbehandler__user")

    def has_view_permission(self, request, obj=None):
        # On the case's page only: a new case has no posts, and its form saves no formsets.
        return obj is not None and _handler(request) is not None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("number"))
    def nummer(self, journalpost):
        return journalpost.journalpostnummer


@admin.register(Saksmappe)
class SaksmappeAdmin(AccessCodeFields, CaseStructure, CaseHandlerAdmin):
    form = SaksmappeForm
    list_display = ("saksnummer_display", "tittel", "saksstatus", "saksansvarlig", "saksdato")
    list_filter = ("saksstatus", "saksansvarlig", "saksdato")
    search_fields = ("tittel", "offentlig_tittel")
    search_help_text = gettext_lazy("Search by title, or by case number (2026/12).")
    list_select_related = ("saksansvarlig__user",)
    show_full_result_count = False
    inlines = [JournalpostInline]
    actions = ("close_cases", "reopen_cases")

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
            "my_restanser": avskrivning.restanser(handler, saksbehandler=handler).count(),
        }
        return TemplateResponse(request, "admin/saksarkiv/dashboard.html", context)

    def get_search_results(self, request, queryset, search_term):
        year, _slash, number = search_term.strip().partition("/")
        if year.isdigit() and number.isdigit():
            return queryset.filter(saksaar=int(year), sakssekvensnummer=int(number)), False
        return super().get_search_results(request, queryset, search_term)

    def get_readonly_fields(self, request, obj=None):
        return (
            ()
            if obj is None
            else ("tittel", "offentlig_tittel", "klasse", "sekundaerklasser", "skjerming", "tilgangskode")
        )

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

    def get_actions(self, request):
        actions = super().get_actions(request)
        handler = _handler(request)
        if handler is None or not handler.arkivleder:
            actions.pop("reopen_cases", None)
        return actions

    @admin.action(description=gettext_lazy("Reopen the selected cases"))
    def reopen_cases(self, request, queryset):
        """First a page that asks for the reason (krav 3.2.11: the reopening is logged), then reopen."""
        handler = self.handler(request)
        reason = request.POST.get("reason", "").strip()
        if request.POST.get("confirmed") != "yes" or not reason:
            if request.POST.get("confirmed") == "yes":
                messages.error(request, _("Give the reason for reopening the case."))
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Reopen closed cases"),
                "cases": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/saksarkiv/saksmappe/reopen.html", context)
        for saksmappe in queryset:
            try:
                services_archive.reopen_case(saksmappe, handler, reason=reason, request=request)
            except services.SaksarkivError as error:
                messages.error(request, f"{saksmappe.saksnummer}: {error.message}")
            else:
                messages.success(
                    request, _("Case %(number)s is reopened.") % {"number": saksmappe.saksnummer}
                )
        return None
