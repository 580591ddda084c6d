"""The operator's surface for Maskinporten: clients and their keys, and delegations. Every change
goes through maskinporten.services, which checks and audits it."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from maskinporten import services
from maskinporten.models import Client, ClientKey, Delegation
from maskinporten.services import registry
from virksomheter.models import ScopeGrant

# An RSA JWK of 4096 bits is under 1 kB; the cap keeps odd text from reaching the JSON parser.
MAX_JWK_LENGTH = 16_000


class ClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=ScopeGrant.Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    public_jwk = forms.CharField(
        label=_("add a public key (JWK)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A public RSA (2048 bits or more) or EC P-256 key with a kid; it is valid for one year."),
    )

    class Meta:
        model = Client
        fields = ("organisation", "name", "scopes", "active")

    def clean_public_jwk(self):
        text = self.cleaned_data["public_jwk"].strip()
        if not text:
            return None
        if len(text) > MAX_JWK_LENGTH:
            raise ValidationError(_("A public key (JWK) is at most 16 kB."))
        try:
            return registry.public_key(json.loads(text))
        except (ValueError, RecursionError):  # deep nesting overflows the JSON parser
            raise ValidationError(_("The key must be a JWK (a JSON object).")) from None
        except services.MaskinportenError as error:
            raise ValidationError(error.message) from None

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation") or getattr(self.instance, "organisation", None)
        if organisation is not None:
            try:
                registry.granted_scopes(organisation, cleaned.get("scopes") or [])
            except services.MaskinportenError as error:
                self.add_error("scopes", error.message)
        return cleaned


class ClientKeyInline(admin.TabularInline):
    model = ClientKey
    extra = 0
    fields = ("kid", "added_at", "expires_at", "revoked_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    form = ClientForm
    list_display = ("name", "client_id", "organisation", "active")
    list_filter = ("active",)
    search_fields = ("name", "=client_id", "=organisation__organisasjonsnummer")
    readonly_fields = ("client_id", "registered_at")
    inlines = [ClientKeyInline]
    actions = ["revoke_keys"]

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "organisation") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.change_client(
                obj,
                name=data["name"],
                scopes=data["scopes"],
                active=data["active"],
                changed_by=request.user,
                request=request,
            )
        else:
            registered = services.register_client(
                data["organisation"],
                name=data["name"],
                scopes=data["scopes"],
                registered_by=request.user,
                request=request,
            )
            obj.pk, obj.client_id = registered.pk, registered.client_id
        if data.get("public_jwk") is not None:
            try:
                services.add_client_key(obj, data["public_jwk"], added_by=request.user, request=request)
            except services.MaskinportenError as error:  # a kid the client already has
                messages.error(request, error.message)

    @admin.action(description=_("Revoke every key of the selected clients"))
    def revoke_keys(self, request, queryset):
        for client in queryset:
            for key in client.keys.filter(revoked_at__isnull=True):
                services.revoke_client_key(client, key.kid, revoked_by=request.user, request=request)


class DelegationForm(forms.ModelForm):
    class Meta:
        model = Delegation
        fields = ("customer", "supplier", "scope")

    def clean(self):
        cleaned = super().clean()
        customer, supplier, scope = (cleaned.get(name) for name in ("customer", "supplier", "scope"))
        if customer and supplier and scope:
            if customer == supplier:
                raise ValidationError(_("An organisation cannot delegate to itself."))
            if not customer.scope_grants.filter(scope=scope).exists():
                self.add_error("scope", _("The customer has not been granted this scope."))
            elif Delegation.objects.filter(
                customer=customer, supplier=supplier, scope=scope, revoked_at__isnull=True
            ).exists():
                raise ValidationError(_("This scope is already delegated to this supplier."))
        return cleaned


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    form = DelegationForm
    list_display = ("scope", "customer", "supplier", "granted_by", "granted_at", "revoked_at")
    list_filter = ("scope",)
    search_fields = ("=customer__organisasjonsnummer", "=supplier__organisasjonsnummer")
    fields = ("customer", "supplier", "scope", "granted_by", "granted_at", "revoked_at")
    readonly_fields = ("granted_by", "granted_at", "revoked_at")
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        delegation = services.delegate_scope(
            customer=obj.customer,
            supplier=obj.supplier,
            scope=obj.scope,
            granted_by=request.user,
            request=request,
        )
        obj.pk = delegation.pk

    @admin.action(description=_("Revoke the selected delegations"))
    def revoke(self, request, queryset):
        for delegation in queryset:
            services.revoke_delegation(delegation, revoked_by=request.user, request=request)
