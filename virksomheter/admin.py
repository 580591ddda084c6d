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
    fields = ("version", "accepted_at")
    readonly_fields = ("accepted_at",)
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


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

    def get_inlines(self, request, obj):
        # Scopes and terms belong to a registered organisation: shown once it is saved.
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        services.save_organisation(obj, changed_by=request.user, request=request)

    def save_formset(self, request, form, formset, change):
        organisation = form.instance
        if formset.model is ScopeGrant:
            for grant in formset.save(commit=False):
                if grant.pk is None:
                    stored = services.grant_scope(organisation, grant.scope, granted_by=request.user)
                    grant.pk, grant.granted_at = stored.pk, stored.granted_at
                else:
                    grant.save()
            for grant in formset.deleted_objects:
                services.withdraw_scope(organisation, grant.scope, withdrawn_by=request.user)
        elif formset.model is TermsAcceptance:
            for acceptance in formset.save(commit=False):
                stored = services.accept_terms(
                    organisation, accepted_by=request.user, version=acceptance.version
                )
                acceptance.pk, acceptance.accepted_at = stored.pk, stored.accepted_at
        else:
            super().save_formset(request, form, formset, change)


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
