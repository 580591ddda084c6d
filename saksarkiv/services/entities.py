"""The standard's entities kept beside the records: remarks (merknad), cross-references
(kryssreferanse), precedents (presedens), disposal (kassasjon) and security classification
(gradering). Each is set through one function here, checked, audited, and within the handler's own
archive only.

Disposal (Noark 5 kapittel 6.1): a decision can be set on an archive part or a class (the archive
leader's, inherited by the cases in them) and on a case or a journal post; the disposal date is
counted from the retention period and the day the case was closed when it is not given."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saksarkiv.models import (
    Arkivdel,
    Dokumentbeskrivelse,
    Gradering,
    Journalpost,
    Kassasjon,
    Klasse,
    Kryssreferanse,
    Merknad,
    Presedens,
    Saksbehandler,
    Saksmappe,
)
from saksarkiv.services.access import cases_for, journalposts_for
from saksarkiv.services.archive import ensure_arkiv
from saksarkiv.services.changes import value
from saksarkiv.services.errors import InvalidInput, NotFound
from saksarkiv.services.structure import NotAllowed, StructureAction, audit, require_arkivleder

# Higher is stricter: the Security Act's grades above the protection instruction's.
GRADE_RANK = {
    Gradering.Grad.FORTROLIG: 1,
    Gradering.Grad.STRENGT_FORTROLIG: 2,
    Gradering.Grad.BEGRENSET: 3,
    Gradering.Grad.KONFIDENSIELT: 4,
    Gradering.Grad.HEMMELIG: 5,
    Gradering.Grad.STRENGT_HEMMELIG: 6,
}


def _visible(record, handler: Saksbehandler):
    """The record, if it is in the handler's archive; otherwise NotFound (the same for another
    organisation's record as for none)."""
    organisation = handler.organisation
    if isinstance(record, Saksmappe):
        found = cases_for(handler).filter(pk=record.pk).first()
    elif isinstance(record, Journalpost):
        found = journalposts_for(handler).select_related("saksmappe").filter(pk=record.pk).first()
    elif isinstance(record, Dokumentbeskrivelse):
        found = Dokumentbeskrivelse.objects.filter(
            pk=record.pk, journalpost__in=journalposts_for(handler)
        ).first()
    elif isinstance(record, Klasse):
        found = Klasse.objects.filter(
            pk=record.pk, klassifikasjonssystem__arkiv__organisation=organisation
        ).first()
    elif isinstance(record, Arkivdel):
        found = Arkivdel.objects.filter(pk=record.pk, arkiv__organisation=organisation).first()
    else:
        found = None
    if found is None:
        raise NotFound(_("No such record in your archive."))
    return found


@transaction.atomic
def add_merknad(
    record,
    handler: Saksbehandler,
    *,
    merknadstekst: str,
    merknadstype: str = Merknad.Type.SAKSBEHANDLER,
    request=None,
) -> Merknad:
    """A remark on a case, a journal post or a document. The archive's remark (MA) is the archive leader's."""
    record = _visible(record, handler)
    if isinstance(record, Klasse | Arkivdel):
        raise InvalidInput(_("A remark is made on a case, a journal post or a document."))
    if not merknadstekst.strip():
        raise InvalidInput(_("Write the remark."))
    if merknadstype not in Merknad.Type.values:
        raise InvalidInput(
            _("Choose a remark type from %(types)s.") % {"types": ", ".join(Merknad.Type.values)}
        )
    if merknadstype == Merknad.Type.ARKIVANSVARLIG and not handler.arkivleder:
        raise NotAllowed(_("Only the archive leader makes the archive's remarks."))
    field = {Saksmappe: "saksmappe", Journalpost: "journalpost", Dokumentbeskrivelse: "dokumentbeskrivelse"}
    merknad = Merknad.objects.create(
        **{field[type(record)]: record},
        merknadstekst=merknadstekst.strip(),
        merknadstype=merknadstype,
        merknad_registrert_av=handler.user.get_username(),
    )
    audit(StructureAction.REMARK_ADDED, handler, record, request=request, merknad=merknad.pk)
    return merknad


@transaction.atomic
def add_kryssreferanse(source, handler: Saksbehandler, *, target, request=None) -> Kryssreferanse:
    """A cross-reference from a case or journal post to a case, journal post or class of the same archive."""
    source = _visible(source, handler)
    if not isinstance(source, Saksmappe | Journalpost):
        raise InvalidInput(_("A cross-reference is made from a case or a journal post."))
    if not isinstance(target, Saksmappe | Journalpost | Klasse):
        raise InvalidInput(_("A cross-reference points to a case, a journal post or a class."))
    target = _visible(target, handler)
    if type(source) is type(target) and source.pk == target.pk:
        raise InvalidInput(_("A record cannot refer to itself."))
    fra = {"fra_saksmappe" if isinstance(source, Saksmappe) else "fra_journalpost": source}
    til = {
        Saksmappe: "til_saksmappe",
        Journalpost: "til_journalpost",
        Klasse: "til_klasse",
    }[type(target)]
    existing = Kryssreferanse.objects.filter(**fra, **{til: target}).first()
    if existing is not None:
        return existing
    referanse = Kryssreferanse.objects.create(
        **fra, **{til: target}, opprettet_av=handler.user.get_username()
    )
    audit(
        StructureAction.CROSS_REFERENCE_ADDED,
        handler,
        source,
        request=request,
        til=f"{type(target)._meta.model_name}:{target.system_id}",
    )
    return referanse


@transaction.atomic
def create_presedens(
    handler: Saksbehandler,
    *,
    tittel: str,
    presedens_dato: date,
    rettskildefaktor: str,
    presedens_hjemmel: str = "",
    beskrivelse: str = "",
    records=(),
    request=None,
) -> Presedens:
    """A precedent: a decision later cases are to follow, linked to the case or journal post it comes from."""
    if not tittel.strip() or not rettskildefaktor.strip():
        raise InvalidInput(_("A precedent needs a title and a source of law (rettskildefaktor)."))
    visible = [_visible(record, handler) for record in records]
    presedens = Presedens.objects.create(
        arkiv=ensure_arkiv(handler.organisation),
        tittel=tittel.strip(),
        presedens_dato=presedens_dato,
        rettskildefaktor=rettskildefaktor.strip(),
        presedens_hjemmel=presedens_hjemmel.strip(),
        beskrivelse=beskrivelse.strip(),
        opprettet_av=handler.user.get_username(),
    )
    audit(StructureAction.PRECEDENT_CREATED, handler, presedens, request=request, tittel=presedens.tittel)
    for record in visible:
        link_presedens(presedens, record, handler, request=request)
    return presedens


@transaction.atomic
def link_presedens(presedens: Presedens, record, handler: Saksbehandler, *, request=None) -> None:
    if presedens.arkiv.organisation_id != handler.organisation_id:
        raise NotFound(_("No such precedent in your archive."))
    record = _visible(record, handler)
    if isinstance(record, Saksmappe):
        presedens.saksmapper.add(record)
    elif isinstance(record, Journalpost):
        presedens.journalposter.add(record)
    else:
        raise InvalidInput(_("A precedent is linked to a case or a journal post."))
    audit(
        StructureAction.PRECEDENT_LINKED, handler, record, request=request, presedens=str(presedens.system_id)
    )


def years_after(when, years: int) -> date:
    day = when.date() if hasattr(when, "date") else when
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


def closing_date(record) -> date | None:
    """The day the retention period starts: when the case (of a journal post) was closed."""
    case = record.saksmappe if isinstance(record, Journalpost) else record
    if isinstance(case, Saksmappe) and case.avsluttet_dato is not None:
        return timezone.localdate(case.avsluttet_dato)
    return None


def kassasjonsdato(record) -> date | None:
    """The disposal date of a case or journal post: its own, or counted from the retention period."""
    kassasjon = record.kassasjon
    if kassasjon is None:
        return None
    if kassasjon.kassasjonsdato is not None:
        return kassasjon.kassasjonsdato
    closed = closing_date(record)
    return years_after(closed, kassasjon.bevaringstid) if closed else None


@transaction.atomic
def set_kassasjon(
    record,
    handler: Saksbehandler,
    *,
    kassasjonsvedtak: str,
    bevaringstid: int,
    kassasjonshjemmel: str = "",
    kassasjonsdato: date | None = None,
    request=None,
) -> Kassasjon:
    """Set the disposal decision of an archive part or class (the archive leader's), or of a case
    or journal post. A case already closed gets its disposal date counted when none is given."""
    record = _visible(record, handler)
    if isinstance(record, Arkivdel | Klasse):
        require_arkivleder(handler)
    elif not isinstance(record, Saksmappe | Journalpost):
        raise InvalidInput(_("Disposal is set on an archive part, a class, a case or a journal post."))
    if kassasjonsvedtak not in Kassasjon.Vedtak.values:
        raise InvalidInput(
            _("Choose a disposal decision from %(codes)s.") % {"codes": ", ".join(Kassasjon.Vedtak.values)}
        )
    if not isinstance(bevaringstid, int) or isinstance(bevaringstid, bool) or not 0 <= bevaringstid <= 1000:
        raise InvalidInput(_("The retention period is a number of years from 0 to 1000."))
    if kassasjonsdato is None and isinstance(record, Saksmappe | Journalpost):
        closed = closing_date(record)
        kassasjonsdato = years_after(closed, bevaringstid) if closed else None
    old = record.kassasjon
    kassasjon = Kassasjon.objects.create(
        kassasjonsvedtak=kassasjonsvedtak,
        kassasjonshjemmel=kassasjonshjemmel.strip(),
        bevaringstid=bevaringstid,
        kassasjonsdato=kassasjonsdato,
    )
    record.kassasjon = kassasjon
    record.save(update_fields=["kassasjon"])
    changes = {
        "kassasjonsvedtak": [value(old and old.kassasjonsvedtak), kassasjonsvedtak],
        "bevaringstid": [value(old and old.bevaringstid), str(bevaringstid)],
        "kassasjonsdato": [value(old and old.kassasjonsdato), value(kassasjonsdato)],
    }
    audit(
        StructureAction.DISPOSAL_SET,
        handler,
        record,
        request=request,
        changes={field: pair for field, pair in changes.items() if pair[0] != pair[1]},
    )
    return kassasjon


def _graded(record, handler):
    record = _visible(record, handler)
    if not isinstance(record, Saksmappe | Journalpost):
        raise InvalidInput(_("A security classification is set on a case or a journal post."))
    return record


def _current(record) -> Gradering | None:
    gradering = record.gradering
    return gradering if gradering is not None and gradering.nedgraderingsdato is None else None


@transaction.atomic
def grade(record, handler: Saksbehandler, *, grad: str, request=None) -> Gradering:
    """Classify a case or journal post (graderingsdato and gradertAv are stamped). A lower grade than
    the one in force is a downgrade, which only the archive leader may make."""
    record = _graded(record, handler)
    if grad not in Gradering.Grad.values:
        raise InvalidInput(_("Choose a grade from %(codes)s.") % {"codes": ", ".join(Gradering.Grad.values)})
    current = _current(record)
    if current is not None and GRADE_RANK[grad] < GRADE_RANK[current.grad]:
        return downgrade(record, handler, grad=grad, request=request)
    if current is not None and current.grad == grad:
        return current
    gradering = Gradering.objects.create(
        grad=grad, graderingsdato=timezone.now(), gradert_av=handler.user.get_username()
    )
    record.gradering = gradering
    record.save(update_fields=["gradering"])
    audit(
        StructureAction.GRADED,
        handler,
        record,
        request=request,
        changes={"grad": [value(current and current.grad), grad]},
    )
    return gradering


@transaction.atomic
def downgrade(record, handler: Saksbehandler, *, grad: str | None = None, request=None) -> Gradering:
    """Lower a record's grade, or lift it (grad None): the archive leader's decision, with
    nedgraderingsdato and nedgradertAv stamped on the grading in force."""
    record = _graded(record, handler)
    if not handler.arkivleder:
        raise NotAllowed(_("Only the archive leader may downgrade a security classification."))
    current = _current(record)
    if current is None:
        raise InvalidInput(_("The record has no security classification in force."))
    if grad is not None and (
        grad not in Gradering.Grad.values or GRADE_RANK[grad] >= GRADE_RANK[current.grad]
    ):
        raise InvalidInput(_("A downgrade goes to a lower grade."))
    now, by = timezone.now(), handler.user.get_username()
    current.nedgraderingsdato, current.nedgradert_av = now, by
    current.save(update_fields=["nedgraderingsdato", "nedgradert_av"])
    result = current
    if grad is not None:
        result = Gradering.objects.create(grad=grad, graderingsdato=now, gradert_av=by)
        record.gradering = result
        record.save(update_fields=["gradering"])
    audit(
        StructureAction.DOWNGRADED,
        handler,
        record,
        request=request,
        changes={"grad": [current.grad, value(grad)]},
    )
    return result
