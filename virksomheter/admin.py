from django.contrib import admin

from virksomheter import services
from virksomheter.models import (
    Organisation,
    RevokedCertificate,
    ScopeGrant,
    TermsAcceptance,
    TrustedIssuer,
)


class ScopeGrantInline(admin.TabularInline):
    model = ScopeGrant
    extra = 0
    readonly_fields = ("granted_at",)


class TermsAcceptanceInline(admin.TabularInline):
    model = TermsAcceptance
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name_nb", "organisasjonsnummer", "kind", "email", "phone")
    list_filter = ("kind",)
    search_fields = ("name_nb", "name_nn", "name_en", "=organisasjonsnummer")
    fieldsets = [
        (None, {"fields": ("organisasjonsnummer", "kind", "name_nb", "name_nn", "name_en", "logo")}),
        ("", {"fields": ("contact_person", "email", "phone", "invoice_reference")}),
    ]
    inlines = [ScopeGrantInline, TermsAcceptanceInline]

    def save_model(self, request, obj, form, change):
        services.save_organisation(obj, changed_by=request.user, request=request)


class RevokedCertificateInline(admin.TabularInline):
    model = RevokedCertificate
    extra = 0


@admin.register(TrustedIssuer)
class TrustedIssuerAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "created")
    list_filter = ("active",)
    search_fields = ("name",)
    inlines = [RevokedCertificateInline]


@admin.register(RevokedCertificate)
class RevokedCertificateAdmin(admin.ModelAdmin):
    list_display = ("serial", "issuer", "revoked_at", "reason")
    list_filter = ("issuer",)
    search_fields = ("=serial",)
