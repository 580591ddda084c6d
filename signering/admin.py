"""Signing jobs in the admin: a read-only list for the operator's staff. Metadata only: never the
document, and the signer's identity number only as the job's own field."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from signering.models import Signeringsoppdrag


@admin.register(Signeringsoppdrag)
class SigneringsoppdragAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "title", "organisation", "kind", "status", "expires_at", "signed_at")
    list_filter = ("status", "kind", "created_at")
    list_select_related = ("organisation",)
    fields = (
        "id", "organisation", "title", "kind", "pages", "sha256", "signer", "status", "return_url",
        "created_at", "expires_at", "signed_at", "signer_subject", "declined_at",
    )  # fmt: skip
    readonly_fields = fields
    search_fields = ("=signer", "=organisation__organisasjonsnummer")
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document", "signature", "signed_attributes")
