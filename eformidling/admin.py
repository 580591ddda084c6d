"""The integrasjonspunkt in the admin: the case systems' HTTP Basic credentials per organisation
(the password is set here and stored as a hash; it is never shown again), and the conversations
with their statuses, read only."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core import audit
from core.admin import ReadOnlyAdmin
from eformidling.models import Conversation, Credential, MessageStatus
from eformidling.services import statuses

MIN_PASSWORD_LENGTH = 16


class CredentialForm(forms.ModelForm):
    new_password = forms.CharField(
        label=_("new password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        min_length=MIN_PASSWORD_LENGTH,
        help_text=_("At least 16 characters. Stored as a hash: give it to the case system now."),
    )

    class Meta:
        model = Credential
        fields = ("organisation", "username", "active")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not cleaned.get("new_password"):
            self.add_error("new_password", _("A new credential needs a password."))
        return cleaned

    def save(self, commit=True):
        credential = super().save(commit=False)
        if self.cleaned_data.get("new_password"):
            credential.set_password(self.cleaned_data["new_password"])
        if commit:
            credential.save()
        return credential


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    form = CredentialForm
    list_display = ("username", "organisation", "active", "created", "last_used")
    list_filter = ("active",)
    search_fields = ("username", "organisation__organisasjonsnummer", "organisation__name_nb")
    readonly_fields = ("created", "last_used")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            "eformidling.credential_changed" if change else "eformidling.credential_created",
            request=request,
            obj=obj,
            details={
                "organisation": obj.organisation.organisasjonsnummer,
                "username": obj.username,
                "password_changed": bool(form.cleaned_data.get("new_password")),
                "active": obj.active,
            },
        )

    def delete_model(self, request, obj):
        audit.record(
            "eformidling.credential_deleted", request=request, obj=obj, details={"username": obj.username}
        )
        super().delete_model(request, obj)


class StatusInline(admin.TabularInline):
    model = MessageStatus
    fields = ("status", "description", "last_update", "queued")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = (
        "message_id",
        "organisation",
        "direction",
        "message_type",
        "process_identifier",
        "finished",
        "last_update",
    )
    list_filter = ("direction", "message_type", "finished")
    search_fields = ("message_id", "conversation_id", "organisation__organisasjonsnummer")
    fields = (
        "organisation", "direction", "conversation_id", "message_id", "sender_identifier", "process_identifier",
        "document_identifier", "message_type", "expiry", "last_update", "finished", "letter_id", "sent_at",
    )  # fmt: skip
    inlines = [StatusInline]

    def get_object(self, request, object_id, from_field=None):
        conversation = super().get_object(request, object_id, from_field)
        if conversation is not None:  # the statuses as postkasse knows them now, as the API shows them
            statuses.refresh(conversation.organisation)
        return conversation
