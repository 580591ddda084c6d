"""Cases and journal posts: numbering (saksår/sekvensnummer per archive, journal sequence per year),
statuses, and the rule that a finalised record is not changed in place. Every change is audited."""

from datetime import date

from django.db import transaction
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
        Arkivskaper.objects.create(
            arkiv=arkiv,
            arkivskaper_id=organisation.organisasjonsnummer,
            arkivskaper_navn=organisation.name_nb,
        )
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


def active_arkivdel(organisation: Organisation) -> Arkivdel:
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
    request=None,
) -> Saksmappe:
    arkivdel = active_arkivdel(handler.organisation)
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


def require_editable(journalpost: Journalpost) -> None:
    if journalpost.is_finalised:
        raise RecordFinalised(
            _("Journal post %(number)s is finalised (%(status)s) and cannot be changed.")
            % {
                "number": f"{journalpost.saksmappe.saksnummer}-{journalpost.journalpostnummer}",
                "status": journalpost.get_journalstatus_display(),
            }
        )


@transaction.atomic
def finalise(journalpost: Journalpost, handler: Saksbehandler, *, request=None) -> Journalpost:
    require_editable(journalpost)
    if not journalpost.dokumenter.exists():
        raise InvalidInput(_("Add a document before finalising the journal post."))
    journalpost.journalstatus = Journalpost.Status.FERDIGSTILT
    journalpost.save(update_fields=["journalstatus"])
    journalpost.dokumenter.update(dokumentstatus="F")
    record_change("journalpost_finalised", handler, journalpost, request=request)
    return journalpost


@transaction.atomic
def close_case(saksmappe: Saksmappe, handler: Saksbehandler, *, request=None) -> Saksmappe:
    unfinished = saksmappe.journalposter.exclude(
        journalstatus__in=Journalpost.FINALISED + (Journalpost.Status.UTGAAR,)
    )
    if unfinished.exists():
        raise InvalidInput(_("Finalise or void every journal post before closing the case."))
    saksmappe.saksstatus = Saksmappe.Status.AVSLUTTET
    saksmappe.avsluttet_dato = timezone.now()
    saksmappe.save(update_fields=["saksstatus", "avsluttet_dato"])
    record_change("case_closed", handler, saksmappe, request=request)
    return saksmappe
