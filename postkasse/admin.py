"""Digital post in the admin: providers and the price table for the operator, letters and
receipts (metadata only: there is no letter content in plaintext to show), print batches and
held letters for the print room, and use and cost per organisation and month.

Letters and receipts belong to the sending organisations, and admin users have no organisation
in postkasse (only the case archive maps its handlers to one, and postkasse does not call up
into it): superusers only."""

import datetime
import json
import uuid
from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import ReadOnlyAdmin
from postkasse import crypto
from postkasse.models import Letter, Price, PrintBatch, Provider, Receipt
from postkasse.services import printing, statistics
from postkasse.services.errors import PostkasseError


def kroner(ore: int | None) -> Decimal | None:
    return None if ore is None else Decimal(ore) / 100


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    """Providers are registered with their key by `register_provider`; here only their
    availability and description change. The certificate shows as its fingerprint."""

    list_display = ("name", "identifier", "available", "fingerprint")
    fields = ("identifier", "name", "description", "available", "fingerprint")
    readonly_fields = ("identifier", "name", "fingerprint")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("certificate fingerprint (SHA-256)"))
    def fingerprint(self, provider):
        return crypto.certificate_fingerprint(provider.certificate.encode())


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin):
    list_display = ("channel", "max_bytes", "price_ore")
    list_editable = ("price_ore",)
    list_filter = ("channel",)


class SuperusersOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class ReceiptInline(admin.TabularInline):
    model = Receipt
    fields = ("created", "kind", "reason", "acknowledged_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Letter)
class LetterAdmin(SuperusersOnly, ReadOnlyAdmin):
    """Metadata only: never the recipient, the sensitive title or the documents."""

    list_display = ("accepted_at", "pk", "sender", "channel", "status", "post_class", "price")
    list_filter = ("status", "channel", "post_class", "accepted_at")
    list_select_related = ("sender",)
    fields = (
        "pk", "sender", "title", "status", "channel", "failure_reason", "post_class", "colour", "return_handling",
        "language", "size", "price", "accepted_at", "expires_at", "delivered_at", "attempts",
    )  # fmt: skip
    readonly_fields = fields
    search_fields = ("=pk",)
    search_help_text = gettext_lazy("Search by letter id.")
    inlines = [ReceiptInline]
    actions = ("mark_returned",)
    show_full_result_count = False
    list_per_page = 50

    @admin.display(description=gettext_lazy("price (kr)"), ordering="price_ore")
    def price(self, letter):
        return kroner(letter.price_ore)

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        try:
            return queryset.filter(pk=uuid.UUID(search_term.strip())), False
        except ValueError:
            return queryset.none(), False

    def has_handle_permission(self, request):
        return request.user.has_perm("postkasse.change_printbatch")

    @admin.action(description=gettext_lazy("Mark as returned to sender"), permissions=["handle"])
    def mark_returned(self, request, queryset):
        returned = 0
        for letter in queryset.filter(status=Letter.Status.PRINTED):
            printing.mark_returned(letter, returned_by=request.user)
            returned += 1
        messages.success(request, _("Letters marked as returned to sender: %(count)d.") % {"count": returned})

    def get_urls(self):
        return [
            path("use/", self.admin_site.admin_view(self.use_view), name="postkasse_letter_use"),
            *super().get_urls(),
        ]

    def use_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            month = datetime.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
        except ValueError:
            month = timezone.localdate().replace(day=1)
        rows = statistics.monthly_use(month)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Digital post: use and cost"),
            "month": month,
            "rows": [
                {"use": row, "cost": kroner(row.cost_ore), "saved": kroner(row.saved_ore)} for row in rows
            ],
            "total": {
                "digital": sum(row.digital for row in rows),
                "print": sum(row.print for row in rows),
                "failed": sum(row.failed for row in rows),
                "cost": kroner(sum(row.cost_ore for row in rows)),
                "saved": kroner(sum(row.saved_ore for row in rows)),
            },
            "previous": (month - datetime.timedelta(days=1)).strftime("%Y-%m"),
            "next": (month + datetime.timedelta(days=32)).strftime("%Y-%m"),
        }
        return TemplateResponse(request, "admin/postkasse/letter/use.html", context)


@admin.register(Receipt)
class ReceiptAdmin(SuperusersOnly, ReadOnlyAdmin):
    list_display = ("created", "letter_id", "sender", "kind", "reason", "acknowledged_at")
    list_filter = ("kind", "created")
    list_select_related = ("sender",)
    show_full_result_count = False
    list_per_page = 50


@admin.register(PrintBatch)
class PrintBatchAdmin(ReadOnlyAdmin):
    """`view_printbatch` lists batches; `change_printbatch` downloads and marks them printed, and
    lists held letters; their documents and marking them sent also need
    `folkeregister.view_protected_address`. A held letter's address is never shown here."""

    list_display = ("day", "post_class", "colour", "letters", "state", "printed_at", "downloads")
    list_filter = ("post_class", "colour", "day")
    actions = ("close_for_printing", "mark_printed")

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(letter_count=Count("jobs"), page_count=Sum("jobs__pages"))
        )

    def has_handle_permission(self, request) -> bool:
        return request.user.has_perm("postkasse.change_printbatch")

    def has_handle_protected_permission(self, request) -> bool:
        return self.has_handle_permission(request) and request.user.has_perm(
            "folkeregister.view_protected_address"
        )

    @admin.display(description=gettext_lazy("letters (pages)"), ordering="letter_count")
    def letters(self, batch):
        return f"{batch.letter_count} ({batch.page_count or 0})"

    @admin.display(description=gettext_lazy("state"))
    def state(self, batch):
        if batch.printed_at:
            return _("Printed")
        return _("Closed, ready to print") if printing.is_closed(batch) else _("Open, takes letters today")

    @admin.display(description=gettext_lazy("download"))
    def downloads(self, batch):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:postkasse_printbatch_pdf", args=[batch.pk]),
            _("PDF"),
            reverse("admin:postkasse_printbatch_manifest", args=[batch.pk]),
            _("Manifest"),
        )

    @admin.action(description=gettext_lazy("Close for printing now"), permissions=["handle"])
    def close_for_printing(self, request, queryset):
        for batch in queryset:
            printing.close_batch(batch, closed_by=request.user, request=request)
        messages.success(request, _("The batches are closed; new letters go to a new batch."))

    @admin.action(description=gettext_lazy("Mark as printed and posted"), permissions=["handle"])
    def mark_printed(self, request, queryset):
        for batch in queryset:
            try:
                count = printing.mark_batch_printed(batch, printed_by=request.user, request=request)
            except PostkasseError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("Batch %(batch)s: %(count)d letters marked as printed.")
                    % {"batch": batch, "count": count},
                )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:batch_id>/pdf/", view(self.pdf_view), name="postkasse_printbatch_pdf"),
            path("<int:batch_id>/manifest/", view(self.manifest_view), name="postkasse_printbatch_manifest"),
            path("held/", view(self.held_view), name="postkasse_printbatch_held"),
            path("held/<uuid:letter_id>/documents/", view(self.held_documents_view), name="postkasse_held_documents"),
            *super().get_urls(),
        ]  # fmt: skip

    def _batch(self, request, batch_id: int) -> PrintBatch:
        if not self.has_handle_permission(request):
            raise PermissionDenied
        return get_object_or_404(PrintBatch, pk=batch_id)

    def _filename(self, batch: PrintBatch, extension: str) -> str:
        colour = "farge" if batch.colour else "sh"
        return f"utskrift-{batch.day}-{batch.post_class}-{colour}-{batch.pk}.{extension}"

    def pdf_view(self, request, batch_id: int):
        batch = self._batch(request, batch_id)
        if not batch.jobs.exists():
            raise Http404
        response = HttpResponse(
            printing.batch_pdf(batch, downloaded_by=request.user, request=request),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = f'attachment; filename="{self._filename(batch, "pdf")}"'
        return response

    def manifest_view(self, request, batch_id: int):
        batch = self._batch(request, batch_id)
        content = json.dumps(printing.batch_manifest(batch), ensure_ascii=False, indent=2)
        response = HttpResponse(content, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{self._filename(batch, "json")}"'
        return response

    def held_view(self, request):
        if not self.has_handle_permission(request):
            raise PermissionDenied
        may_handle = self.has_handle_protected_permission(request)
        if request.method == "POST":
            if not may_handle:
                raise PermissionDenied
            letter = get_object_or_404(Letter, pk=request.POST.get("letter"), status=Letter.Status.HELD)
            printing.mark_sent_manually(letter, handled_by=request.user)
            messages.success(request, _("The letter %(letter)s was marked as sent.") % {"letter": letter.pk})
            return redirect("admin:postkasse_printbatch_held")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Held letters for manual handling"),
            "letters": printing.held_letters(),
            "may_handle": may_handle,
        }
        return TemplateResponse(request, "admin/postkasse/printbatch/held.html", context)

    def held_documents_view(self, request, letter_id):
        if not self.has_handle_protected_permission(request):
            raise PermissionDenied
        letter = get_object_or_404(Letter, pk=letter_id, status=Letter.Status.HELD)
        response = HttpResponse(
            printing.held_documents(letter, downloaded_by=request.user), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="holdt-{letter.pk}.pdf"'
        return response
