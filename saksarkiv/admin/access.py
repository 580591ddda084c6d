"""Screening, case handlers and access in the admin."""

from django.contrib import admin

from saksarkiv.models import Saksbehandler, Skjerming


@admin.register(Skjerming)
class SkjermingAdmin(admin.ModelAdmin):
    list_display = ("skjermingshjemmel", "tilgangsrestriksjon", "skjerming_metadata")


@admin.register(Saksbehandler)
class SaksbehandlerAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organisation", "administrativ_enhet")
    list_filter = ("organisation",)
    autocomplete_fields = ("user",)
