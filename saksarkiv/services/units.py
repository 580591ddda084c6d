"""The organisation's administrative units (administrativ enhet) in their hierarchy, with the
registry unit (journalenhet) that keeps each one's journal, and which unit a case handler works in.
Only the archive leader changes them; a closed unit stays for the records that name it."""

from django.db import transaction
from django.utils.translation import gettext as _

from saksarkiv.models import AdministrativEnhet, Saksbehandler
from saksarkiv.services.changes import changes_between, snapshot
from saksarkiv.services.errors import InvalidInput, NotFound
from saksarkiv.services.structure import StructureAction, audit, person, require_arkivleder


def _own(handler: Saksbehandler, unit: AdministrativEnhet | None) -> None:
    if unit is not None and unit.organisation_id != handler.organisation_id:
        raise NotFound(_("No such administrative unit in your organisation."))


def _check_parent(unit: AdministrativEnhet | None, parent: AdministrativEnhet | None) -> None:
    """A unit cannot sit under itself or under one of its own sub-units."""
    seen = set()
    while parent is not None:
        if unit is not None and parent.pk == unit.pk:
            raise InvalidInput(_("A unit cannot be placed under itself or one of its own sub-units."))
        if parent.pk in seen:  # a loop already in the data: refuse rather than spin
            raise InvalidInput(_("The unit hierarchy has a loop."))
        seen.add(parent.pk)
        parent = parent.overordnet


def validate_unit(
    handler: Saksbehandler,
    *,
    unit: AdministrativEnhet | None = None,
    kortnavn: str = "",
    navn: str,
    overordnet: AdministrativEnhet | None = None,
) -> None:
    """The checks of a new or changed unit, for the services and for forms that show them first."""
    require_arkivleder(handler)
    _own(handler, unit)
    _own(handler, overordnet)
    if not navn.strip() or (unit is None and not kortnavn.strip()):
        raise InvalidInput(_("A unit needs a short name and a name."))
    if (
        unit is None
        and AdministrativEnhet.objects.filter(
            organisation=handler.organisation, kortnavn=kortnavn.strip().upper()
        ).exists()
    ):
        raise InvalidInput(
            _("There is already a unit with the short name %(name)s.") % {"name": kortnavn.strip().upper()}
        )
    if (
        overordnet is not None
        and not overordnet.aktiv
        and (unit is None or unit.overordnet_id != overordnet.pk)
    ):
        raise InvalidInput(_("The unit %(unit)s is closed.") % {"unit": overordnet.navn})
    _check_parent(unit, overordnet)


@transaction.atomic
def create_unit(
    handler: Saksbehandler,
    *,
    kortnavn: str,
    navn: str,
    overordnet: AdministrativEnhet | None = None,
    journalenhet: str = "",
    request=None,
) -> AdministrativEnhet:
    validate_unit(handler, kortnavn=kortnavn, navn=navn, overordnet=overordnet)
    kortnavn, navn = kortnavn.strip().upper(), navn.strip()
    unit = AdministrativEnhet.objects.create(
        organisation=handler.organisation,
        kortnavn=kortnavn,
        navn=navn,
        overordnet=overordnet,
        journalenhet=journalenhet.strip().upper() or (overordnet.journalenhet if overordnet else ""),
    )
    audit(StructureAction.UNIT_CREATED, handler, unit, request=request, kortnavn=kortnavn)
    return unit


_UNSET = object()


@transaction.atomic
def change_unit(
    unit: AdministrativEnhet,
    handler: Saksbehandler,
    *,
    navn: str | None = None,
    overordnet=_UNSET,
    journalenhet: str | None = None,
    request=None,
) -> AdministrativEnhet:
    """Rename a unit, move it in the hierarchy, or give it another registry unit."""
    require_arkivleder(handler)
    _own(handler, unit)
    unit = AdministrativEnhet.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit, ["navn", "overordnet", "journalenhet"])
    if overordnet is not _UNSET:
        validate_unit(handler, unit=unit, navn=navn if navn is not None else unit.navn, overordnet=overordnet)
        unit.overordnet = overordnet
    if navn is not None:
        if not navn.strip():
            raise InvalidInput(_("A unit needs a name."))
        unit.navn = navn.strip()
    if journalenhet is not None:
        unit.journalenhet = journalenhet.strip().upper()
    changes = changes_between(before, unit)
    if changes:
        unit.save()
        audit(StructureAction.UNIT_CHANGED, handler, unit, request=request, changes=changes)
    return unit


@transaction.atomic
def close_unit(unit: AdministrativEnhet, handler: Saksbehandler, *, request=None) -> AdministrativEnhet:
    """Close a unit that no one works in any more and that has no open sub-unit."""
    require_arkivleder(handler)
    _own(handler, unit)
    if not unit.aktiv:
        raise InvalidInput(_("The unit %(unit)s is already closed.") % {"unit": unit.navn})
    if unit.underenheter.filter(aktiv=True).exists():
        raise InvalidInput(_("Close or move the unit's sub-units first."))
    if unit.saksbehandlere.exists():
        raise InvalidInput(_("Move the unit's case handlers to another unit first."))
    unit.aktiv = False
    unit.save(update_fields=["aktiv"])
    audit(StructureAction.UNIT_CLOSED, handler, unit, request=request, changes={"aktiv": ["true", "false"]})
    return unit


@transaction.atomic
def move_handler(
    member: Saksbehandler, handler: Saksbehandler, *, to_unit: AdministrativEnhet, request=None
) -> Saksbehandler:
    """A case handler starts working in another unit. Their open cases keep their unit until reassigned."""
    require_arkivleder(handler)
    if member.organisation_id != handler.organisation_id:
        raise NotFound(_("No such case handler in your organisation."))
    _own(handler, to_unit)
    if not to_unit.aktiv:
        raise InvalidInput(_("The unit %(unit)s is closed.") % {"unit": to_unit.navn})
    if member.administrativ_enhet_id == to_unit.pk:
        return member
    before = snapshot(member, ["administrativ_enhet"])
    member.administrativ_enhet = to_unit
    changes = changes_between(before, member)
    member.save(update_fields=["administrativ_enhet"])
    audit(
        StructureAction.HANDLER_UNIT_CHANGED,
        handler,
        member,
        request=request,
        changes=changes,
        who=person(member),
    )
    return member
