"""Restanser: incoming journal posts not yet written off, per case handler and per unit (with the units
under it), the earliest due first and the overdue marked; each links to its post (Noark 5 krav 3.4.1)."""

from django import forms
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saksarkiv.models import AdministrativEnhet, Saksbehandler
from saksarkiv.services import avskrivning

# The page shows this many; the count says how many more there are.
SHOWN = 200


class RestanseFilter(forms.Form):
    saksbehandler = forms.ModelChoiceField(
        Saksbehandler.objects.none(),
        label=gettext_lazy("Case handler"),
        required=False,
        empty_label=gettext_lazy("Everyone"),
    )
    enhet = forms.ModelChoiceField(
        AdministrativEnhet.objects.none(),
        label=gettext_lazy("Unit, with the units under it"),
        required=False,
        empty_label=gettext_lazy("All units"),
    )

    def __init__(self, handler: Saksbehandler, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["saksbehandler"].queryset = Saksbehandler.objects.filter(
            organisation=handler.organisation
        ).select_related("user")
        self.fields["enhet"].queryset = AdministrativEnhet.objects.filter(organisation=handler.organisation)


class RestanseViews:
    """The Restanser page, at restanser/ under the journal posts."""

    def restanse_urls(self, view):
        return [path("restanser/", view(self.restanser_view), name="saksarkiv_journalpost_restanser")]

    def restanser_view(self, request):
        handler = self.handler(request)
        # Without a choice the page shows the handler's own restanser.
        data = request.GET if request.GET else {"saksbehandler": handler.pk}
        form = RestanseFilter(handler, data)
        chosen = form.cleaned_data if form.is_valid() else {"saksbehandler": handler}
        rows = avskrivning.restanser(
            handler, saksbehandler=chosen.get("saksbehandler"), unit=chosen.get("enhet")
        )
        count = rows.count()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Restanser"),
            "form": form,
            "rows": rows[:SHOWN],
            "count": count,
            "more": max(count - SHOWN, 0),
            "own_unit": handler.administrativ_enhet,
            "handler": handler,
        }
        return TemplateResponse(request, "admin/saksarkiv/restanser.html", context)
