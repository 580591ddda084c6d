from django.contrib import admin

from core.admin import ReadOnlyAdmin
from kontaktregister.models import ContactRecord


@admin.register(ContactRecord)
class ContactRecordAdmin(ReadOnlyAdmin):
    """Read-only for case handlers: citizens keep their own contact details."""

    list_display = ("person", "status", "reserved", "language", "updated")
    list_filter = ("status", "reserved", "language")
    search_fields = ("=person__identity_number",)
    show_full_result_count = False
    list_select_related = ("person",)
