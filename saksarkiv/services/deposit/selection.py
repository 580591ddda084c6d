"""What a deposit holds, and what stops one. Noark 5 (kapittel 6.4, «Avlevering»): a deposit is of a closed
period and one or more closed archive parts, and «det er bare mapper som er blitt avsluttet i løpet av
perioden som skal avleveres, sammen med alle tilhørende registreringer og arkivdokumenter». So:

- the archive part must be closed (its avsluttetDato and avsluttetAv are required in arkivstruktur.xml);
- the deposit holds the part's cases closed (or voided) within the period, with all their journal posts;
- a case of the part that is still open, a journal post of a deposited case that is not archived (or void),
  or a document without a version in archival format stops the deposit, and the refusal lists them all,
  so the archive leader knows what to close first. Nothing is deposited half.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from saksarkiv.models import Arkivdel, Dokumentbeskrivelse, Dokumentobjekt, Journalpost, Saksmappe
from saksarkiv.services.errors import SaksarkivError

# Statuses a deposited record may have (metadatakatalogen M051-M053: «skal ha status ...»).
CLOSED_ARKIVDEL = (Arkivdel.Status.AVSLUTTET, Arkivdel.Status.UAKTUELLE)
CLOSED_CASE = (Saksmappe.Status.AVSLUTTET, Saksmappe.Status.UTGAAR)
ARCHIVED_POST = (Journalpost.Status.ARKIVERT, Journalpost.Status.UTGAAR)
# The versions a deposit carries: «Det er ikke noe krav at produksjonsformatene må være slettet før
# arkivuttrekket produseres, fordi dette bare vil ta med dokumenter i arkivformat.»
DEPOSITED_VARIANTS = (Dokumentobjekt.Variantformat.ARKIV, Dokumentobjekt.Variantformat.SKJERMET)
# How many of the records that stop a deposit the refusal names; the rest are counted.
LISTED_PROBLEMS = 50


class DepositError(SaksarkivError):
    """A deposit that cannot be made: the message says why, `problems` lists each record in the way."""

    code = "deposit_refused"

    def __init__(self, message: str, problems: list[str] | None = None):
        problems = problems or []
        listed = problems[:LISTED_PROBLEMS]
        if len(problems) > LISTED_PROBLEMS:
            listed.append(_("… and %(count)d more.") % {"count": len(problems) - LISTED_PROBLEMS})
        super().__init__(" ".join([message, *listed]) if listed else message)
        self.summary = message
        self.problems = listed


@dataclass(frozen=True)
class Selection:
    arkivdel: Arkivdel
    start: date
    end: date

    def saksmapper(self):
        return (
            Saksmappe.objects.filter(arkivdel=self.arkivdel, saksstatus__in=CLOSED_CASE)
            .filter(avsluttet_dato__date__gte=self.start, avsluttet_dato__date__lte=self.end)
            .order_by("saksaar", "sakssekvensnummer")
        )

    def journalposter(self):
        return Journalpost.objects.filter(saksmappe__in=self.saksmapper()).order_by(
            "journalaar", "journalsekvensnummer"
        )


def _case(saksmappe: Saksmappe) -> str:
    return f"{saksmappe.saksnummer} {saksmappe.tittel}"


def _post(journalpost: Journalpost) -> str:
    return f"{journalpost.saksmappe.saksnummer}-{journalpost.journalpostnummer} {journalpost.tittel}"


def period(arkivdel: Arkivdel, start: date | None, end: date | None) -> tuple[date, date]:
    """The period asked for, or by default the archive part's own: from its start to its end, or to the
    last closing of one of its cases where that came later (a case closed in the overlapping period, after
    the period's end and before the part closed, goes with it)."""
    start = start or arkivdel.arkivperiode_start
    if end is None:
        last = arkivdel.saksmapper.filter(saksstatus__in=CLOSED_CASE).aggregate(last=Max("avsluttet_dato"))[
            "last"
        ]
        candidates = (arkivdel.arkivperiode_slutt, last and timezone.localtime(last).date())
        end = max(filter(None, candidates), default=timezone.localtime(arkivdel.avsluttet_dato).date())
    if start > end:
        raise DepositError(
            _("The period starts (%(start)s) after it ends (%(end)s).")
            % {"start": start.isoformat(), "end": end.isoformat()}
        )
    return start, end


def _open_records(selection: Selection) -> list[str]:
    arkivdel = selection.arkivdel
    problems = []
    open_cases = Saksmappe.objects.filter(arkivdel=arkivdel).filter(
        ~Q(saksstatus__in=CLOSED_CASE) | Q(avsluttet_dato__isnull=True) | Q(avsluttet_av="")
    )
    for saksmappe in open_cases.order_by("saksaar", "sakssekvensnummer"):
        problems.append(
            _("Case %(case)s is not closed (%(status)s).")
            % {"case": _case(saksmappe), "status": saksmappe.get_saksstatus_display()}
        )
    unarchived = (
        selection.journalposter()
        .filter(~Q(journalstatus__in=ARCHIVED_POST) | Q(arkivert_dato__isnull=True) | Q(arkivert_av=""))
        .select_related("saksmappe")
    )
    for journalpost in unarchived:
        problems.append(
            _("Journal post %(post)s is not archived (%(status)s).")
            % {"post": _post(journalpost), "status": journalpost.get_journalstatus_display()}
        )
    return problems


def _documents_without_archival_file():
    """The documents of the outer journal post that have no filed version in archival format (an object
    still waiting for its file does not count)."""
    filed = Dokumentobjekt.objects.filter(
        dokumentbeskrivelse=OuterRef("pk"), variantformat__in=DEPOSITED_VARIANTS
    ).exclude(fil="")
    return Dokumentbeskrivelse.objects.filter(journalpost=OuterRef("pk")).exclude(Exists(filed))


def _unfit_records(selection: Selection) -> list[str]:
    """Records the schemas cannot carry as they are."""
    problems = []
    if selection.arkivdel.klassifikasjonssystem_id is not None:
        # arkivstruktur.xsd: an arkivdel holds classification systems or cases, never both, so with
        # a classification system every case goes in under its class.
        for saksmappe in selection.saksmapper().filter(klasse__isnull=True):
            problems.append(_("Case %(case)s has no class.") % {"case": _case(saksmappe)})
    without_archival_version = (
        selection.journalposter()
        .exclude(journalstatus=Journalpost.Status.UTGAAR)
        .filter(Exists(_documents_without_archival_file()))
        .select_related("saksmappe")
        .distinct()
    )
    for journalpost in without_archival_version:
        problems.append(
            _("A document of journal post %(post)s has no version in archival format.")
            % {"post": _post(journalpost)}
        )
    return problems


def select(arkivdel: Arkivdel, start: date | None, end: date | None) -> Selection:
    """The records a deposit of the archive part for the period holds, or DepositError naming every
    record that stops it."""
    closed = (
        arkivdel.arkivdelstatus in CLOSED_ARKIVDEL
        and arkivdel.avsluttet_dato is not None
        and arkivdel.avsluttet_av
    )
    if not closed:
        # What keeps the part open is named, so the archive leader knows what to close first.
        still_open = _open_records(Selection(arkivdel, arkivdel.arkivperiode_start, date.max))
        raise DepositError(
            _(
                "Archive part %(arkivdel)s is not closed (%(status)s). A deposit is of a closed period: "
                "close the period first."
            )
            % {"arkivdel": arkivdel.tittel, "status": arkivdel.get_arkivdelstatus_display()},
            still_open,
        )
    start, end = period(arkivdel, start, end)
    selection = Selection(arkivdel, start, end)
    problems = _open_records(selection)
    if problems:
        raise DepositError(
            _("The period has records that are still open; close or archive them first:"), problems
        )
    problems = _unfit_records(selection)
    if problems:
        raise DepositError(_("Some records cannot be deposited as they are:"), problems)
    if not selection.saksmapper().exists():
        raise DepositError(
            _("No case of archive part %(arkivdel)s was closed between %(start)s and %(end)s.")
            % {"arkivdel": arkivdel.tittel, "start": start.isoformat(), "end": end.isoformat()}
        )
    if not selection.journalposter().exists():
        # The journals (loependeJournal.xsd, offentligJournal.xsd) need at least one journal post.
        raise DepositError(
            _("The cases closed between %(start)s and %(end)s have no journal posts.")
            % {"start": start.isoformat(), "end": end.isoformat()}
        )
    return selection
