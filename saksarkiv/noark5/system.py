"""admin/: the server's system information (chapter 6, "Systeminformasjon"), and the Admin package's
administrative units and users (chapter 7, Admin; saksarkiv/noark5/entities/admin.py).

The package's lists, instances and ny-* relations are answered by the generic views with package "admin"
(the same URL names as arkivstruktur's and sakarkiv's, so that Links reverses them alike)."""

import tomllib
from functools import cache

from django.conf import settings
from django.db import transaction
from django.urls import path, re_path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.response import Response

from saksarkiv.noark5 import views
from saksarkiv.noark5.entities.admin import BRUKER, ENHET, may_manage_units
from saksarkiv.noark5.http import NotImplementedHere, etag
from saksarkiv.noark5.rels import ADMIN, SELF, rel
from saksarkiv.noark5.resources import REGISTRY, Links, link

PRODUCT = "Felles"
VENDOR = "Felles"
# The version of the service interface specification served (chapter 6: "For dagens utgave vil verdien
# være «1.1»").
PROTOCOL_VERSION = "1.1"
NAME = r"(?P<name>[a-zA-Z][a-zA-Z-]{0,59})"
UUID = r"(?P<system_id>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
SEGMENT = r"(?P<segment>[a-zA-Z][a-zA-Z-]{0,59})"


@cache
def project() -> dict:
    """The project's own description of itself (pyproject.toml): its version, and its release date when
    it names one ([tool.felles] versjonsdato)."""
    with open(settings.BASE_DIR / "pyproject.toml", "rb") as found:
        return tomllib.load(found)


def upload_limit() -> int:
    """bulkgrense: the largest file the archive takes in one upload (a document's file), in bytes."""
    return settings.SAKSARKIV_MAX_DOCUMENT_BYTES


class System(views.Noark5View):
    """GET admin/system/: what serves the interface. Only for a machine with a token (views.Noark5View),
    as the standard advises: a server's version is of use to an attacker."""

    def get(self, request):
        described = project()
        href = self.links.absolute(reverse("noark5:system"))
        body = {
            "bulkgrense": upload_limit(),
            "leverandoer": VENDOR,
            "produkt": PRODUCT,
            "versjon": described["project"]["version"],
            "versjonsdato": described.get("tool", {}).get("felles", {}).get("versjonsdato"),
            "protokollversjon": PROTOCOL_VERSION,
            "_links": {SELF: link(href), rel(ADMIN, "system"): link(href)},
        }
        body = {key: value for key, value in body.items() if value is not None}
        return Response(body, headers={"ETag": etag(body)})


class Admin(views.Noark5View):
    """GET admin/: the package's lists, templated with the query options, and ny-administrativenhet for
    a handler who may create units."""

    def get(self, request):
        own = self.links.absolute(reverse("noark5:admin"))
        links = {SELF: link(own), rel(ADMIN): link(own)}
        for key in (ENHET, BRUKER):
            links[REGISTRY[key].rel] = link(self.links.listing(key) + Links.QUERY_TEMPLATE, templated=True)
        if may_manage_units(self.handler):
            links[rel(ADMIN, "ny-administrativenhet")] = link(
                self.links.new_in_package(ADMIN, "ny-administrativenhet")
            )
        return Response({"_links": dict(sorted(links.items()))})


class ServicesDecide:
    """Creating here is decided by the services (saksarkiv.services.units), which say why they refuse:
    their reason is the answer (403), rather than a bare "not allowed"."""

    def create(self, creation, parent):
        with transaction.atomic():
            created = creation.create(parent, self.handler, self.values(), self.request)
        return self.answer(REGISTRY[creation.entity], created, status.HTTP_201_CREATED)


class Listing(ServicesDecide, views.Listing):
    pass


class Under(ServicesDecide, views.Under):
    pass


class Detail(views.Detail):
    """An instance; one of a read-only resource (a user, a change log entry) is not changed here."""

    def change(self, package, name, system_id, *, whole: bool):
        resource = self.resource(package, name)
        if getattr(resource, "read_only", False):
            self.instance(resource, system_id)  # 404 for one that does not exist
            raise NotImplementedHere(
                _("%(entity)s cannot be changed through this interface.") % {"entity": resource.name}
            )
        return super().change(package, name, system_id, whole=whole)


class Unsupported(views.Noark5View):
    """A part of the standard Felles does not implement answers 501 (chapter 6), with the reason."""

    reason: str  # each subclass names what it does not serve, and why

    def get(self, request, *args, **kwargs):
        raise NotImplementedHere(str(self.reason))

    post = put = patch = delete = get


class NewUser(Unsupported):
    reason = gettext_lazy(
        "Users are managed in Felles' admin, where a person signs in; they are not created here."
    )


class Rights(Unsupported):
    reason = gettext_lazy(
        "Access is given by access codes and groups in Felles' admin; rettighet is not served."
    )


def package_patterns(package: str, listing=views.Listing, detail=views.Detail, under=views.Under) -> list:
    """A package's lists, instances and what hangs under them, by the generic views."""
    fixed = {"package": package}
    return [
        re_path(rf"^{NAME}/?$", listing.as_view(), fixed, name="list"),
        re_path(rf"^{NAME}/{UUID}/?$", detail.as_view(), fixed, name="detail"),
        re_path(rf"^{NAME}/{UUID}/{SEGMENT}/?$", under.as_view(), fixed, name="under"),
    ]


urlpatterns = [
    path("", Admin.as_view(), name="admin"),
    path("system/", System.as_view(), name="system"),
    re_path(r"^ny-bruker/?$", NewUser.as_view()),
    re_path(r"^(rettighet|ny-rettighet|tilgang|ny-tilgang)/?$", Rights.as_view()),
    *package_patterns(ADMIN, Listing, Detail, Under),
]
