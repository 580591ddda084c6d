"""Requests for access (innsynskrav) from the public journal, as the organisation's case handlers
see them in the admin: read-only, and only those for their own organisation's journal posts; once
answered (by e-mail, outside Felles), they are marked handled."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy, ngettext

from saksarkiv.admin.base import CaseHandlerAdmin
from saksarkiv.models import Innsynskrav
from saksarkiv.services import public


@admin.register(Innsynskrav)
class InnsynskravAdmin(CaseHandlerAdmin):
    list_display = ("mottatt", "journalpost_number", "journalpost_title", "epost", "behandlet")
    list_filter = ("mottatt", "behandlet")
    search_fields = ("epost",)
    date_hierarchy = "mottatt"
    fields = ("mottatt", "journalpost_number", "journalpost_title", "epost", "begrunnelse", "behandlet")
    readonly_fields = fields
    show_full_result_count = False
    list_per_page = 50
    actions = ["mark_handled"]

    @admin.action(description=gettext_lazy("Mark as handled"))
    def mark_handled(self, request, queryset):
        count = public.mark_handled(self.handler(request), queryset, request=request)
        self.message_user(
            request,
            ngettext("%(count)d request marked as handled.", "%(count)d requests marked as handled.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.display(description=gettext_lazy("journal post"), ordering="journalpost__journalsekvensnummer")
    def journalpost_number(self, krav):
        journalpost = krav.journalpost
        return f"{journalpost.saksmappe.saksnummer}-{journalpost.journalpostnummer}"

    @admin.display(description=gettext_lazy("title"))
    def journalpost_title(self, krav):
        return krav.journalpost.tittel

    def get_queryset(self, request):
        return public.requests_for(self.handler(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
