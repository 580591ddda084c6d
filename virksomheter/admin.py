from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

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

    def delete_model(self, request, obj):
        services.delete_organisation(obj, deleted_by=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for organisation in queryset:
            services.delete_organisation(organisation, deleted_by=request.user, request=request)

    def save_formset(self, request, form, formset, change):
        organisation = form.instance
        if formset.model is ScopeGrant:
            formset.save(commit=False)
            # Withdrawals first, so that a scope removed from one row and added on another stays.
            for grant in formset.deleted_objects:
                services.withdraw_grant(grant, withdrawn_by=request.user, request=request)
            for grant, _fields in formset.changed_objects:
                services.change_scope(grant, grant.scope, changed_by=request.user, request=request)
            for grant in formset.new_objects:
                stored = services.grant_scope(
                    organisation, grant.scope, granted_by=request.user, request=request
                )
                grant.pk, grant.granted_at = stored.pk, stored.granted_at
        elif formset.model is TermsAcceptance:
            for acceptance in formset.save(commit=False):
                stored = services.accept_terms(
                    organisation, accepted_by=request.user, version=acceptance.version, request=request
                )
                acceptance.pk, acceptance.accepted_at = stored.pk, stored.accepted_at
        else:
            super().save_formset(request, form, formset, change)


class RevokedCertificateForm(forms.ModelForm):
    class Meta:
        model = RevokedCertificate
        fields = ("issuer", "serial", "revoked_at", "reason")

    def clean_serial(self):
        # Stored as compact hex, so that the unique check sees the serial as it will be kept.
        try:
            return services.clean_serial(self.cleaned_data["serial"])
        except ValidationError as error:
            raise ValidationError(error.error_dict["serial"]) from None


def _revoke(request, revoked: RevokedCertificate) -> None:
    stored = services.revoke_certificate(
        revoked.issuer,
        revoked.serial,
        revoked_at=revoked.revoked_at,
        reason=revoked.reason,
        revoked_by=request.user,
        request=request,
    )
    revoked.pk, revoked._state.adding = stored.pk, False


class RevokedCertificateInline(admin.TabularInline):
    """Revocations are added or withdrawn, never edited: a changed serial is another certificate."""

    model = RevokedCertificate
    form = RevokedCertificateForm
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TrustedIssuer)
class TrustedIssuerAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "created")
    list_filter = ("active",)
    search_fields = ("name",)
    inlines = [RevokedCertificateInline]

    def has_delete_permission(self, request, obj=None):
        # Deactivated instead: deleting would forget its revocations, and trust them again if re-added.
        return False

    def save_model(self, request, obj, form, change):
        services.save_trusted_issuer(obj, changed_by=request.user, request=request)

    def save_formset(self, request, form, formset, change):
        if formset.model is not RevokedCertificate:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for revoked in formset.new_objects:
            _revoke(request, revoked)
        for revoked in formset.deleted_objects:
            services.withdraw_revocation(revoked, withdrawn_by=request.user, request=request)


@admin.register(RevokedCertificate)
class RevokedCertificateAdmin(admin.ModelAdmin):
    form = RevokedCertificateForm
    list_display = ("serial", "issuer", "revoked_at", "reason")
    list_filter = ("issuer",)
    search_fields = ("=serial",)

    def has_change_permission(self, request, obj=None):
        return False  # added or withdrawn, never edited (see RevokedCertificateInline)

    def save_model(self, request, obj, form, change):
        _revoke(request, obj)

    def delete_model(self, request, obj):
        services.withdraw_revocation(obj, withdrawn_by=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for revoked in queryset.select_related("issuer"):
            services.withdraw_revocation(revoked, withdrawn_by=request.user, request=request)
