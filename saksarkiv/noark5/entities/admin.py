"""admin/administrativenhet and admin/bruker (chapter 7, Admin): the organisation's administrative units
and its users, the case handlers.

Units are created, moved and closed through saksarkiv.services.units, whose rule is that only the archive
leader changes them: the organisation's system case handler is no archive leader unless someone made it
one in the admin, so a machine is refused (403) with the services' own reason, and the ny-administrativenhet
relation is listed only for a handler the services would let through (the standard lists the ny-* of
Admin "for privilegerte brukere"). The standard keeps a unit's name: a unit that gets a new name is a new
unit, the old one closed ("navn skal ikke endres"), so the name is not changed here.

Users are read only: they are managed in Felles' admin, where a person signs in; ny-bruker answers 501.
Felles stores no systemID for a user, so a user's is derived from the user (changelog.user_system_id)."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Case, CharField, Model, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from core.models import AuditEvent
from saksarkiv.models import AdministrativEnhet, Saksbehandler
from saksarkiv.noark5 import fields as read
from saksarkiv.noark5.changelog import user_system_id
from saksarkiv.noark5.odata import Field
from saksarkiv.noark5.rels import ADMIN
from saksarkiv.noark5.resources import (
    Child,
    Creation,
    Links,
    Resource,
    Template,
    moment,
    present,
    register,
    register_top_level,
)
from saksarkiv.noark5.rows import Rows
from saksarkiv.services import InvalidInput, NotFound
from saksarkiv.services.access import members_of
from saksarkiv.services.structure import StructureAction
from saksarkiv.services.units import change_unit, close_unit, create_unit

ENHET = f"{ADMIN}/administrativenhet"
BRUKER = f"{ADMIN}/bruker"
# M584 administrativEnhetsstatus: the standard's own examples of its values.
ACTIVE, PASSIVE = "Aktiv enhet", "Passiv enhet"
NEW_UNIT_FIELDS = frozenset(
    {"administrativEnhetNavn", "kortnavn", "administrativEnhetsstatus", "referanseOverordnetEnhet"}
)
CHANGEABLE = frozenset({"administrativEnhetsstatus", "referanseOverordnetEnhet"})


def may_manage_units(handler: Saksbehandler) -> bool:
    """The rule of saksarkiv.services.units (structure.require_arkivleder), to list the ny-* relation."""
    return handler.arkivleder


def _unit_event(action: StructureAction, column: str) -> Subquery:
    """A column of the audit event that created or closed the unit: who created it, when it closed."""
    return Subquery(
        AuditEvent.objects.filter(
            action=f"saksarkiv.{action.value}",
            object_type=AdministrativEnhet._meta.label_lower,
            object_id=Cast(OuterRef("pk"), CharField()),
        )
        .order_by("-time", "-id")
        .values(column)[:1]
    )


@register
class AdministrativEnhetResource(Resource):
    package = ADMIN
    name = "administrativenhet"
    fields = {
        "systemID": Field("system_id", "uuid"),
        "administrativEnhetNavn": Field("navn", "text"),
        "kortnavn": Field("kortnavn", "text"),
        "opprettetDato": Field("opprettet_dato", "datetime"),
        "opprettetAv": Field("opprettet_av", "text"),
        "avsluttetDato": Field("avsluttet_dato", "datetime"),
        "administrativEnhetsstatus": Field("status", "text"),
        "referanseOverordnetEnhet": Field("overordnet__system_id", "uuid"),
    }
    search = ("navn", "kortnavn")
    order = ("navn", "pk")

    def rows(self, handler: Saksbehandler) -> QuerySet:
        return (
            AdministrativEnhet.objects.filter(organisation=handler.organisation_id)
            .select_related("overordnet")
            .annotate(
                opprettet_av=_unit_event(StructureAction.UNIT_CREATED, "actor"),
                avsluttet_dato=_unit_event(StructureAction.UNIT_CLOSED, "time"),
                status=Case(When(aktiv=True, then=Value(ACTIVE)), default=Value(PASSIVE)),
            )
        )

    def represent(self, unit: AdministrativEnhet, links: Links) -> dict:
        return present(
            {
                "systemID": str(unit.system_id),
                "administrativEnhetNavn": unit.navn,
                "kortnavn": unit.kortnavn,
                "opprettetDato": moment(unit.opprettet_dato),
                "opprettetAv": unit.opprettet_av,
                "avsluttetDato": moment(unit.avsluttet_dato) if not unit.aktiv else None,
                "administrativEnhetsstatus": unit.status,
                "referanseOverordnetEnhet": str(unit.overordnet.system_id) if unit.overordnet else None,
            }
        )

    def children(self, unit: AdministrativEnhet) -> list[Child]:
        return [Child("bruker", BRUKER, lambda unit, handler: users(handler, unit=unit))]

    def creations(self, unit: AdministrativEnhet) -> list[Creation]:
        return [new_unit(under=True)]

    def update(self, unit: AdministrativEnhet, handler: Saksbehandler, values: dict, request) -> Model:
        read.refuse_other(values, CHANGEABLE)
        if "referanseOverordnetEnhet" in values:
            parent = _unit(handler, values, "referanseOverordnetEnhet")
            unit = change_unit(unit, handler, overordnet=parent, request=request)
        if "administrativEnhetsstatus" in values:
            status = read.text(values, "administrativEnhetsstatus", required=True)
            if status not in (ACTIVE, PASSIVE):
                raise InvalidInput(_("administrativEnhetsstatus is %(active)s or %(passive)s.") % _statuses())
            if status == ACTIVE and not unit.aktiv:
                raise InvalidInput(_("A closed unit stays closed: create a new one."))
            if status == PASSIVE and unit.aktiv:
                unit = close_unit(unit, handler, request=request)
        return unit


def _statuses() -> dict:
    return {"active": ACTIVE, "passive": PASSIVE}


def _unit(handler: Saksbehandler, values: dict, name: str) -> AdministrativEnhet | None:
    if values.get(name) is not None and not isinstance(values[name], str):
        raise InvalidInput(_("%(field)s must be a systemID (a UUID).") % {"field": name})
    system_id = read.system_id(values, name)
    if system_id is None:
        return None
    found = AdministrativEnhet.objects.filter(
        organisation=handler.organisation_id, system_id=system_id
    ).first()
    if found is None:
        raise NotFound(_("No such administrative unit in your organisation."))
    return found


def unit_template(parent: AdministrativEnhet | None, handler: Saksbehandler) -> Template:
    return Template(
        {
            "administrativEnhetsstatus": ACTIVE,
            "referanseOverordnetEnhet": str(parent.system_id) if parent is not None else None,
        }
    )


def new_unit(*, under: bool) -> Creation:
    """admin/ny-administrativenhet: at the top of admin/, or under a unit (its sub-unit)."""

    def create(parent, handler: Saksbehandler, values: dict, request) -> AdministrativEnhet:
        read.refuse_other(values, NEW_UNIT_FIELDS)
        if read.text(values, "administrativEnhetsstatus", default=ACTIVE) != ACTIVE:
            raise InvalidInput(_("A new unit is %(active)s.") % _statuses())
        overordnet = parent if under else _unit(handler, values, "referanseOverordnetEnhet")
        if under and read.system_id(values, "referanseOverordnetEnhet") not in (None, parent.system_id):
            raise InvalidInput(_("A unit created here is a sub-unit of this one."))
        unit = create_unit(
            handler,
            kortnavn=read.text(values, "kortnavn", required=True, max_length=20),
            navn=read.text(values, "administrativEnhetNavn", required=True, max_length=100),
            overordnet=overordnet,
            request=request,
        )
        return AdministrativEnhetResource().rows(handler).get(pk=unit.pk)  # with what it reads from the trail

    return Creation(
        "ny-administrativenhet",
        ENHET,
        template=unit_template,
        create=create,
        allowed=lambda parent, handler: may_manage_units(handler),
    )


register_top_level(ADMIN, new_unit(under=False))


# ---- bruker ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bruker:
    """A case handler as the standard's Bruker."""

    system_id: UUID
    bruker_navn: str
    kortnavn: str
    opprettet_dato: datetime
    enhet: AdministrativEnhet | None


def users(handler: Saksbehandler, *, unit: AdministrativEnhet | None = None) -> Rows:
    members = members_of(handler).select_related("administrativ_enhet")
    if unit is not None:
        members = members.filter(administrativ_enhet=unit)
    return Rows(
        Bruker(
            system_id=user_system_id(member.user_id),
            bruker_navn=member.user.get_username(),
            kortnavn=member.initialer,
            opprettet_dato=member.user.date_joined,
            enhet=member.administrativ_enhet,
        )
        for member in members
    )


@register
class BrukerResource(Resource):
    package = ADMIN
    name = "bruker"
    read_only = True
    fields = {
        "systemID": Field("system_id", "uuid"),
        "brukerNavn": Field("bruker_navn", "text"),
        "kortnavn": Field("kortnavn", "text"),
        "opprettetDato": Field("opprettet_dato", "datetime"),
    }
    search = ("bruker_navn", "kortnavn")
    order = ("bruker_navn", "system_id")

    def rows(self, handler: Saksbehandler) -> Rows:
        return users(handler)

    def represent(self, user: Bruker, links: Links) -> dict:
        return present(
            {
                "systemID": str(user.system_id),
                "brukerNavn": user.bruker_navn,
                "kortnavn": user.kortnavn,
                "opprettetDato": moment(user.opprettet_dato),
            }
        )

    def relations(self, user: Bruker, links: Links) -> dict[str, str]:
        if user.enhet is None:
            return {}
        return {AdministrativEnhetResource().rel: links.instance(ENHET, user.enhet.system_id)}
