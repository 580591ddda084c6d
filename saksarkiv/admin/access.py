"""Screening, case handlers and access in the admin: the organisation's access codes and the groups
that grant them (changed by an archive leader only), and the access rule on every coded record."""

from django import forms
from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext_lazy

from saksarkiv.admin.base import CaseHandlerAdmin
from saksarkiv.admin.forms import ServiceChecked, ServiceCheckedAdmin
from saksarkiv.models import Journalpost, Saksbehandler, Saksmappe, Skjerming, Tilgangsgruppe, Tilgangskode
from saksarkiv.services import access
from saksarkiv.services.api_handler import system_handler
from saksarkiv.services.errors import NotFound


@admin.register(Skjerming)
class SkjermingAdmin(admin.ModelAdmin):
    list_display = ("skjermingshjemmel", "tilgangsrestriksjon", "skjerming_metadata")


@admin.register(Saksbehandler)
class SaksbehandlerAdmin(admin.ModelAdmin):
    """For the operator (superusers): who is a case handler of which organisation, in which unit,
    and who is the organisation's archive leader."""

    list_display = ("__str__", "organisation", "administrativ_enhet", "arkivleder")
    list_filter = ("organisation", "arkivleder")
    list_select_related = ("user", "organisation", "administrativ_enhet")
    search_fields = ("user__username", "user__first_name", "user__last_name", "initialer")
    fields = ("user", "organisation", "administrativ_enhet", "initialer", "arkivleder")
    autocomplete_fields = ("user",)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


class AccessCodeFields:
    """The access rule on the admin of cases and journal posts: the access code choices are the
    handler's own organisation's codes, and a record coded against the handler answers 404 (as a
    missing one does; the attempt is in the audit trail), never the admin's "perhaps it was deleted"."""

    LOOKUPS = {Saksmappe: access.get_case, Journalpost: access.get_journalpost}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tilgangskode":
            kwargs["queryset"] = access.codes_of(self.handler(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        lookup = {from_field or "pk": object_id}
        try:
            return self.LOOKUPS[self.model](self.handler(request), request=request, **lookup)
        except NotFound:
            raise Http404 from None


class ArchiveLeaderAdmin(ServiceCheckedAdmin, CaseHandlerAdmin):
    """Seen by the organisation's case handlers, changed by its archive leaders only, through the
    access service (which checks and audits); the form shows the service's refusal as its error."""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self.handler(request).arkivleder

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.handler(request).arkivleder

    def save_related(self, request, form, formsets, change):
        """The service saved the relations with the record."""


class TilgangskodeForm(ServiceChecked):
    class Meta:
        model = Tilgangskode
        fields = ("kode", "navn", "tilgangsrestriksjon", "skjermingshjemmel")

    def check(self, data):
        access.check_tilgangskode(
            self.handler,
            tilgangskode=self.instance if self.instance.pk else None,
            kode=data["kode"],
            navn=data["navn"],
        )


@admin.register(Tilgangskode)
class TilgangskodeAdmin(ArchiveLeaderAdmin):
    form = TilgangskodeForm
    list_display = ("kode", "navn", "tilgangsrestriksjon", "skjermingshjemmel")
    search_fields = ("kode", "navn")

    def get_queryset(self, request):
        return access.codes_of(self.handler(request))

    def save_model(self, request, obj, form, change):
        saved = access.save_tilgangskode(
            self.handler(request), tilgangskode=obj if change else None, request=request, **form.cleaned_data
        )
        obj.pk = saved.pk


class TilgangsgruppeForm(ServiceChecked):
    class Meta:
        model = Tilgangsgruppe
        fields = ("navn", "tilgangskoder", "medlemmer")
        # Checkboxes, not the admin's filter_horizontal: its script gives an icon an aria-label that axe
        # refuses (aria-prohibited-attr).
        widgets = {"tilgangskoder": forms.CheckboxSelectMultiple, "medlemmer": forms.CheckboxSelectMultiple}

    def check(self, data):
        access.check_tilgangsgruppe(
            self.handler,
            gruppe=self.instance if self.instance.pk else None,
            navn=data["navn"],
            tilgangskoder=data["tilgangskoder"],
            medlemmer=data["medlemmer"],
        )


@admin.register(Tilgangsgruppe)
class TilgangsgruppeAdmin(ArchiveLeaderAdmin):
    form = TilgangsgruppeForm
    list_display = ("navn", "koder")
    search_fields = ("navn",)

    def get_queryset(self, request):
        return access.groups_of(self.handler(request)).prefetch_related("tilgangskoder")

    @admin.display(description=gettext_lazy("access codes"))
    def koder(self, gruppe):
        return ", ".join(code.kode for code in gruppe.tilgangskoder.all())

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        handler = self.handler(request)
        if db_field.name == "tilgangskoder":
            kwargs["queryset"] = access.codes_of(handler)
        elif db_field.name == "medlemmer":
            # The organisation's agency systems act as its system handler: made here if no system
            # has called yet, so that a code can be granted to the API before its first call.
            system_handler(handler.organisation)
            kwargs["queryset"] = access.members_of(handler)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        saved = access.save_tilgangsgruppe(
            self.handler(request), gruppe=obj if change else None, request=request, **form.cleaned_data
        )
        obj.pk = saved.pk
