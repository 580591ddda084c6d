"""OIDC clients in the admin. Registering a client and resetting its secret go through
idporten.services; the secret is shown once, on a page of its own, and never stored in clear."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core import audit
from idporten import risk, services
from idporten.forms import ClientForm
from idporten.models import BackchannelDelivery, Client
from idporten.services import logout

RISK_FIELDS = [row.field_name for row in risk.ROWS]
RISK_HELP = gettext_lazy(
    "Rate what a wrongful login to the service could lead to, from 1 (low) to 4 (high). The highest "
    "rating sets the minimum security level: 1–3 give substantial (level 3, MinID), 4 gives high (level 4)."
)


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    form = ClientForm
    list_display = (
        "name",
        "client_id",
        "organisation",
        "minimum_level",
        "auth_method",
        "may_receive_pid",
        "active",
    )
    list_filter = ("active", "minimum_level", "auth_method", "may_receive_pid", "organisation")
    list_select_related = ("organisation",)
    search_fields = ("name", "=client_id", "organisation__name_nb", "=organisation__organisasjonsnummer")
    actions = ("reset_secret",)

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": [*(["client_id"] if obj else []), "organisation", "name", "active"]}),
            (
                _("Addresses"),
                {
                    "fields": [
                        "redirect_uris",
                        "post_logout_redirect_uris",
                        "frontchannel_logout_uri",
                        "backchannel_logout_uri",
                        "allowed_origins",
                    ]
                },
            ),
            (
                _("Access"),
                {
                    "fields": [
                        "scopes",
                        "may_receive_pid",
                        "auth_method",
                        "jwks",
                        "id_token_signed_response_alg",
                    ]
                },
            ),
            (
                _("Risk assessment"),
                {"fields": [*RISK_FIELDS, *(["minimum_level"] if obj else [])], "description": RISK_HELP},
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        return ("client_id", "minimum_level") if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False  # clients are deactivated, so that their history stays

    def save_model(self, request, obj, form, change):
        if change:
            services.update_client(
                obj,
                changed_fields=[name for name in form.changed_data if name not in RISK_FIELDS],
                changed_by=request.user,
                request=request,
            )
        else:
            values = {name: form.cleaned_data[name] for name in ClientForm.Meta.fields}
            client, secret = services.create_client(
                created_by=request.user, request=request, minimum_level=obj.minimum_level, **values
            )
            for field in Client._meta.concrete_fields:
                setattr(obj, field.attname, getattr(client, field.attname))
            obj._state.adding, obj._state.db = False, client._state.db
            request.idporten_client_secret = secret
        if not change or any(name in form.changed_data for name in RISK_FIELDS):
            audit.record(
                risk.AUDIT_ACTION,
                actor=request.user,
                request=request,
                obj=obj,
                object_id=obj.client_id,
                details={"assessment": form.risk_assessment(), "minimum_level": obj.minimum_level},
            )

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "idporten_client_secret", None)
        if not secret:  # none for a public client
            return super().response_add(request, obj, post_url_continue)
        return self._secret_page(request, obj, secret, _("The client is registered"))

    def _secret_page(self, request, client: Client, secret: str, title: str) -> TemplateResponse:
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": title}
        # The admin marks every response never_cache, so the page with the secret is not kept.
        return TemplateResponse(
            request, "admin/idporten/client/secret.html", {**context, "client": client, "secret": secret}
        )

    @admin.action(description=gettext_lazy("Reset the client secret"), permissions=["change"])
    def reset_secret(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose one client at a time to reset its secret."), messages.ERROR)
            return None
        client = queryset.get()
        if client.auth_method == Client.AuthMethod.NONE:
            self.message_user(
                request, _("A public client has no secret: it logs in with PKCE alone."), messages.ERROR
            )
            return None
        if request.POST.get("confirmed") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Reset the client secret?"),
                "client": client,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/idporten/client/reset_secret_confirmation.html", context)
        secret = services.reset_secret(client, changed_by=request.user, request=request)
        return self._secret_page(request, client, secret, _("The client secret is reset"))


@admin.register(BackchannelDelivery)
class BackchannelDeliveryAdmin(admin.ModelAdmin):
    """Back-channel logout deliveries, for the operator to see which clients did not receive them.
    Read-only: only "retry now" changes one (through idporten.services.logout)."""

    list_display = ("client", "state", "attempts", "created", "last_attempt_at", "last_status", "last_error")
    list_filter = ("state", "client")
    list_select_related = ("client",)
    date_hierarchy = "created"
    fields = (
        "client", "issuer", "state", "attempts", "created", "next_attempt_at", "last_attempt_at", "last_status",
        "last_error", "delivered_at",
    )  # fmt: skip
    readonly_fields = fields
    actions = ("retry_now",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # No delivery is edited (its change page stays read-only), but "retry now" changes
        # deliveries, so the action asks for the model's change permission.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Retry now"), permissions=["change"])
    def retry_now(self, request, queryset):
        count = logout.retry_now(queryset.select_related("client"), request=request)
        self.message_user(
            request,
            ngettext("%(count)d delivery is queued again.", "%(count)d deliveries are queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
