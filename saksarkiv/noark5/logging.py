"""loggingogsporing/ (chapter 7, LoggingOgSporing): the package root and the change log
(saksarkiv/noark5/entities/endringslogg.py), read only. The event log (hendelseslogg) is not served: 501."""

from django.urls import path, re_path, reverse
from django.utils.translation import gettext_lazy
from rest_framework.response import Response

from saksarkiv.noark5 import views
from saksarkiv.noark5.entities.endringslogg import ENDRINGSLOGG, hang_under_every_record
from saksarkiv.noark5.rels import LOGGING, SELF, rel
from saksarkiv.noark5.resources import REGISTRY, Links, link
from saksarkiv.noark5.system import Detail, Unsupported, package_patterns


class Logging(views.Noark5View):
    def get(self, request):
        own = self.links.absolute(reverse("noark5:logging"))
        links = {
            SELF: link(own),
            rel(LOGGING): link(own),
            REGISTRY[ENDRINGSLOGG].rel: link(
                self.links.listing(ENDRINGSLOGG) + Links.QUERY_TEMPLATE, templated=True
            ),
        }
        return Response({"_links": dict(sorted(links.items()))})


class EventLog(Unsupported):
    reason = gettext_lazy("The event log (hendelseslogg) is not served; the change log is (endringslogg).")


class NewEntry(Unsupported):
    reason = gettext_lazy("The change log is written by the archive as records change; it is not added to.")


# views imported every entity module: each record resource is registered by now.
hang_under_every_record()

urlpatterns = [
    path("", Logging.as_view(), name="logging"),
    re_path(r"^(hendelseslogg|ny-hendelseslogg)/?$", EventLog.as_view()),
    re_path(r"^ny-endringslogg/?$", NewEntry.as_view()),
    *package_patterns(LOGGING, detail=Detail),
]
