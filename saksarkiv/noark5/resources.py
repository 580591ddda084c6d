"""What the interface knows of an entity, declared once per entity and served by the generic views.

A `Resource` names its package and entity (so its rel and its URLs), the fields a client may filter and
order on (with their ORM lookups), where free-text search looks, which rows the calling organisation's
system may see (the access rules of the archive apply to every list, filter, search and count), how an
instance reads as JSON, what lists hang under an instance (`children`: its journal posts, say) and what
may be created under it (`creations`: ny-journalpost), and how it is changed and deleted.

Entities register themselves (`@register`) in the modules of saksarkiv/noark5/entities/.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from saksarkiv.models import Saksbehandler
from saksarkiv.noark5 import codes, odata
from saksarkiv.noark5.http import NotImplementedHere
from saksarkiv.noark5.rels import rel


@dataclass(frozen=True)
class Child:
    """A list under an instance: `segment` in its URL, the entity listed and the rows."""

    segment: str
    entity: str  # the key of the listed resource in REGISTRY, "<package>/<name>"
    rows: Callable[[Model, Saksbehandler], QuerySet]
    rel: str = ""  # the relation key, the listed entity's own unless given (underklasse, ...)


@dataclass(frozen=True)
class Creation:
    """A ny-<entity> relation: GET answers a template, POST creates the entity under the instance (or
    under the package, at the top of the structure)."""

    segment: str  # "ny-journalpost"
    entity: str  # the key of the created resource
    template: Callable[[Model | None, Saksbehandler], "Template"]
    create: Callable[..., Model]  # (parent, handler, values, request) -> the created instance
    allowed: Callable[[Model | None, Saksbehandler], bool] = lambda parent, handler: True
    package: str = ""  # the rel's package, the created entity's unless given (sakarkiv/ny-saksmappe ...)

    @property
    def rel(self) -> str:
        return rel(self.package or self.entity.split("/")[0], self.segment)


class Resource:
    package: str
    name: str
    # The Noark field names a client may filter and order on, with their lookups.
    fields: dict[str, odata.Field] = {}
    # Where $search looks.
    search: tuple[str, ...] = ()
    # The default order of a list (a stable one: the last key is unique).
    order: tuple[str, ...] = ("pk",)
    # The resource that answers for this one's instances (arkivstruktur/mappe answers as sakarkiv/saksmappe).
    canonical: str = ""

    @property
    def key(self) -> str:
        return f"{self.package}/{self.name}"

    @property
    def rel(self) -> str:
        return rel(self.package, self.name)

    def rows(self, handler: Saksbehandler) -> QuerySet:
        raise NotImplementedError

    def get(self, handler: Saksbehandler, system_id, request) -> Model:
        """The instance, or NotFound: one the system may not see does not exist for it."""
        from saksarkiv.services import NotFound

        found = self.rows(handler).filter(system_id=system_id).first()
        if found is None:
            raise NotFound(_("No such %(entity)s in your archive.") % {"entity": self.name})
        return found

    def represent(self, instance: Model, links: "Links") -> dict:
        raise NotImplementedError

    def relations(self, instance: Model, links: "Links") -> dict[str, str]:
        """The instance's links to other instances (its parent, say), by rel."""
        return {}

    def children(self, instance: Model) -> list[Child]:
        return []

    def creations(self, instance: Model) -> list[Creation]:
        return []

    def update(self, instance: Model, handler: Saksbehandler, values: dict, request) -> Model:
        raise NotImplementedHere(
            _("%(entity)s cannot be changed through this interface.") % {"entity": self.name}
        )

    def delete(self, instance: Model, handler: Saksbehandler, request) -> None:
        raise NotImplementedHere(
            _("%(entity)s cannot be deleted through this interface.") % {"entity": self.name}
        )

    def actions(self) -> dict[str, "Action"]:
        """What else answers under an instance (a document object's file, referanseFil), by URL segment."""
        return {}


class Action:
    """A resource under an instance that is neither a list nor a ny-*: answers what it implements."""

    def get(self, view, instance):
        raise NotImplementedHere(_("Not available here."))

    def post(self, view, instance):
        raise NotImplementedHere(_("Not available here."))

    def put(self, view, instance):
        raise NotImplementedHere(_("Not available here."))


REGISTRY: dict[str, Resource] = {}
# Lists and ny-* relations other modules hang under a resource's instances (the documents of a journal
# post, a case on an arkivdel), by resource key.
CHILD_EXTENSIONS: dict[str, list[Callable[[Model], list[Child]]]] = {}
CREATION_EXTENSIONS: dict[str, list[Callable[[Model], list[Creation]]]] = {}


def extend(key: str, *, children=None, creations=None) -> None:
    if children is not None:
        CHILD_EXTENSIONS.setdefault(key, []).append(children)
    if creations is not None:
        CREATION_EXTENSIONS.setdefault(key, []).append(creations)


def children_of(resource: Resource, instance: Model) -> list[Child]:
    found = list(resource.children(instance))
    for more in CHILD_EXTENSIONS.get(getattr(resource, "canonical", "") or resource.key, []):
        found.extend(more(instance))
    return found


def creations_of(resource: Resource, instance: Model) -> list[Creation]:
    found = list(resource.creations(instance))
    for more in CREATION_EXTENSIONS.get(getattr(resource, "canonical", "") or resource.key, []):
        found.extend(more(instance))
    return found


# The ny-* relations at the top of a package (arkivstruktur/ny-arkiv, arkivstruktur/ny-arkivskaper).
TOP_LEVEL: dict[tuple[str, str], Creation] = {}


def register_top_level(package: str, creation: Creation) -> None:
    TOP_LEVEL[(package, creation.segment)] = creation


def top_level(package: str) -> list[Creation]:
    return [creation for (found, _segment), creation in TOP_LEVEL.items() if found == package]


def register(cls: type[Resource]) -> type[Resource]:
    resource = cls()
    REGISTRY[resource.key] = resource
    return cls


def resource(key: str) -> Resource:
    return REGISTRY[key]


def in_package(package: str) -> list[Resource]:
    return sorted((r for r in REGISTRY.values() if r.package == package), key=lambda r: r.name)


class Links:
    """Absolute hrefs for a request: an instance's, a list's, a ny-* relation's."""

    QUERY_TEMPLATE = "{?$filter&$orderby&$top&$skip&$search}"

    def __init__(self, request):
        self.request = request

    def absolute(self, path: str) -> str:
        """The absolute href, with the closing slash every href of the standard's has."""
        if "?" not in path and not path.endswith("/"):
            path += "/"
        return self.request.build_absolute_uri(path)

    def package(self, package: str) -> str:
        return self.absolute(reverse("noark5:package", kwargs={"package": package}))

    def listing(self, key: str) -> str:
        package, name = key.split("/")
        return self.absolute(reverse("noark5:list", kwargs={"package": package, "name": name}))

    def instance(self, key: str, system_id) -> str:
        package, name = key.split("/")
        return self.absolute(
            reverse("noark5:detail", kwargs={"package": package, "name": name, "system_id": system_id})
        )

    def under(self, key: str, system_id, segment: str) -> str:
        package, name = key.split("/")
        return self.absolute(
            reverse(
                "noark5:under",
                kwargs={"package": package, "name": name, "system_id": system_id, "segment": segment},
            )
        )

    def new_in_package(self, package: str, segment: str) -> str:
        return self.absolute(reverse("noark5:list", kwargs={"package": package, "name": segment}))

    def code_list(self, kodeliste: str) -> str:
        return self.absolute(reverse("noark5:kodeliste", kwargs={"kodeliste": kodeliste}))


def link(href: str, templated: bool = False) -> dict:
    return {"href": href, "templated": True} if templated else {"href": href}


def instance_links(resource: Resource, instance: Model, links: Links, handler: Saksbehandler) -> dict:
    """self, the entity's own rel (the same href: how a client tells the entity type), the relations,
    the lists under it and the ny-* it may use, sorted by rel as the standard's lists are."""
    own = links.instance(resource.key, instance.system_id)
    found = {rel_key: link(href) for rel_key, href in resource.relations(instance, links).items()}
    for child in children_of(resource, instance):
        found[child.rel or REGISTRY[child.entity].rel] = link(
            links.under(resource.key, instance.system_id, child.segment)
        )
    for creation in creations_of(resource, instance):
        if creation.allowed(instance, handler):
            found[creation.rel] = link(links.under(resource.key, instance.system_id, creation.segment))
    found[resource.rel] = link(own)
    return {"self": link(own), **dict(sorted(found.items()))}


def code(kodeliste: str, kode: str | None) -> dict | None:
    """A code list value as the standard writes it in an instance: {"kode", "kodenavn"}."""
    if not kode:
        return None
    return {"kode": kode, "kodenavn": codes.kodenavn(kodeliste, kode)}


def moment(value: datetime | date | None) -> str | None:
    """A dateTime with its zone (2026-01-31T10:15:00+01:00) as XML Schema writes it; a date as its day's start
    (chapter 6: "Det skal alltid være tidssone-informasjon knyttet til date og dateTime-verdier", and v1.1
    "Korrigert all bruk av date til datetime")."""
    if value is None:
        return None
    if not isinstance(value, datetime):  # v1.1 made every date a dateTime: the day's start, in its zone
        value = timezone.make_aware(datetime.combine(value, time.min))
    return timezone.localtime(value).isoformat()


def present(values: dict) -> dict:
    """The instance's fields without the empty ones (the standard leaves an unset field out)."""
    return {key: value for key, value in values.items() if value not in (None, "", [], {})}


@dataclass
class Template:
    """A ny-* answer: the proposed fields and the code lists they take their values from."""

    fields: dict
    code_lists: tuple[str, ...] = field(default=())

    def render(self, links: Links) -> dict:
        return {
            **present(self.fields),
            "_links": {
                rel("metadata", kodeliste): link(
                    links.code_list(kodeliste) + Links.QUERY_TEMPLATE, templated=True
                )
                for kodeliste in sorted(self.code_lists)
            },
        }
