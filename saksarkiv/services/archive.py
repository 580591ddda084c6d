"""Cases and journal posts: numbering (saksår/sekvensnummer per archive, journal sequence per year),
statuses, and the rule that a finalised record is not changed in place. Every change is audited."""

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from saksarkiv.models import (
    Arkiv,
    Arkivdel,
    Arkivskaper,
    Journalpost,
    JournalSequence,
    Klasse,
    Klassifikasjonssystem,
    Saksbehandler,
    Saksmappe,
    Skjerming,
    Tilgangskode,
)
from saksarkiv.services.access import cases_for
from saksarkiv.services.errors import InvalidInput, NotFound, RecordFinalised
from virksomheter.models import Organisation

# A small subject key to start from (after the common municipal key, KS-nøkkelen).
STARTING_CLASSES = (
    ("000", "Organisasjon og administrasjon"),
    ("100", "Politisk styring"),
    ("200", "Økonomi"),
    ("400", "Personal"),
    ("600", "Helse- og sosialtjenester"),
    ("610", "Bostøtte og sosiale ytelser"),
    ("700", "Samferdsel"),
    ("800", "Skole og opplæring"),
    ("900", "Plan og byggesaker"),
)


def record_change(action: str, handler: Saksbehandler, obj, *, request=None, **details) -> None:
    audit.record(
        f"saksarkiv.{action}",
        actor=handler.user,
        request=request,
        obj=obj,
        details={"organisation": handler.organisation.organisasjonsnummer, **details},
    )


@transaction.atomic
def ensure_arkiv(organisation: Organisation) -> Arkiv:
    """The organisation's archive, with an active archive part and a classification system."""
    arkiv, created = Arkiv.objects.get_or_create(
        organisation=organisation, defaults={"tittel": f"{organisation.name_nb} arkiv"}
    )
    if created:
        take_creators(arkiv)
        system = Klassifikasjonssystem.objects.create(arkiv=arkiv, tittel=_("Subject key"))
        Klasse.objects.bulk_create(
            Klasse(klassifikasjonssystem=system, klasse_id=code, tittel=title)
            for code, title in STARTING_CLASSES
        )
        Arkivdel.objects.create(
            arkiv=arkiv,
            tittel=_("Case archive"),
            klassifikasjonssystem=system,
            arkivperiode_start=date(timezone.localdate().year, 1, 1),
        )
    return arkiv


def take_creators(arkiv: Arkiv) -> None:
    """A new archive takes the creators its organisation registered before it; with none, the organisation
    is its own creator."""
    organisation = arkiv.organisation
    Arkivskaper.objects.filter(organisation=organisation, arkiv=None).update(arkiv=arkiv)
    if not arkiv.arkivskapere.exists():
        Arkivskaper.objects.update_or_create(
            organisation=organisation,
            arkivskaper_id=organisation.organisasjonsnummer,
            defaults={"arkiv": arkiv, "arkivskaper_navn": organisation.name_nb},
        )


def active_arkivdel(organisation: Organisation) -> Arkivdel | None:
    arkiv = ensure_arkiv(organisation)
    return (
        arkiv.arkivdeler.filter(arkivdelstatus=Arkivdel.Status.AKTIV).order_by("-arkivperiode_start").first()
    )


def _next_numbers(arkiv: Arkiv, year: int, *, case: bool = False, journal: bool = False) -> tuple[int, int]:
    """The next case and/or journal sequence numbers, under a row lock (no gaps, no duplicates)."""
    JournalSequence.objects.get_or_create(arkiv=arkiv, aar=year)
    sequence = JournalSequence.objects.select_for_update().get(arkiv=arkiv, aar=year)
    numbers = (sequence.neste_saksnummer, sequence.neste_journalnummer)
    sequence.neste_saksnummer += int(case)
    sequence.neste_journalnummer += int(journal)
    sequence.save()
    return numbers


@transaction.atomic
def create_saksmappe(
    handler: Saksbehandler,
    *,
    tittel: str,
    offentlig_tittel: str = "",
    klasse: Klasse | None = None,
    skjerming: Skjerming | None = None,
    tilgangskode: Tilgangskode | None = None,
    sekundaerklasser=(),
    arkivdel: Arkivdel | None = None,
    request=None,
) -> Saksmappe:
    """A new case, in the given arkivdel of the organisation's archive (one open to new cases) or the
    active one."""
    if arkivdel is None:
        arkivdel = active_arkivdel(handler.organisation)
        if arkivdel is None:
            # An archive a client built through the service interface may have no active part yet.
            raise InvalidInput(_("Your archive has no active archive part: create one, or name the part."))
    elif arkivdel.arkiv.organisation_id != handler.organisation_id:
        raise NotFound(_("No such archive part in your archive."))
    elif arkivdel.arkivdelstatus not in (Arkivdel.Status.AKTIV, Arkivdel.Status.OVERLAPPING):
        raise RecordFinalised(_("The archive part takes no new cases."))
    if not tittel.strip():
        raise InvalidInput(_("A case needs a title."))
    if any(k.klassifikasjonssystem.arkiv_id != arkivdel.arkiv_id for k in [klasse, *sekundaerklasser] if k):
        raise NotFound(_("No such class in your archive."))
    if tilgangskode is not None and tilgangskode.organisation_id != handler.organisation_id:
        raise NotFound(_("No such access code in your organisation."))
    year = timezone.localdate().year
    number, _journal = _next_numbers(arkivdel.arkiv, year, case=True)
    saksmappe = Saksmappe.objects.create(
        arkivdel=arkivdel,
        klasse=klasse,
        saksaar=year,
        sakssekvensnummer=number,
        tittel=tittel.strip(),
        offentlig_tittel=(offentlig_tittel or tittel).strip(),
        saksdato=timezone.localdate(),
        saksansvarlig=handler,
        administrativ_enhet=handler.administrativ_enhet,
        journalenhet=handler.administrativ_enhet.journalenhet if handler.administrativ_enhet else "",
        skjerming=skjerming,
        tilgangskode=tilgangskode,
        opprettet_av=handler.user.get_username(),
    )
    saksmappe.sekundaerklasser.set(sekundaerklasser)
    record_change("case_created", handler, saksmappe, request=request, saksnummer=saksmappe.saksnummer)
    return saksmappe


@transaction.atomic
def add_journalpost(
    saksmappe: Saksmappe,
    handler: Saksbehandler,
    *,
    journalposttype: str,
    tittel: str,
    offentlig_tittel: str = "",
    dokumentdato: date | None = None,
    forfallsdato: date | None = None,
    skjerming: Skjerming | None = None,
    tilgangskode: Tilgangskode | None = None,
    request=None,
) -> Journalpost:
    if not cases_for(handler).filter(pk=saksmappe.pk).exists():
        raise NotFound(_("No such case."))
    if saksmappe.saksstatus != Saksmappe.Status.UNDER_BEHANDLING:
        raise RecordFinalised(_("The case is closed; reopen it before adding journal posts."))
    if journalposttype not in Journalpost.Type.values:
        raise InvalidInput(_("Choose incoming, outgoing or memo."))
    if not tittel.strip():
        raise InvalidInput(_("A journal post needs a title."))
    if tilgangskode is not None and tilgangskode.organisation_id != handler.organisation_id:
        raise NotFound(_("No such access code in your organisation."))
    today = timezone.localdate()
    _case, sequence = _next_numbers(saksmappe.arkivdel.arkiv, today.year, journal=True)
    last = (
        saksmappe.journalposter.order_by("-journalpostnummer")
        .values_list("journalpostnummer", flat=True)
        .first()
    )
    journalpost = Journalpost.objects.create(
        saksmappe=saksmappe,
        journalaar=today.year,
        journalsekvensnummer=sequence,
        journalpostnummer=(last or 0) + 1,
        journalposttype=journalposttype,
        journalstatus=Journalpost.Status.REGISTRERT,
        tittel=tittel.strip(),
        offentlig_tittel=(offentlig_tittel or tittel).strip(),
        dokumentdato=dokumentdato or today,
        journaldato=today,
        mottatt_dato=timezone.now() if journalposttype == Journalpost.Type.INNGAAENDE else None,
        forfallsdato=forfallsdato,
        saksbehandler=handler,
        administrativ_enhet=handler.administrativ_enhet,
        journalenhet=saksmappe.journalenhet,
        skjerming=skjerming or saksmappe.skjerming,
        tilgangskode=tilgangskode or saksmappe.tilgangskode,
        opprettet_av=handler.user.get_username(),
    )
    record_change("journalpost_created", handler, journalpost, request=request, number=str(journalpost))
    return journalpost


def post_number(journalpost: Journalpost) -> str:
    return f"{journalpost.saksmappe.saksnummer}-{journalpost.journalpostnummer}"


def _is_open(saksmappe: Saksmappe) -> bool:
    return saksmappe.saksstatus == Saksmappe.Status.UNDER_BEHANDLING


def require_editable(journalpost: Journalpost) -> None:
    """A post changes in place only while it is unfinished, not void, and in an open case."""
    if not _is_open(journalpost.saksmappe):
        raise RecordFinalised(
            _("Case %(number)s is closed; it must be reopened first.")
            % {"number": journalpost.saksmappe.saksnummer}
        )
    if journalpost.is_finalised or journalpost.journalstatus == Journalpost.Status.UTGAAR:
        raise RecordFinalised(
            _("Journal post %(number)s is finalised (%(status)s) and cannot be changed.")
            % {"number": post_number(journalpost), "status": journalpost.get_journalstatus_display()}
        )


# Krav 2.9.9: only authorised roles archive a new version on a post that is dispatched, journalført or
# closed; krav 3.2.17 and M604: an archived post is frozen, nothing is added to it.
LEADER_ONLY_FOR_DOCUMENTS = (Journalpost.Status.EKSPEDERT, Journalpost.Status.JOURNALFOERT)
FROZEN = (Journalpost.Status.ARKIVERT, Journalpost.Status.UTGAAR)


def require_open_for_documents(journalpost: Journalpost, handler: Saksbehandler) -> None:
    """Whether a document or a new version may be added to this post by this handler."""
    if not _is_open(journalpost.saksmappe):
        raise RecordFinalised(
            _("Case %(number)s is closed; no documents are added to it.")
            % {"number": journalpost.saksmappe.saksnummer}
        )
    if journalpost.journalstatus in FROZEN or (
        journalpost.journalstatus in LEADER_ONLY_FOR_DOCUMENTS and not handler.arkivleder
    ):
        raise RecordFinalised(
            _("Journal post %(number)s is %(status)s; no new document versions are added to it.")
            % {"number": post_number(journalpost), "status": journalpost.get_journalstatus_display().lower()}
        )


def _set_status(journalpost: Journalpost, handler: Saksbehandler, status: str, action: str, *, request=None,
                **details) -> Journalpost:  # fmt: skip
    old = journalpost.journalstatus
    journalpost.journalstatus = status
    journalpost.save(update_fields=["journalstatus"])
    record_change(action, handler, journalpost, request=request, changes={"journalstatus": [old, status]},
                  **details)  # fmt: skip
    return journalpost


@transaction.atomic
def finalise(journalpost: Journalpost, handler: Saksbehandler, *, request=None) -> Journalpost:
    # Both build on this module, so they are imported here, not at its top.
    from saksarkiv.services.avskrivning import settle_answers
    from saksarkiv.services.parties import require_parties

    require_editable(journalpost)
    require_parties(journalpost)
    if not journalpost.dokumenter.exists():
        raise InvalidInput(_("Add a document before finalising the journal post."))
    # The Noark 5 interface describes a document and makes its object before the file comes.
    waiting = journalpost.dokumenter.filter(Q(versjoner__fil="") | Q(versjoner__isnull=True)).first()
    if waiting is not None:
        raise InvalidInput(
            _("%(title)s has no file yet: upload it, or delete what waits for it, before finalising.")
            % {"title": waiting.tittel}
        )
    journalpost.dokumenter.update(dokumentstatus="F")
    _set_status(
        journalpost, handler, Journalpost.Status.FERDIGSTILT, "journalpost_finalised", request=request
    )
    settle_answers(journalpost, handler, request=request)
    return journalpost


# Journalføring is the archive's check of a finished post, as in Public 360 where the registry
# (arkivet) journalfører what the handler finalised; M053: "Skifte av status kan bare utføres av
# autoriserte personer", so only an archive leader does it.
JOURNALISABLE = (Journalpost.Status.FERDIGSTILT, Journalpost.Status.GODKJENT, Journalpost.Status.EKSPEDERT)


@transaction.atomic
def journalfoer(journalpost: Journalpost, handler: Saksbehandler, *, request=None) -> Journalpost:
    from saksarkiv.services.avskrivning import settle_answers

    if not handler.arkivleder:
        raise RecordFinalised(_("Only an archive leader journalises journal posts."))
    journalpost = (
        Journalpost.objects.select_for_update(of=("self",)).select_related("saksmappe").get(pk=journalpost.pk)
    )
    if journalpost.journalstatus not in JOURNALISABLE:
        raise InvalidInput(
            _("Journal post %(number)s is %(status)s; only a finalised post is journalised.")
            % {"number": post_number(journalpost), "status": journalpost.get_journalstatus_display().lower()}
        )
    # Krav 3.2.30: no J while a document is not finalised.
    if journalpost.dokumenter.exclude(dokumentstatus="F").exists():
        raise InvalidInput(_("Every document of the journal post must be finalised first."))
    _set_status(
        journalpost, handler, Journalpost.Status.JOURNALFOERT, "journalpost_journalised", request=request
    )
    settle_answers(journalpost, handler, request=request)
    return journalpost


@transaction.atomic
def void(journalpost: Journalpost, handler: Saksbehandler, *, reason: str = "", request=None) -> Journalpost:
    """Utgår: a post registered by mistake stays in the journal, marked void (krav 3.2.19: it is never
    deleted). Its own handler or an archive leader does it, before the post is finalised."""
    if not (handler.arkivleder or journalpost.saksbehandler_id == handler.pk):
        raise RecordFinalised(_("Only the post's case handler or an archive leader can void it."))
    require_editable(journalpost)
    return _set_status(
        journalpost,
        handler,
        Journalpost.Status.UTGAAR,
        "journalpost_voided",
        request=request,
        reason=reason.strip(),
    )


def _unfinished(saksmappe: Saksmappe):
    return saksmappe.journalposter.exclude(
        journalstatus__in=Journalpost.FINALISED + (Journalpost.Status.UTGAAR,)
    )


@transaction.atomic
def close_case(saksmappe: Saksmappe, handler: Saksbehandler, *, request=None) -> Saksmappe:
    """Close the case and archive its posts (krav 3.2.7: a closed case holds only archived or void
    posts; 3.2.18: arkivertDato is set with the status). Refused while a post is unfinished or a
    followed-up post is not written off (krav 3.2.9). Krav 3.4.5 would instead write those off with
    "saken avsluttet" on closing; 3.2.9 makes that a choice the handler takes (code SA), not a side
    effect of closing."""
    from saksarkiv.services.avskrivning import not_written_off, settle_case

    saksmappe = cases_for(handler).select_for_update(of=("self",)).filter(pk=saksmappe.pk).first()
    if saksmappe is None:
        raise NotFound(_("No such case."))
    if not _is_open(saksmappe):
        raise InvalidInput(_("Case %(number)s is already closed.") % {"number": saksmappe.saksnummer})
    if _unfinished(saksmappe).exists():
        raise InvalidInput(_("Finalise or void every journal post before closing the case."))
    settle_case(saksmappe, handler, request=request)
    waiting = not_written_off(saksmappe.journalposter.all()).order_by("journalpostnummer")
    if waiting.exists():
        raise InvalidInput(
            _("Write off these journal posts before closing the case: %(posts)s.")
            % {
                "posts": "; ".join(
                    f"{post_number(p)} «{p.tittel}»" for p in waiting.select_related("saksmappe")
                )
            }
        )
    now, by = timezone.now(), handler.user.get_username()
    # A void post keeps its status but is frozen with the rest: arkivertDato is every deposited
    # registrering's (arkivstruktur.xsd), and M053 lets a deposit carry "Arkivert" or "Utgår".
    saksmappe.journalposter.filter(journalstatus=Journalpost.Status.UTGAAR).update(
        arkivert_dato=now, arkivert_av=by
    )
    for journalpost in saksmappe.journalposter.filter(
        journalstatus__in=JOURNALISABLE + (Journalpost.Status.JOURNALFOERT,)
    ):
        journalpost.arkivert_dato, journalpost.arkivert_av = now, by
        journalpost.save(update_fields=["arkivert_dato", "arkivert_av"])
        _set_status(
            journalpost, handler, Journalpost.Status.ARKIVERT, "journalpost_archived", request=request
        )
    _set_case_status(saksmappe, Saksmappe.Status.AVSLUTTET, now, by)
    record_change(
        "case_closed",
        handler,
        saksmappe,
        request=request,
        changes={"saksstatus": [Saksmappe.Status.UNDER_BEHANDLING, Saksmappe.Status.AVSLUTTET]},
    )
    return saksmappe


def _set_case_status(saksmappe: Saksmappe, status: str, avsluttet_dato, avsluttet_av: str) -> None:
    """A case closed (with when and by whom) or under treatment again (without)."""
    saksmappe.saksstatus = status
    saksmappe.avsluttet_dato, saksmappe.avsluttet_av = avsluttet_dato, avsluttet_av
    saksmappe.save(update_fields=["saksstatus", "avsluttet_dato", "avsluttet_av"])


@transaction.atomic
def reopen_case(saksmappe: Saksmappe, handler: Saksbehandler, *, reason: str, request=None) -> Saksmappe:
    """Krav 3.2.11: a closed case may be reopened by authorised users, and the reopening is logged; here
    an archive leader, with the reason in the audit trail. The case is under treatment again, so it loses
    its avsluttetDato/avsluttetAv (M602/M603 are there when the case is closed; closing again sets them
    anew, and the old values stay in the audit trail and so in endringslogg.xml). Its archived posts stay
    archived: M604, archiving freezes them; new posts can be added."""
    if not handler.arkivleder:
        raise RecordFinalised(_("Only an archive leader can reopen a closed case."))
    if not reason.strip():
        raise InvalidInput(_("Give the reason for reopening the case."))
    saksmappe = cases_for(handler).select_for_update(of=("self",)).filter(pk=saksmappe.pk).first()
    if saksmappe is None:
        raise NotFound(_("No such case."))
    if saksmappe.saksstatus != Saksmappe.Status.AVSLUTTET:
        raise InvalidInput(_("Case %(number)s is not closed.") % {"number": saksmappe.saksnummer})
    closed, closed_by = saksmappe.avsluttet_dato, saksmappe.avsluttet_av
    _set_case_status(saksmappe, Saksmappe.Status.UNDER_BEHANDLING, None, "")
    record_change(
        "case_reopened",
        handler,
        saksmappe,
        request=request,
        reason=reason.strip(),
        changes={
            "saksstatus": [Saksmappe.Status.AVSLUTTET, Saksmappe.Status.UNDER_BEHANDLING],
            "avsluttet_dato": [closed.isoformat() if closed else None, None],
            "avsluttet_av": [closed_by, None],
        },
    )
    return saksmappe
