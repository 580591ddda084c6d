from django.contrib import admin

from virksomheter import services
from virksomheter.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name_nb", "organisasjonsnummer", "kind", "email", "phone")
    list_filter = ("kind",)
    search_fields = ("name_nb", "name_nn", "name_en", "=organisasjonsnummer")
    fieldsets = [
        (None, {"fields": ("organisasjonsnummer", "kind", "name_nb", "name_nn", "name_en", "logo")}),
        ("", {"fields": ("contact_person", "email", "phone", "invoice_reference")}),
    ]

    def save_model(self, request, obj, form, change):
        services.save_organisation(obj, changed_by=request.user, request=request)
