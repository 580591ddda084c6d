"""Screening, case handlers and access in the admin."""

from django.contrib import admin

from saksarkiv.models import Saksbehandler, Skjerming, Tilgangskode


@admin.register(Skjerming)
class SkjermingAdmin(admin.ModelAdmin):
    list_display = ("skjermingshjemmel", "tilgangsrestriksjon", "skjerming_metadata")


@admin.register(Saksbehandler)
class SaksbehandlerAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organisation", "administrativ_enhet")
    list_filter = ("organisation",)
    autocomplete_fields = ("user",)


class AccessCodeFields:
    """The access code on a case or journal post form: only the handler's own organisation's codes."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tilgangskode":
            kwargs["queryset"] = Tilgangskode.objects.filter(organisation=self.handler(request).organisation)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
