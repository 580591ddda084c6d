"""MinID in the admin: PIN letters for case handlers, and a read-only view of MinID users. Letters
are only ever made, printed and blocked through minid.services. The print room prints queued
letters in the digital post's print batches, which mark them printed here; only held letters
(protected addresses) are downloaded and sent by hand from this page."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core import audit
from core.admin import ReadOnlyAdmin
from minid import services
from minid.models import MinidUser, PinLetter
from minid.services.actions import AuditAction
from minid.services.pin_letters import OBJECT_TYPE, mark_sent_manually


class IdentityNumberSearch:
    """Search by one full identity number only: persons are never listed by partial numbers or names here."""

    search_fields = ("=person__identity_number",)
    search_help_text = gettext_lazy("Search by identity number (11 digits).")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.replace(" ", "").replace("-", "")
        if not term:
            return queryset, False
        if len(term) == 11 and term.isascii() and term.isdigit():
            return queryset.filter(person__identity_number=term), False
        return queryset.none(), False


class BlockedFilter(admin.SimpleListFilter):
    title = gettext_lazy("blocked")
    parameter_name = "blocked"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(blocked_at__isnull=self.value() == "no")
        return queryset


class OrderPinLetterForm(forms.Form):
    identity_number = forms.CharField(label=capfirst(gettext_lazy("identity number")), max_length=20)


@admin.register(PinLetter)
class PinLetterAdmin(IdentityNumberSearch, admin.ModelAdmin):
    """`add_pinletter` lets a handler order letters; `change_pinletter` lets them block letters
    (there is no change form); held letters are downloaded and marked sent by handlers who also
    have `folkeregister.view_protected_address`."""

    list_display = ("serial", "person", "created", "print_status", "is_blocked", "printed_at", "download")
    list_display_links = None
    list_filter = ("print_status", BlockedFilter, "created")
    list_select_related = ("person",)
    fields = ("person", "created", "print_status", "printed_at", "blocked_at", "failed_attempts")
    actions = ("mark_as_sent_manually", "block_letters")
    show_full_result_count = False
    list_per_page = 50

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_handle_permission(self, request) -> bool:
        return request.user.has_perm("minid.change_pinletter")

    def may_download(self, request, letter: PinLetter) -> bool:
        return request.user.has_perm("minid.view_pinletter") and request.user.has_perm(
            "folkeregister.view_protected_address"
        )

    @admin.display(description=gettext_lazy("serial number"), ordering="id")
    def serial(self, letter):
        return letter.serial

    @admin.display(description=gettext_lazy("blocked"), boolean=True, ordering="blocked_at")
    def is_blocked(self, letter):
        return letter.is_blocked

    @admin.display(description=gettext_lazy("letter (PDF)"))
    def download(self, letter):
        if letter.print_status != PinLetter.PrintStatus.HELD or not letter.pdf:
            return None
        url = reverse("admin:minid_pinletter_download", args=[letter.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    def get_urls(self):
        return [
            path("order/", self.admin_site.admin_view(self.order_view), name="minid_pinletter_order"),
            path(
                "<int:letter_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="minid_pinletter_download",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:minid_pinletter_order")

    def order_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = OrderPinLetterForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                letter = services.order_pin_letter(
                    form.cleaned_data["identity_number"], ordered_by=request.user, request=request
                )
            except services.MinidError as error:
                form.add_error("identity_number", error.message)
            else:
                self._report_ordered(request, letter)
                return redirect("admin:minid_pinletter_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Order PIN letter"),
            "form": form,
        }
        return TemplateResponse(request, "admin/minid/pinletter/order.html", context)

    def _report_ordered(self, request, letter: PinLetter) -> None:
        values = {"serial": letter.serial, "person": letter.person}
        if letter.print_status == PinLetter.PrintStatus.HELD:
            messages.warning(
                request,
                _(
                    "PIN letter %(serial)s for %(person)s is held for manual handling: "
                    "the person has a protected address."
                )
                % values,
            )
        else:
            messages.success(
                request, _("PIN letter %(serial)s for %(person)s is queued for printing.") % values
            )

    def download_view(self, request, letter_id: int):
        letter = get_object_or_404(PinLetter.objects.select_related("person"), pk=letter_id)
        identity_number = letter.person.identity_number
        if not self.may_download(request, letter):
            audit.record(
                AuditAction.PIN_LETTER_DOWNLOADED,
                request=request,
                object_type=OBJECT_TYPE,
                object_id=identity_number,
                outcome=audit.Outcome.DENIED,
                details={"letter": letter.serial},
            )
            raise PermissionDenied
        if letter.print_status != PinLetter.PrintStatus.HELD or not letter.pdf:
            raise Http404
        try:
            pdf = letter.pdf.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        audit.record(
            AuditAction.PIN_LETTER_DOWNLOADED,
            request=request,
            object_type=OBJECT_TYPE,
            object_id=identity_number,
            details={"letter": letter.serial},
        )
        return FileResponse(
            pdf, as_attachment=True, filename=f"pinbrev-{letter.serial}.pdf", content_type="application/pdf"
        )

    @admin.action(
        description=gettext_lazy("Mark held letters as sent after manual handling"),
        permissions=["handle_protected"],
    )
    def mark_as_sent_manually(self, request, queryset):
        """A letter to a protected address has been addressed and posted by hand: the PDF goes."""
        letters = list(queryset.filter(print_status=PinLetter.PrintStatus.HELD).select_related("person"))
        for letter in letters:
            mark_sent_manually(letter, handled_by=request.user, request=request)
        messages.success(
            request,
            ngettext(
                "%(count)d held letter was marked as sent.",
                "%(count)d held letters were marked as sent.",
                len(letters),
            )
            % {"count": len(letters)},
        )

    def has_handle_protected_permission(self, request):
        return self.has_handle_permission(request) and request.user.has_perm(
            "folkeregister.view_protected_address"
        )

    @admin.action(description=gettext_lazy("Block letters"), permissions=["handle"])
    def block_letters(self, request, queryset):
        letters = list(queryset.filter(blocked_at__isnull=True).select_related("person"))
        for letter in letters:
            services.block_letter(letter, blocked_by=request.user, reason="case_handler", request=request)
        messages.success(
            request,
            ngettext("%(count)d letter was blocked.", "%(count)d letters were blocked.", len(letters))
            % {"count": len(letters)},
        )


@admin.register(MinidUser)
class MinidUserAdmin(IdentityNumberSearch, ReadOnlyAdmin):
    """Read-only: users change their own account, and a locked user unlocks with a new PIN letter."""

    list_display = ("person", "status", "created", "last_login_at", "code_channel")
    list_filter = ("status",)
    list_select_related = ("person",)
    # Never the password hash.
    fields = (
        "person", "status", "code_channel", "mobile", "mobile_verified_at", "email", "email_verified_at",
        "failed_attempts", "locked_at", "consent_at", "created", "last_login_at", "password_changed_at",
    )  # fmt: skip
    actions = None
    show_full_result_count = False
    list_per_page = 50
