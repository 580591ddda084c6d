"""metadata/: the standard's code lists, each with the organisation's own additions (chapter 7, "Kodelister").

- metadata/ names every list (a templated rel .../metadata/<kodeliste>/) and, for a token that may write,
  where to add to it (.../metadata/ny-<kodeliste>/).
- metadata/<kodeliste>/ is a list like any other of the interface: count, results, paging, $filter, $orderby,
  $search, $top, $skip on kode, kodenavn, beskrivelse and inaktiv.
- metadata/ny-<kodeliste>/ answers GET with a template and POST with the added value (201).
- metadata/<kodeliste>/<kode>/ is one value, with its ETag; the organisation's own values may be changed (PUT,
  PATCH with If-Match) and removed (DELETE), the standard's may not (403).

virksomhetsspesifikkeMetadata, the catalogue of the organisation's own metadata fields, is not a code list of
codes and names (its entries have systemID, navn, type, kilde, utdatert): Felles does not offer it yet (501),
and so does not announce it either (chapter 6, "Metadatakatalog for virksomhetsspesifikke metadata").
"""

from django.db import transaction
from django.urls import re_path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from maskinporten.drf import token_has_scope
from saksarkiv.noark5 import codes, odata
from saksarkiv.noark5.fields import refuse_other
from saksarkiv.noark5.http import Noark5Error, NotImplementedHere, check_if_match, etag
from saksarkiv.noark5.rels import METADATA, SELF, rel
from saksarkiv.noark5.resources import Links, Resource, Template, link, present
from saksarkiv.noark5.views import WRITE, Noark5View, changed_fields

NEW = "ny-"
FIELDS = ("kode", "kodenavn", "beskrivelse", "inaktiv")
CATALOGUE = "virksomhetsspesifikkemetadata"


class CodeListResource(Resource):
    """One code list as a list of the interface: what may be filtered, ordered and searched on. Not
    registered: a code list is no entity of a package."""

    package = METADATA
    fields = {
        "kode": odata.Field("kode", "text"),
        "kodenavn": odata.Field("kodenavn", "text"),
        "beskrivelse": odata.Field("beskrivelse", "text"),
        "inaktiv": odata.Field("inaktiv", "boolean"),
    }
    search = ("kode", "kodenavn")
    order = ()  # the standard's order, then the organisation's own values by code

    def __init__(self, kodeliste: str):
        self.name = kodeliste


class MetadataView(Noark5View):
    # A code value is a few short texts: anything larger is refused before it is read (413).
    max_body_bytes = 64 * 1024

    @property
    def organisation(self):
        return self.handler.organisation

    def body(self, resource: Resource, value: codes.Value) -> dict:
        href = self.links.absolute(
            reverse("noark5:kodeverdi", kwargs={"kodeliste": resource.name, "kode": value.kode})
        )
        body = present({"kode": value.kode, "kodenavn": value.kodenavn, "beskrivelse": value.beskrivelse})
        if value.inaktiv:
            body["inaktiv"] = True
        body["_links"] = {SELF: link(href), rel(METADATA, resource.name): link(href)}
        return body

    def value_answer(
        self, kodeliste: str, value: codes.Value, status_code: int = status.HTTP_200_OK
    ) -> Response:
        body = self.body(CodeListResource(kodeliste), value)
        headers = {"ETag": etag(body)}
        if status_code == status.HTTP_201_CREATED:
            headers["Location"] = body["_links"][SELF]["href"]
        return Response(body, status=status_code, headers=headers)

    def may_write(self) -> bool:
        return token_has_scope(self.request, WRITE)

    def code_values(self, *, partial: bool) -> dict:
        values = self.values()
        refuse_other(values, FIELDS)
        if "inaktiv" in values:
            if values["inaktiv"] is None and partial:  # JSON Merge Patch: null removes it, so not inaktiv
                values["inaktiv"] = False
            if not isinstance(values["inaktiv"], bool):
                raise Noark5Error(status.HTTP_400_BAD_REQUEST, _("inaktiv must be true or false."))
        return values


def refuse_catalogue(kodeliste: str) -> None:
    if kodeliste.removeprefix(NEW).lower() == CATALOGUE:
        raise NotImplementedHere(_("The catalogue of virksomhetsspesifikkeMetadata is not offered."))


@extend_schema(exclude=True)
class Metadata(MetadataView):
    def get(self, request):
        href = self.links.absolute(reverse("noark5:metadata"))
        links = {SELF: link(href), rel(METADATA): link(href)}
        writing = self.may_write()
        for name in codes.lists():
            links[rel(METADATA, name)] = link(
                self.links.code_list(name) + Links.QUERY_TEMPLATE, templated=True
            )
            if writing:
                links[rel(METADATA, NEW + name)] = link(self.links.code_list(NEW + name))
        return Response({"_links": dict(sorted(links.items()))})


@extend_schema(exclude=True)
class CodeList(MetadataView):
    """metadata/<kodeliste>/ (the values) and metadata/ny-<kodeliste>/ (add one)."""

    def get(self, request, kodeliste):
        refuse_catalogue(kodeliste)
        if kodeliste.startswith(NEW):
            found = self.new_in(kodeliste)
            return Response(Template(fields={}, code_lists=(found.name,)).render(self.links))
        found = codes.code_list(kodeliste)
        rows = codes.Values(codes.values(found.name, self.organisation))
        resource = CodeListResource(found.name)
        return self.listing(resource, rows, resource.rel)

    def post(self, request, kodeliste):
        refuse_catalogue(kodeliste)
        if not kodeliste.startswith(NEW):
            codes.code_list(kodeliste)
            raise Noark5Error(status.HTTP_405_METHOD_NOT_ALLOWED, _("Create it through its ny-* relation."))
        found = self.new_in(kodeliste)
        values = self.code_values(partial=False)
        with transaction.atomic():
            added = codes.add(
                self.handler,
                found.name,
                kode=values.get("kode"),
                kodenavn=values.get("kodenavn"),
                beskrivelse=values.get("beskrivelse", ""),
                inaktiv=values.get("inaktiv", False),
                request=request,
            )
        return self.value_answer(found.name, added, status.HTTP_201_CREATED)

    def new_in(self, kodeliste: str) -> codes.CodeList:
        found = codes.code_list(kodeliste.removeprefix(NEW))
        if not self.may_write():
            raise Noark5Error(status.HTTP_403_FORBIDDEN, _("Adding to a code list needs the writing scope."))
        return found


@extend_schema(exclude=True)
class CodeValue(MetadataView):
    """metadata/<kodeliste>/<kode>/: one value; the organisation's own may be changed and removed."""

    def get(self, request, kodeliste, kode):
        refuse_catalogue(kodeliste)
        return self.value_answer(kodeliste, codes.value(kodeliste, kode, self.organisation))

    def put(self, request, kodeliste, kode):
        return self.change(kodeliste, kode, whole=True)

    def patch(self, request, kodeliste, kode):
        return self.change(kodeliste, kode, whole=False)

    def change(self, kodeliste: str, kode: str, *, whole: bool) -> Response:
        refuse_catalogue(kodeliste)
        with transaction.atomic():
            current = codes.value(kodeliste, kode, self.organisation, lock=True)
            if not current.own:
                codes.require_own(kodeliste, kode)
            shown = self.body(CodeListResource(kodeliste), current)
            check_if_match(self.request, etag(shown))
            values = self.code_values(partial=not whole)
            if whole:
                values = changed_fields(shown, values)
            if values.get("kode", kode) != kode:
                raise Noark5Error(
                    status.HTTP_400_BAD_REQUEST,
                    _("The code of a value cannot be changed: add a new value and set this one inaktiv."),
                )
            values.pop("kode", None)
            changed = codes.change(self.handler, kodeliste, kode, values, request=self.request)
        return self.value_answer(kodeliste, changed)

    def delete(self, request, kodeliste, kode):
        refuse_catalogue(kodeliste)
        with transaction.atomic():
            codes.remove(self.handler, kodeliste, kode, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


LIST = r"(?P<kodeliste>[a-zA-Z][a-zA-Z-]{0,59})"

urlpatterns = [
    re_path(r"^$", Metadata.as_view(), name="metadata"),
    re_path(rf"^{LIST}/?$", CodeList.as_view(), name="kodeliste"),
    # A code may hold a slash (fmt/95) or a colon (EPSG:4326): the rest of the path, less a closing slash.
    re_path(rf"^{LIST}/(?P<kode>.+?)/?$", CodeValue.as_view(), name="kodeverdi"),
]
