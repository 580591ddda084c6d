"""Periods (periodisering): an archive part (arkivdel) holds one archive period; closing it opens its
successor. Felles does periodisering with an overlapping period («mykt periodeskille»), which Noark 5
(kapittel 6.2) recommends for electronic archives, rather than the strict cut («skarpt periodeskille»,
which closes every open case and reopens it as a new one in the next period, «anbefales ikke ved
elektronisk arkiv»):

- close_period makes the successor (status A, referanseForloeper to the old part, the same
  classification) and ends the old part's period the day before. Without open cases the old part is
  closed at once (status P, avsluttetDato/-Av); with open cases it becomes an overlapping period
  (status O): no new cases (6.2.4: new cases go to the active part), but its open cases take new
  journal posts, and a case that gets one moves to the successor with all it holds (6.2.5,
  transfer_on_registration).
- open_cases lists what is still open in an overlapping period (6.2.8); finish_period moves the rest
  to the successor in one go if asked (6.2.9, 6.2.10) and closes the part, and never closes it while
  a case is open in it (6.2.7).

The status U («uaktuelle mapper») is for a part to which inactive person files are moved as they
become inactive; these functions do not set it, and the deposit accepts a part with P or U."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saksarkiv.models import Arkivdel, Saksbehandler, Saksmappe
from saksarkiv.services.changes import changes_between, snapshot, value
from saksarkiv.services.errors import InvalidInput, NotFound
from saksarkiv.services.structure import StructureAction, audit, require_arkivleder

OPEN = (Saksmappe.Status.UNDER_BEHANDLING,)


def _own(handler: Saksbehandler, arkivdel: Arkivdel) -> Arkivdel:
    locked = (
        Arkivdel.objects.select_for_update()
        .filter(pk=arkivdel.pk, arkiv__organisation=handler.organisation)
        .first()
    )
    if locked is None:
        raise NotFound(_("No such archive part in your archive."))
    return locked


def open_cases(arkivdel: Arkivdel):
    """The cases still open in an archive part (what keeps an overlapping period from closing)."""
    return arkivdel.saksmapper.filter(saksstatus__in=OPEN).order_by("saksaar", "sakssekvensnummer")


def _close(arkivdel: Arkivdel, handler: Saksbehandler, request) -> None:
    before = snapshot(arkivdel, ["arkivdelstatus", "avsluttet_dato", "avsluttet_av"])
    before["arkivperiode_slutt"] = value(Arkivdel.objects.get(pk=arkivdel.pk).arkivperiode_slutt)
    arkivdel.arkivdelstatus = Arkivdel.Status.AVSLUTTET
    arkivdel.avsluttet_dato = timezone.now()
    arkivdel.avsluttet_av = handler.user.get_username()
    arkivdel.save(update_fields=["arkivdelstatus", "avsluttet_dato", "avsluttet_av", "arkivperiode_slutt"])
    _audit_closed(arkivdel, handler, before, request)


def _audit_closed(arkivdel: Arkivdel, handler: Saksbehandler, before: dict, request) -> None:
    audit(
        StructureAction.PERIOD_CLOSED,
        handler,
        arkivdel,
        request=request,
        changes=changes_between(before, arkivdel),
    )


@transaction.atomic
def close_period(
    arkivdel: Arkivdel, handler: Saksbehandler, *, new_title: str, start: date, request=None
) -> Arkivdel:
    """End the active part's period the day before `start` and open its successor from `start`.
    Returns the successor."""
    require_arkivleder(handler)
    arkivdel = _own(handler, arkivdel)
    if arkivdel.arkivdelstatus != Arkivdel.Status.AKTIV:
        raise InvalidInput(
            _("%(part)s is not an active period (%(status)s).")
            % {"part": arkivdel.tittel, "status": arkivdel.get_arkivdelstatus_display().lower()}
        )
    if Arkivdel.objects.filter(referanse_forloeper=arkivdel).exists():
        raise InvalidInput(_("%(part)s has a successor already.") % {"part": arkivdel.tittel})
    if not new_title.strip():
        raise InvalidInput(_("The new period needs a title."))
    if start <= arkivdel.arkivperiode_start:
        raise InvalidInput(
            _("The new period must start after %(date)s, when %(part)s started.")
            % {"date": arkivdel.arkivperiode_start.isoformat(), "part": arkivdel.tittel}
        )
    successor = Arkivdel.objects.create(
        arkiv=arkivdel.arkiv,
        tittel=new_title.strip(),
        beskrivelse=arkivdel.beskrivelse,
        dokumentmedium=arkivdel.dokumentmedium,
        klassifikasjonssystem=arkivdel.klassifikasjonssystem,
        kassasjon=arkivdel.kassasjon,
        arkivperiode_start=start,
        referanse_forloeper=arkivdel,
        opprettet_av=handler.user.get_username(),
    )
    successor.sekundaere_klassifikasjonssystemer.set(arkivdel.sekundaere_klassifikasjonssystemer.all())
    audit(
        StructureAction.PERIOD_OPENED, handler, successor, request=request, forloeper=str(arkivdel.system_id)
    )
    if open_cases(arkivdel).exists():
        before = snapshot(arkivdel, ["arkivdelstatus", "arkivperiode_slutt"])
        arkivdel.arkivperiode_slutt = start - timedelta(days=1)
        arkivdel.arkivdelstatus = Arkivdel.Status.OVERLAPPING
        arkivdel.save(update_fields=["arkivdelstatus", "arkivperiode_slutt"])
        _audit_closed(arkivdel, handler, before, request)
    else:
        arkivdel.arkivperiode_slutt = start - timedelta(days=1)
        _close(arkivdel, handler, request)
    return successor


def _move(saksmappe: Saksmappe, successor: Arkivdel, handler: Saksbehandler, request) -> None:
    old = saksmappe.arkivdel
    saksmappe.arkivdel = successor
    saksmappe.save(update_fields=["arkivdel"])
    audit(
        StructureAction.CASE_MOVED,
        handler,
        saksmappe,
        request=request,
        changes={"arkivdel": [str(old.system_id), str(successor.system_id)]},
    )


def _successor(arkivdel: Arkivdel) -> Arkivdel:
    successor = Arkivdel.objects.filter(referanse_forloeper=arkivdel).first()
    if successor is None:
        raise InvalidInput(_("%(part)s has no successor to move cases to.") % {"part": arkivdel.tittel})
    return successor


@transaction.atomic
def transfer_on_registration(saksmappe: Saksmappe, handler: Saksbehandler, *, request=None) -> Saksmappe:
    """Called when a journal post is added to a case: a case in an overlapping period moves to the
    successor first (Noark 5 krav 6.2.5). Does nothing for a case in an active period."""
    saksmappe = Saksmappe.objects.select_related("arkivdel").get(pk=saksmappe.pk)
    if saksmappe.arkivdel.arkivdelstatus == Arkivdel.Status.OVERLAPPING:
        _move(saksmappe, _successor(saksmappe.arkivdel), handler, request)
    return saksmappe


@transaction.atomic
def finish_period(
    arkivdel: Arkivdel, handler: Saksbehandler, *, move_open: bool = False, request=None
) -> int:
    """Close an overlapping period. Its open cases stop this, unless `move_open`: then they all move
    to the successor first. Returns how many cases moved."""
    require_arkivleder(handler)
    arkivdel = _own(handler, arkivdel)
    if arkivdel.arkivdelstatus != Arkivdel.Status.OVERLAPPING:
        raise InvalidInput(_("%(part)s is not an overlapping period.") % {"part": arkivdel.tittel})
    still_open = list(open_cases(arkivdel).select_for_update())
    if still_open and not move_open:
        raise InvalidInput(
            _("%(part)s still has open cases: %(cases)s. Close them or move them to the next period.")
            % {"part": arkivdel.tittel, "cases": ", ".join(case.saksnummer for case in still_open[:20])}
        )
    if still_open:
        successor = _successor(arkivdel)
        for saksmappe in still_open:
            _move(saksmappe, successor, handler, request)
    _close(arkivdel, handler, request)
    return len(still_open)


@transaction.atomic
def move_to_successor(saksmappe: Saksmappe, handler: Saksbehandler, *, request=None) -> Saksmappe:
    """Move one open case of an overlapping period to the successor by hand (Noark 5 krav 6.2.9)."""
    require_arkivleder(handler)
    saksmappe = (
        Saksmappe.objects.select_for_update(of=("self",))
        .select_related("arkivdel")
        .filter(pk=saksmappe.pk, arkivdel__arkiv__organisation=handler.organisation)
        .first()
    )
    if saksmappe is None:
        raise NotFound(_("No such case."))
    if saksmappe.arkivdel.arkivdelstatus != Arkivdel.Status.OVERLAPPING or saksmappe.saksstatus not in OPEN:
        raise InvalidInput(_("Only an open case of an overlapping period moves to the next period."))
    _move(saksmappe, _successor(saksmappe.arkivdel), handler, request)
    return saksmappe
