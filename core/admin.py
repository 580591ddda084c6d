"""The audit trail and the SMS outbox in the admin: read-only, never changed there."""

from django.contrib import admin

from core.models import AuditEvent, OutboundSms


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("time", "actor", "action", "object_type", "object_id", "outcome", "ip_address")
    list_filter = ("outcome", "action")
    search_fields = ("=actor", "=object_id", "action")
    date_hierarchy = "time"
    show_full_result_count = False


@admin.register(OutboundSms)
class OutboundSmsAdmin(ReadOnlyAdmin):
    list_display = ("created", "to", "sender")
    search_fields = ("=to",)
