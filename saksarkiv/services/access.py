"""Who sees which records: a case handler sees their own organisation's archive only.

Every list, count, search, lookup and export of cases and journal posts, in the admin, the API and
the dashboard, starts from cases_for and journalposts_for, so that a rule added here holds everywhere."""

from django.utils.translation import gettext as _

from saksarkiv.models import Journalpost, Saksbehandler, Saksmappe
from saksarkiv.services.errors import NotFound


def handler_for(user) -> Saksbehandler:
    handler = Saksbehandler.objects.select_related("organisation", "user").filter(user=user).first()
    if handler is None:
        raise NotFound(_("You are not registered as a case handler for any organisation."))
    return handler


def cases_for(handler: Saksbehandler):
    """The cases a handler may see: their own organisation's only."""
    return Saksmappe.objects.filter(arkivdel__arkiv__organisation=handler.organisation)


def journalposts_for(handler: Saksbehandler):
    return Journalpost.objects.filter(saksmappe__arkivdel__arkiv__organisation=handler.organisation)


def get_journalpost(handler: Saksbehandler, pk) -> Journalpost:
    journalpost = journalposts_for(handler).select_related("saksmappe").filter(pk=pk).first()
    if journalpost is None:
        raise NotFound(_("No such journal post."))
    return journalpost
