"""Who is responsible for a case: the saksansvarlig and the administrative unit, their reassignment
within the organisation, and the case's history as the audit trail holds it.

Every structural change records `details["changes"] = {field: [old, new]}` with the values as the
deposit writes them (a person's name, a unit's name), so that endringslogg.xml can carry them."""

from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import AuditEvent
from saksarkiv.models import AdministrativEnhet, Saksbehandler, Saksmappe
from saksarkiv.services.access import cases_for
from saksarkiv.services.archive import record_change
from saksarkiv.services.changes import changes_between, snapshot
from saksarkiv.services.errors import InvalidInput, NotFound, RecordFinalised, SaksarkivError


class StructureAction(models.TextChoices):
    """The audit actions of the archive's structure (recorded as "saksarkiv.<value>")."""

    CASE_REASSIGNED = "case_reassigned", gettext_lazy("Case reassigned")
    UNIT_CREATED = "unit_created", gettext_lazy("Administrative unit created")
    UNIT_CHANGED = "unit_changed", gettext_lazy("Administrative unit changed")
    UNIT_CLOSED = "unit_closed", gettext_lazy("Administrative unit closed")
    HANDLER_UNIT_CHANGED = "handler_unit_changed", gettext_lazy("Case handler moved to another unit")
    SYSTEM_CREATED = "classification_system_created", gettext_lazy("Classification system created")
    CLASS_CREATED = "class_created", gettext_lazy("Class created")
    CLASS_MOVED = "class_moved", gettext_lazy("Class moved")
    CASE_CLASSIFIED = "case_classified_secondarily", gettext_lazy("Case classified secondarily")
    CASE_UNCLASSIFIED = "secondary_class_removed", gettext_lazy("Secondary class removed")
    PERIOD_CLOSED = "period_closed", gettext_lazy("Archive period closed")
    PERIOD_OPENED = "period_opened", gettext_lazy("Archive period opened")
    CASE_MOVED = "case_moved_to_successor", gettext_lazy("Case moved to the next period")
    REMARK_ADDED = "merknad_added", gettext_lazy("Remark added")
    CROSS_REFERENCE_ADDED = "kryssreferanse_added", gettext_lazy("Cross-reference added")
    PRECEDENT_CREATED = "presedens_created", gettext_lazy("Precedent created")
    PRECEDENT_LINKED = "presedens_linked", gettext_lazy("Precedent linked")
    DISPOSAL_SET = "kassasjon_set", gettext_lazy("Disposal decision set")
    GRADED = "gradering_set", gettext_lazy("Security classification set")
    DOWNGRADED = "gradering_downgraded", gettext_lazy("Security classification downgraded")


class NotAllowed(SaksarkivError):
    """The handler may see the record, but this change is the archive leader's (or another's)."""

    code = "not_allowed"


def person(handler: Saksbehandler | None) -> str:
    """A case handler as records and the change log name them."""
    if handler is None:
        return ""
    return handler.user.get_full_name() or handler.user.get_username()


def unit_name(unit: AdministrativEnhet | None) -> str:
    return unit.navn if unit is not None else ""


def require_arkivleder(handler: Saksbehandler) -> None:
    if not handler.arkivleder:
        raise NotAllowed(_("Only the archive leader may change the archive's structure."))


def audit(
    action: StructureAction,
    handler: Saksbehandler,
    obj,
    *,
    request=None,
    changes: dict | None = None,
    **details,
) -> None:
    """One audit event; `changes` ({field: [old, new]}, values by services.changes.value) name the record
    by its systemID as the deposit's endringslogg reads it (see /work/notes/noark5-endringslogg.md)."""
    if changes is not None:
        details.update(changes=changes, entity=obj._meta.model_name)
        if hasattr(obj, "system_id"):
            details["system_id"] = str(obj.system_id)
    record_change(action.value, handler, obj, request=request, **details)


@transaction.atomic
def reassign(
    saksmappe: Saksmappe,
    handler: Saksbehandler,
    *,
    to_handler: Saksbehandler,
    to_unit: AdministrativEnhet | None = None,
    reason: str,
    request=None,
) -> Saksmappe:
    """Give an open case a new saksansvarlig (and unit: the new handler's own unless another is named).
    The current saksansvarlig or an archive leader may do it, within the organisation only."""
    saksmappe = cases_for(handler).select_for_update(of=("self",)).filter(pk=saksmappe.pk).first()
    if saksmappe is None:
        raise NotFound(_("No such case."))
    if saksmappe.saksstatus != Saksmappe.Status.UNDER_BEHANDLING:
        raise RecordFinalised(
            _("Case %(number)s is closed; reopen it first.") % {"number": saksmappe.saksnummer}
        )
    if not (handler.arkivleder or saksmappe.saksansvarlig_id == handler.pk):
        raise NotAllowed(_("Only the case's saksansvarlig or the archive leader may hand it over."))
    if to_handler.organisation_id != handler.organisation_id:
        raise NotFound(_("No such case handler in your organisation."))
    unit = to_unit if to_unit is not None else to_handler.administrativ_enhet
    if unit is not None and unit.organisation_id != handler.organisation_id:
        raise NotFound(_("No such administrative unit in your organisation."))
    if unit is not None and not unit.aktiv:
        raise InvalidInput(_("The unit %(unit)s is closed.") % {"unit": unit.navn})
    if not reason.strip():
        raise InvalidInput(_("Say why the case changes hands."))
    fields = ["saksansvarlig", "administrativ_enhet", "journalenhet"]
    if saksmappe.saksansvarlig_id == to_handler.pk and saksmappe.administrativ_enhet_id == (unit and unit.pk):
        raise InvalidInput(_("The case already has this saksansvarlig and unit."))
    before = snapshot(saksmappe, fields)
    saksmappe.saksansvarlig = to_handler
    saksmappe.administrativ_enhet = unit
    if unit is not None and unit.journalenhet:
        saksmappe.journalenhet = unit.journalenhet
    # Two handlers may share a name: the change is recorded as the names show it, even when alike.
    changes = changes_between(before, saksmappe) or {
        "saksansvarlig": [before["saksansvarlig"], str(to_handler)]
    }
    saksmappe.save(update_fields=fields)
    audit(
        StructureAction.CASE_REASSIGNED,
        handler,
        saksmappe,
        request=request,
        changes=changes,
        reason=reason.strip(),
    )
    return saksmappe


@dataclass(frozen=True)
class HistoryEntry:
    time: datetime
    actor: str
    action: str
    changes: dict
    reason: str

    @property
    def label(self) -> str:
        name = self.action.removeprefix("saksarkiv.")
        return str(StructureAction(name).label) if name in StructureAction.values else name


def case_history(saksmappe: Saksmappe) -> list[HistoryEntry]:
    """What happened to the case, oldest first, from the audit trail (the one record of it)."""
    events = AuditEvent.objects.filter(
        object_type=saksmappe._meta.label_lower, object_id=str(saksmappe.pk), action__startswith="saksarkiv."
    ).order_by("time", "id")
    return [
        HistoryEntry(
            time=event.time,
            actor=event.actor,
            action=event.action,
            changes=event.details.get("changes") or {},
            reason=event.details.get("reason", ""),
        )
        for event in events
    ]
