"""Smartcard issuers, their revocation lists (uploaded as files) and certificates registered to a
person, in the admin. Every change goes through smartkort.services, which audits it."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from smartkort import services
from smartkort.models import CertificateMapping, Issuer, RevocationList, serial_hex

MAX_CRL_BYTES = 50 * 1024 * 1024


@admin.register(Issuer)
class IssuerAdmin(admin.ModelAdmin):
    list_display = ("name", "provider", "active", "current_list_until", "created")
    list_filter = ("provider", "active")
    search_fields = ("name",)

    def get_readonly_fields(self, request, obj=None):
        # A new CA key is a new issuer: its lists and registered certificates belong to the old one.
        return ("certificate_pem", "ca_subject", "ca_valid_until") if obj else ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "provider", "certificate_pem", "active")
        return ("name", "provider", "active", "ca_subject", "ca_valid_until", "certificate_pem")

    @admin.display(description=_("CA subject"))
    def ca_subject(self, obj):
        return obj.ca_certificate().subject.rfc4514_string()

    @admin.display(description=_("CA certificate valid until"))
    def ca_valid_until(self, obj):
        return obj.ca_certificate().not_valid_after_utc

    @admin.display(description=_("current revocation list valid until"))
    def current_list_until(self, obj):
        latest = obj.revocation_lists.order_by("-this_update").first()
        return latest.next_update if latest else "—"

    def has_delete_permission(self, request, obj=None):
        return False  # issuers are deactivated, so that their history stays

    def save_model(self, request, obj, form, change):
        services.save_issuer(obj, changed_by=request.user, request=request)


class RevocationListUploadForm(forms.ModelForm):
    file = forms.FileField(
        label=_("Revocation list file (CRL)"),
        help_text=_("The issuer's full certificate revocation list, DER or PEM, as published by the issuer."),
    )

    class Meta:
        model = RevocationList
        fields = ("issuer",)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        cleaned = super().clean()
        issuer, upload = cleaned.get("issuer"), cleaned.get("file")
        if issuer is None or upload is None:
            return cleaned
        if upload.size > MAX_CRL_BYTES:
            raise ValidationError({"file": _("The file is too large for a revocation list.")})
        cleaned["data"] = upload.read()
        try:
            services.read_revocation_list(
                issuer, cleaned["data"], uploaded_by=self.request.user, request=self.request
            )
        except services.RevocationListRejected as rejection:
            raise ValidationError({"file": rejection.message}, code=rejection.code) from None
        return cleaned


@admin.register(RevocationList)
class RevocationListAdmin(admin.ModelAdmin):
    list_display = ("issuer", "this_update", "next_update", "crl_number", "revoked_count", "uploaded_by")
    list_filter = ("issuer",)
    list_select_related = ("issuer",)
    fields = (
        "issuer",
        "this_update",
        "next_update",
        "crl_number",
        "revoked_count",
        "uploaded_by",
        "uploaded_at",
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        upload_form = super().get_form(request, obj, change=change, form=RevocationListUploadForm, **kwargs)

        class UploadForm(upload_form):  # the form checks the file on behalf of this user
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, request=request, **form_kwargs)

        return UploadForm

    def get_fields(self, request, obj=None):
        return self.fields if obj else ("issuer", "file")

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj else ()

    def has_change_permission(self, request, obj=None):
        return False  # a list is as the issuer signed it

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        stored = services.upload_revocation_list(
            form.cleaned_data["issuer"], form.cleaned_data["data"], uploaded_by=request.user, request=request
        )
        for field in RevocationList._meta.concrete_fields:
            setattr(obj, field.attname, getattr(stored, field.attname))
        obj._state.adding, obj._state.db = False, stored._state.db


class CertificateMappingForm(forms.ModelForm):
    # Hex as certificate viewers show it, with colons or spaces; stored without them.
    serial = forms.CharField(label=_("certificate serial number (hex)"), max_length=100)

    class Meta:
        model = CertificateMapping
        fields = ("issuer", "serial", "identity_number", "note")

    def clean_serial(self):
        return serial_hex(self.cleaned_data["serial"])


@admin.register(CertificateMapping)
class CertificateMappingAdmin(admin.ModelAdmin):
    form = CertificateMappingForm
    list_display = ("issuer", "serial", "identity_number", "note", "created")
    list_filter = ("issuer",)
    search_fields = ("=serial", "=identity_number")
    fields = ("issuer", "serial", "identity_number", "note")

    def save_model(self, request, obj, form, change):
        services.save_mapping(obj, changed_by=request.user, request=request)

    def delete_model(self, request, obj):
        services.delete_mapping(obj, changed_by=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for mapping in queryset:
            services.delete_mapping(mapping, changed_by=request.user, request=request)
