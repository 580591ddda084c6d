"""The interface's HTTP surface: the root, the package roots, and for every registered entity its list
(with OData), its instance (GET, PUT, PATCH, DELETE), the lists under an instance and its ny-* relations.

A machine acts for the organisation in its Maskinporten token, as that organisation's system case handler
(saksarkiv.services.api_handler); reading needs felles:noark5/arkiv.read, writing felles:noark5/arkiv.write.
Another organisation's instances do not exist for it (404)."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import whole_number
from maskinporten.drf import HasScope, MaskinportenAuthentication
from saksarkiv.noark5 import entities, odata  # noqa: F401  (entities register their resources)
from saksarkiv.noark5.http import (
    PARSERS,
    RENDERERS,
    ByAcceptHeader,
    Noark5Error,
    NotImplementedHere,
    check_if_match,
    etag,
    handle,
)
from saksarkiv.noark5.rels import (
    ADMIN,
    ARKIVSTRUKTUR,
    LOGGING,
    LOGIN_OAUTH2,
    METADATA,
    NEXT,
    NOT_IMPLEMENTED,
    PREV,
    SAKARKIV,
    SELF,
    rel,
)
from saksarkiv.noark5.resources import (
    REGISTRY,
    TOP_LEVEL,
    Child,
    Creation,
    Links,
    Resource,
    children_of,
    creations_of,
    in_package,
    instance_links,
    link,
    top_level,
)
from saksarkiv.services.api_handler import system_handler
from virksomheter.models import ScopeGrant
from virksomheter.services import get_organisation

READ = ScopeGrant.Scope.ARKIV_LES.value
WRITE = ScopeGrant.Scope.ARKIV_SKRIV.value
# Server-driven paging (chapter 6, "Serverstyrt resultatoppdeling"): a page has at most MAX_TOP instances
# and a next link while there are more.
DEFAULT_TOP = 25
MAX_TOP = 100
MAX_SKIP = 2**31 - 1
# The query options of OData that lists take; any other $option is OData Felles does not do (501).
QUERY_OPTIONS = {"$filter", "$orderby", "$top", "$skip", "$search", "$count"}
PACKAGES = (ARKIVSTRUKTUR, SAKARKIV)


def odata_query(rows, params, resource: Resource):
    """The rows chosen and ordered by the request's $filter, $search and $orderby on the resource's fields;
    an OData query option Felles does not support is refused (501), never ignored."""
    unknown = sorted(key for key in params if key.startswith("$") and key not in QUERY_OPTIONS)
    if unknown:
        raise odata.Unsupported(
            _("The query option %(options)s is not supported.") % {"options": ", ".join(unknown)}
        )
    if params.get("$count", "true") not in ("true", "false"):
        raise odata.Invalid(_("$count is true or false."))
    if "$filter" in params:
        rows = rows.filter(odata.filter_q(params["$filter"], resource.fields))
    if "$search" in params:
        rows = rows.filter(odata.search_q(params["$search"], resource.search))
    order = odata.ordering(params["$orderby"], resource.fields) if "$orderby" in params else []
    return rows.order_by(*order, *resource.order)


def page_of(rows, skip: int, top: int) -> list:
    """The page's rows in two steps: the keys first, so that sorting every matching row (a deep $skip, an
    $orderby on a title) carries keys, not each row with all its joined columns; then those rows, in that
    order. (On 100,000 journal posts: $skip=90000 from 540 to 180 ms, $orderby=tittel from 440 to 110 ms.)"""
    if not top:
        return []
    if not isinstance(rows, QuerySet):
        return list(rows[skip : skip + top])
    keys = list(rows.values_list("pk", flat=True)[skip : skip + top])
    found = {row.pk: row for row in rows.order_by().filter(pk__in=keys)}
    return [found[key] for key in keys if key in found]


class Noark5View(APIView):
    # The interface is described by its standard and found by its links, not by Felles' OpenAPI document
    # (whose problems are {"code", "detail"}); schemathesis covers the agency APIs that document lives in.
    schema = None
    authentication_classes = [MaskinportenAuthentication]
    permission_classes = [HasScope]
    renderer_classes = RENDERERS
    parser_classes = PARSERS
    content_negotiation_class = ByAcceptHeader

    @property
    def required_scopes(self) -> list[str]:
        return [READ] if self.request.method in SAFE_METHODS else [WRITE]

    def get_exception_handler(self):
        return handle

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.links = Links(request)
        self.handler = system_handler(get_organisation(request.user.organisation_number))

    def resource(self, package: str, name: str) -> Resource:
        found = REGISTRY.get(f"{package}/{name}")
        if found is None:
            raise_missing(name)
        return found

    def instance(self, resource: Resource, system_id):
        return resource.get(self.handler, system_id, self.request)

    def body(self, resource: Resource, instance) -> dict:
        resource = REGISTRY[resource.canonical] if resource.canonical else resource
        return {
            **resource.represent(instance, self.links),
            "_links": instance_links(resource, instance, self.links, self.handler),
        }

    def answer(self, resource: Resource, instance, status_code: int = 200) -> Response:
        resource = REGISTRY[resource.canonical] if resource.canonical else resource
        body = self.body(resource, instance)
        headers = {"ETag": etag(body)}
        if status_code == status.HTTP_201_CREATED:
            headers["Location"] = body["_links"][SELF]["href"]
        return Response(body, status=status_code, headers=headers)

    def listing(self, resource: Resource, rows, own_rel: str = "") -> Response:
        """A list as the standard gives one: count (all that match, not only this page), results (left
        out when there are none) and _links with self, next and the list's own rel."""
        rows = odata_query(rows, self.request.query_params, resource)
        top = self.number("$top", DEFAULT_TOP, lowest=0, highest=MAX_TOP)
        skip = self.number("$skip", 0, lowest=0, highest=MAX_SKIP)
        count = rows.count()
        page = page_of(rows, skip, top)
        self_href = self.links.absolute(self.request.get_full_path())
        links = {SELF: link(self_href)}
        if skip + top < count and top:
            links[NEXT] = link(self.with_params(**{"$skip": skip + top, "$top": top}))
        if skip:
            links[PREV] = link(self.with_params(**{"$skip": max(skip - top, 0), "$top": top}))
        links[own_rel or resource.rel] = link(self_href)
        body = {"count": count, "_links": links}
        if page:
            body["results"] = [self.body(resource, instance) for instance in page]
        return Response(body)

    def number(self, name: str, default: int, *, lowest: int, highest: int) -> int:
        raw = self.request.query_params.get(name)
        if raw is None:
            return default
        found = whole_number(raw, lowest=lowest, highest=highest)
        if found is None:
            raise Noark5Error(
                status.HTTP_400_BAD_REQUEST,
                _("%(name)s must be a whole number from %(lowest)s to %(highest)s.")
                % {"name": name, "lowest": lowest, "highest": highest},
            )
        return found

    def with_params(self, **values) -> str:
        query = self.request.GET.copy()
        for key, value in values.items():
            query[key] = str(value)
        return self.links.absolute(f"{self.request.path}?{query.urlencode(safe='$')}")

    def values(self) -> dict:
        data = self.request.data
        if not isinstance(data, dict):
            raise Noark5Error(status.HTTP_400_BAD_REQUEST, _("The body must be a JSON object."))
        return {key: value for key, value in data.items() if key != "_links"}


@extend_schema(exclude=True)
class Root(Noark5View):
    """The one address a client needs: what this archive offers, and how to log in (no token needed,
    chapter 4: "Tilgang til hoved-URL for å liste opp innloggingsmekanismer krever ikke autentisering")."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        APIView.initial(self, request, *args, **kwargs)
        self.links = Links(request)

    def get(self, request):
        from django.urls import reverse

        links = {
            rel(ADMIN): link(self.links.absolute(reverse("noark5:admin"))),
            rel(ADMIN, "system"): link(self.links.absolute(reverse("noark5:system"))),
            rel(ARKIVSTRUKTUR): link(self.links.package(ARKIVSTRUKTUR)),
            # The issuer's metadata (RFC 8414): where the token endpoint is, and what it takes.
            LOGIN_OAUTH2: link(request.build_absolute_uri(reverse("maskinporten:metadata"))),
            rel(LOGGING): link(self.links.absolute(reverse("noark5:logging"))),
            rel(METADATA): link(self.links.absolute(reverse("noark5:metadata"))),
            rel(SAKARKIV): link(self.links.package(SAKARKIV)),
        }
        return Response({"_links": dict(sorted(links.items()))})


@extend_schema(exclude=True)
class Package(Noark5View):
    """A package's entity lists (templated with the query options) and its top-level ny-* relations."""

    def get(self, request, package):
        if package not in PACKAGES:
            raise Noark5Error(status.HTTP_404_NOT_FOUND, _("No such resource."))
        links = {SELF: link(self.links.package(package)), rel(package): link(self.links.package(package))}
        for resource in in_package(package):
            links[resource.rel] = link(
                self.links.listing(resource.key) + Links.QUERY_TEMPLATE, templated=True
            )
        for creation in top_level(package):
            if creation.allowed(None, self.handler):
                links[creation.rel] = link(self.links.new_in_package(package, creation.segment))
        return Response({"_links": dict(sorted(links.items()))})


@extend_schema(exclude=True)
class Listing(Noark5View):
    """GET <package>/<entity>/: every instance the system may see, with OData; and the top-level
    ny-arkiv, ny-arkivskaper (GET a template, POST to create)."""

    def get(self, request, package, name):
        creation = TOP_LEVEL.get((package, name))
        if creation is not None:
            if not creation.allowed(None, self.handler):
                raise Noark5Error(status.HTTP_403_FORBIDDEN, _("You may not create this here."))
            return Response(creation.template(None, self.handler).render(self.links))
        resource = self.resource(package, name)
        return self.listing(resource, resource.rows(self.handler))

    def post(self, request, package, name):
        creation = TOP_LEVEL.get((package, name))
        if creation is None:
            raise Noark5Error(status.HTTP_405_METHOD_NOT_ALLOWED, _("Create it through its ny-* relation."))
        return self.create(creation, None)

    def create(self, creation, parent):
        if not creation.allowed(parent, self.handler):
            raise Noark5Error(status.HTTP_403_FORBIDDEN, _("You may not create this here."))
        with transaction.atomic():
            created = creation.create(parent, self.handler, self.values(), self.request)
        return self.answer(REGISTRY[creation.entity], created, status.HTTP_201_CREATED)


@extend_schema(exclude=True)
class Detail(Noark5View):
    def get(self, request, package, name, system_id):
        resource = self.resource(package, name)
        return self.answer(resource, self.instance(resource, system_id))

    def put(self, request, package, name, system_id):
        return self.change(package, name, system_id, whole=True)

    def patch(self, request, package, name, system_id):
        return self.change(package, name, system_id, whole=False)

    def change(self, package, name, system_id, *, whole: bool):
        resource = self.resource(package, name)
        with transaction.atomic():
            instance = self.instance(resource, system_id)
            type(instance).objects.select_for_update().filter(pk=instance.pk).first()
            instance = self.instance(resource, system_id)
            current = self.body(resource, instance)
            check_if_match(self.request, etag(current))
            values = self.values()
            if whole:
                values = changed_fields(current, values)
            resource.update(instance, self.handler, values, self.request)
        return self.answer(resource, self.instance(resource, system_id))

    def delete(self, request, package, name, system_id):
        resource = self.resource(package, name)
        with transaction.atomic():
            instance = self.instance(resource, system_id)
            resource.delete(instance, self.handler, request)
        return Response(status=status.HTTP_204_NO_CONTENT)


def raise_missing(name: str):
    """A part of the standard Felles does not serve answers 501; anything else does not exist (404)."""
    if name in NOT_IMPLEMENTED:
        raise NotImplementedHere(_("%(name)s is not implemented in this archive.") % {"name": name})
    raise Noark5Error(status.HTTP_404_NOT_FOUND, _("No such resource."))


def changed_fields(current: dict, sent: dict) -> dict:
    """A PUT sends the whole instance; what it changes is what differs from the instance as read (the
    fields the archive sets, sent back as read, are no change)."""
    return {key: value for key, value in sent.items() if current.get(key) != value}


@extend_schema(exclude=True)
class Under(Listing):
    """<package>/<entity>/<systemID>/<segment>/: a list under the instance, or one of its ny-* relations."""

    # The file of a document (chapter 6: its own MIME type, or 406 when Accept names neither it nor */*):
    # the action answers the file or refuses the Accept itself.
    FILES = ("referanseFil", "fil")

    def perform_content_negotiation(self, request, force=False):
        if self.kwargs.get("segment") in self.FILES:
            force = True
        return super().perform_content_negotiation(request, force=force)

    def found(self, package, name, system_id, segment):
        resource = self.resource(package, name)
        instance = self.instance(resource, system_id)
        for child in children_of(resource, instance):
            if child.segment == segment:
                return resource, instance, child
        for creation in creations_of(resource, instance):
            if creation.segment == segment:
                return resource, instance, creation
        action = resource.actions().get(segment)
        if action is not None:
            return resource, instance, action
        raise_missing(segment)

    def get(self, request, package, name, system_id, segment):
        resource, instance, found = self.found(package, name, system_id, segment)
        if isinstance(found, Child):
            listed = REGISTRY[found.entity]
            return self.listing(listed, found.rows(instance, self.handler), found.rel)
        if isinstance(found, Creation):
            if not found.allowed(instance, self.handler):
                raise Noark5Error(status.HTTP_403_FORBIDDEN, _("You may not create this here."))
            return Response(found.template(instance, self.handler).render(self.links))
        return found.get(self, instance)

    def post(self, request, package, name, system_id, segment):
        resource, instance, found = self.found(package, name, system_id, segment)
        if isinstance(found, Creation):
            return self.create(found, instance)
        if isinstance(found, Child):
            raise Noark5Error(status.HTTP_405_METHOD_NOT_ALLOWED, _("Create it through its ny-* relation."))
        return found.post(self, instance)

    def put(self, request, package, name, system_id, segment):
        resource, instance, found = self.found(package, name, system_id, segment)
        if isinstance(found, Child | Creation):
            raise Noark5Error(status.HTTP_405_METHOD_NOT_ALLOWED, _("Not allowed here."))
        return found.put(self, instance)
