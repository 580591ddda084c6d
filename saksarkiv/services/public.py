"""The public journal (offentlig journal, as published on eInnsyn): each organisation's journal
posts with only what may be published, and requests for access (innsynskrav) to them.

What is screened is decided here and nowhere else: the rows handed out carry only publishable
fields, so a page cannot show a screened title or name by mistake."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Case, F, Prefetch, Q, Value, When
from django.db.models.functions import StrIndex, Substr
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import audit, throttle
from core.net import client_address
from saksarkiv.models import Innsynskrav, Journalpost, Korrespondansepart, Saksbehandler, Saksmappe, Skjerming
from saksarkiv.services.access import journalposts_for
from saksarkiv.services.archive import record_change
from saksarkiv.services.errors import InvalidInput, NotFound, SaksarkivError
from virksomheter.models import Organisation

PAGE_SIZE = 50

# Noark 5 journalstatus: a journal post belongs in the public journal once it is registered in
# the journal ("S" and every later status). A reserved number ("R") or a temporary registration
# ("M") has no journal entry yet, and a void post ("U") has been taken out of the journal. Listed
# by inclusion, so that a status added later stays unpublished until someone decides otherwise.
PUBLIC_STATUSES = (
    Journalpost.Status.REGISTRERT,
    Journalpost.Status.FERDIGSTILT,
    Journalpost.Status.GODKJENT,
    Journalpost.Status.EKSPEDERT,
    Journalpost.Status.JOURNALFOERT,
    Journalpost.Status.ARKIVERT,
)

# Whose names the journal shows: the sender of an incoming document, the recipients of an
# outgoing one, and any party a memo lists.
LISTED_PARTIES = {
    Journalpost.Type.INNGAAENDE: (Korrespondansepart.Type.AVSENDER,),
    Journalpost.Type.UTGAAENDE: (Korrespondansepart.Type.MOTTAKER, Korrespondansepart.Type.KOPIMOTTAKER),
    Journalpost.Type.NOTAT: tuple(Korrespondansepart.Type.values),
}

# A journal post with this many persons among its listed parties is a mass dispatch (the same
# letter to many citizens): its persons are counted, not named, unless the handler has marked the
# post as public with names. The list would otherwise publish a register of persons (everyone who
# got a property-tax notice) that no request for access to one case needs (offentleglova § 13 with
# the personal-data rules for public journals). A letter to one or two persons is ordinary
# correspondence and names them as before. Organisations are always named.
MASS_DISPATCH_FROM = 3

# Requests for access filed from one client address within the window; enough for a journalist's
# working day in bursts, not for a script flooding an organisation's case handlers.
REQUESTS_PER_WINDOW = 30
REQUEST_WINDOW = timedelta(hours=1)
REQUESTS_FROM_ADDRESS = "innsyn.requests"
REQUEST_ACTION = "saksarkiv.innsynskrav_filed"
REFUSED_ACTION = "saksarkiv.innsynskrav_refused"


class TooManyRequests(SaksarkivError):
    code = "too_many_requests"


@dataclass(frozen=True)
class PublicEntry:
    """One line of the public journal. A title is "" where it must be withheld; `parter` is
    empty where the names are screened. The *_hjemmel fields name the legal basis of what is
    screened ("" where nothing is)."""

    pk: int
    journaldato: date
    saksnummer: str
    journalnummer: str
    journalposttype: str
    type_label: str
    tittel: str
    tittel_hjemmel: str
    sak_tittel: str
    sak_hjemmel: str
    parter: tuple[str, ...]
    parter_hjemmel: str


def organisations_with_journal():
    """The organisations that keep an archive here, by name."""
    return Organisation.objects.filter(arkiv__isnull=False).order_by("name_nb")


def organisation_with_journal(organisasjonsnummer: str) -> Organisation:
    organisation = organisations_with_journal().filter(organisasjonsnummer=organisasjonsnummer).first()
    if organisation is None:
        raise NotFound(_("No public journal for that organisation number."))
    return organisation


def _screens(field: str, *paths: str) -> Q:
    """The screening on any of the given relations lists `field` (a standard code, or an alias of
    several, as Skjerming.screens reads them). JSON text is matched with its quotes, which works
    alike on PostgreSQL and SQLite."""
    condition = Q()
    for path in paths:
        for code in Skjerming.codes_for(field):
            condition |= Q(**{f"{path}__skjerming_metadata__icontains": f'"{code}"'})
    return condition


# The codes that screen a title but its first line (Noark 5's "unntatt første linje"): TR1 for the
# journal post's title, TM1 for the case's. The first line is the text up to the first line break.
FIRST_LINE = {"": Skjerming.Metadata.TITTEL_REGISTRERING_FOERSTE_LINJE.value,
              "saksmappe__": Skjerming.Metadata.TITTEL_MAPPE_FOERSTE_LINJE.value}  # fmt: skip


def _first_line(field: str) -> Case:
    line_break = StrIndex(F(field), Value("\n"))
    return Case(When(GreaterThan(line_break, 0), then=Substr(F(field), 1, line_break - 1)), default=F(field))


def _public_title(prefix: str) -> Case:
    """The offentlig tittel, or "" where the title is screened but the public version was left
    empty or identical to the real title (nothing was blanked out), so the real one would show;
    only its first line where the screening keeps the rest back (TR1, TM1)."""
    not_blanked = Q(**{f"{prefix}offentlig_tittel": ""}) | Q(
        **{f"{prefix}offentlig_tittel": F(f"{prefix}tittel")}
    )
    screenings = ("skjerming", "saksmappe__skjerming")
    return Case(
        When(_screens("tittel", *screenings) & not_blanked, then=Value("")),
        When(_screens(FIRST_LINE[prefix], *screenings), then=_first_line(f"{prefix}offentlig_tittel")),
        default=F(f"{prefix}offentlig_tittel"),
    )


def _published(organisation: Organisation):
    parties = Korrespondansepart.objects.only(
        "journalpost_id", "korrespondanseparttype", "navn", "adresse_beskyttet", "organisasjonsnummer"
    ).order_by("pk")
    return (
        Journalpost.objects.filter(
            saksmappe__arkivdel__arkiv__organisation=organisation, journalstatus__in=PUBLIC_STATUSES
        )
        .annotate(public_tittel=_public_title(""), public_sak_tittel=_public_title("saksmappe__"))
        .select_related("saksmappe__skjerming", "skjerming")
        # The real titles never leave the database, nor the public ones before screening.
        .defer("tittel", "saksmappe__tittel", "offentlig_tittel", "saksmappe__offentlig_tittel")
        .prefetch_related(Prefetch("korrespondanseparter", queryset=parties))
        .order_by("-journaldato", "-journalsekvensnummer")
    )


def _basis(fields: str | tuple[str, ...], *screenings: Skjerming | None) -> str:
    fields = (fields,) if isinstance(fields, str) else fields
    for screening in screenings:
        if screening is not None and any(screening.screens(field) for field in fields):
            return screening.skjermingshjemmel
    return ""


def _listed_name(party: Korrespondansepart) -> str:
    # A person whose address is protected is not named: beside the organisation and the case, the
    # name would tell where they live or are looked after.
    return _("Name withheld") if party.adresse_beskyttet else party.navn


def names_persons(journalpost: Journalpost, persons: int | None = None) -> bool:
    """Whether the public journal names the persons among the journal post's parties."""
    if journalpost.offentlig_med_navn is not None:
        return journalpost.offentlig_med_navn
    if persons is None:
        persons = journalpost.korrespondanseparter.filter(organisasjonsnummer="").count()
    return persons < MASS_DISPATCH_FROM


def _listed_names(journalpost: Journalpost, listed: tuple[str, ...]) -> tuple[str, ...]:
    parties = [p for p in journalpost.korrespondanseparter.all() if p.korrespondanseparttype in listed]
    persons = [p for p in parties if not p.organisasjonsnummer]
    if names_persons(journalpost, len(persons)):
        return tuple(_listed_name(p) for p in parties)
    organisations = tuple(p.navn for p in parties if p.organisasjonsnummer)
    counted = ngettext("%(count)d private person", "%(count)d private persons", len(persons)) % {
        "count": len(persons)
    }
    return (*organisations, counted) if persons else organisations


@transaction.atomic
def set_public_names(
    journalpost: Journalpost, handler: Saksbehandler, *, named: bool, request=None
) -> Journalpost:
    """The handler marks the journal post as public with names, or returns it to the rule. Audited:
    it decides whose names the whole world can read."""
    journalpost.offentlig_med_navn = True if named else None
    journalpost.save(update_fields=["offentlig_med_navn"])
    record_change("journalpost_public_names", handler, journalpost, request=request, named=named)
    return journalpost


def _entry(journalpost: Journalpost) -> PublicEntry:
    case = journalpost.saksmappe
    own, case_screening = journalpost.skjerming, case.skjerming
    names_basis = _basis("korrespondansepart", own, case_screening)
    listed = LISTED_PARTIES.get(journalpost.journalposttype, ())
    return PublicEntry(
        pk=journalpost.pk,
        journaldato=journalpost.journaldato,
        saksnummer=f"{case.saksnummer}-{journalpost.journalpostnummer}",
        journalnummer=f"{journalpost.journalaar}/{journalpost.journalsekvensnummer}",
        journalposttype=journalpost.journalposttype,
        type_label=journalpost.get_journalposttype_display(),
        tittel=journalpost.public_tittel,
        tittel_hjemmel=_basis(("tittel", FIRST_LINE[""]), own, case_screening),
        sak_tittel=journalpost.public_sak_tittel,
        sak_hjemmel=_basis(("tittel", FIRST_LINE["saksmappe__"]), case_screening, own),
        # Only the name: a person's identity number is never part of the public journal.
        parter=() if names_basis else _listed_names(journalpost, listed),
        parter_hjemmel=names_basis,
    )


# Each word narrows the search with its own index lookups; more words than this find nothing new.
MAX_SEARCH_WORDS = 10


def public_journal(
    organisation: Organisation,
    *,
    query: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    journalposttype: str = "",
    page: int | str | None = 1,
) -> Page:
    """One page of the organisation's public journal, newest journal date first; the page's
    object_list holds PublicEntry rows. Text search looks only in the public titles."""
    journalposts = _published(organisation)
    for word in query.split()[:MAX_SEARCH_WORDS]:
        # The public titles decide; the plain columns first narrow the rows through their trigram
        # indexes (a public title is its offentlig tittel, or nothing).
        candidates = Q(pk__in=Journalpost.objects.filter(offentlig_tittel__icontains=word).values("pk")) | Q(
            saksmappe__in=Saksmappe.objects.filter(offentlig_tittel__icontains=word).values("pk")
        )
        journalposts = journalposts.filter(candidates).filter(
            Q(public_tittel__icontains=word) | Q(public_sak_tittel__icontains=word)
        )
    if date_from:
        journalposts = journalposts.filter(journaldato__gte=date_from)
    if date_to:
        journalposts = journalposts.filter(journaldato__lte=date_to)
    if journalposttype:
        journalposts = journalposts.filter(journalposttype=journalposttype)
    result = Paginator(journalposts, PAGE_SIZE).get_page(page)
    result.object_list = [_entry(journalpost) for journalpost in result.object_list]
    return result


def public_entry(organisation: Organisation, pk: int) -> tuple[Journalpost, PublicEntry]:
    """A published journal post of the organisation, and its public line."""
    journalpost = _published(organisation).filter(pk=pk).first()
    if journalpost is None:
        raise NotFound(_("No such journal post in the public journal."))
    return journalpost, _entry(journalpost)


# Posts read per query by public_entries.
ENTRIES_CHUNK = 1000


def public_entries(
    organisation: Organisation, journalpost_ids: Iterable[int]
) -> Iterator[tuple[Journalpost, PublicEntry]]:
    """The public lines of many published journal posts of the organisation, as public_entry gives
    each, in the order of the ids given: one query (and its prefetch) per thousand posts instead of
    two per post. An id the public journal does not show is refused as public_entry refuses it."""
    ids = iter(journalpost_ids)
    while chunk := list(islice(ids, ENTRIES_CHUNK)):
        found = {journalpost.pk: journalpost for journalpost in _published(organisation).filter(pk__in=chunk)}
        for pk in chunk:
            journalpost = found.get(pk)
            if journalpost is None:
                raise NotFound(_("No such journal post in the public journal."))
            yield journalpost, _entry(journalpost)


def _check_rate(journalpost: Journalpost, email: str, request) -> None:
    address = client_address(request)
    if address is None:
        return
    rate = throttle.Rate(REQUESTS_PER_WINDOW, int(REQUEST_WINDOW.total_seconds()))
    if not throttle.hit(REQUESTS_FROM_ADDRESS, address, rate):
        # A flood from one address is a security event; it is recorded under another action, so
        # refused attempts do not count towards the limit themselves.
        audit.record(
            REFUSED_ACTION,
            actor=email,
            request=request,
            obj=journalpost,
            outcome=audit.Outcome.FAILURE,
            details={"reason": "too_many_requests"},
        )
        raise TooManyRequests(
            _("You have sent many requests for access in a short time. Wait an hour and try again.")
        )


def request_access(journalpost: Journalpost, *, email: str, reason: str = "", request=None) -> Innsynskrav:
    """File a request for access to a published journal post with its organisation."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(_("Enter a valid e-mail address, like navn@eksempel.no.")) from None
    if journalpost.journalstatus not in PUBLIC_STATUSES:
        raise NotFound(_("No such journal post in the public journal."))
    _check_rate(journalpost, email, request)
    with transaction.atomic():
        krav = Innsynskrav.objects.create(journalpost=journalpost, epost=email, begrunnelse=reason.strip())
        organisation = Organisation.objects.get(arkiv__arkivdeler__saksmapper__journalposter=journalpost)
        audit.record(
            REQUEST_ACTION,
            actor=email,
            request=request,
            obj=krav,
            details={"organisation": organisation.organisasjonsnummer, "journalpost": journalpost.pk},
        )
    return krav


def mark_handled(handler: Saksbehandler, requests, *, request=None) -> int:
    """Mark requests for access to the handler's own organisation's journal posts as answered;
    returns how many were open. Others' requests and those handled before are left as they are."""
    with transaction.atomic():
        open_requests = list(
            requests_for(handler).filter(pk__in=[krav.pk for krav in requests], behandlet__isnull=True)
        )
        Innsynskrav.objects.filter(pk__in=[krav.pk for krav in open_requests]).update(
            behandlet=timezone.now()
        )
        for krav in open_requests:
            record_change(
                "innsynskrav_handled", handler, krav, request=request, journalpost=krav.journalpost_id
            )
    return len(open_requests)


def requests_for(handler: Saksbehandler):
    """The requests for access to the journal posts the handler may see, newest first: a request
    names its post's title, so one for a coded post is not shown to a handler without the code."""
    return (
        Innsynskrav.objects.filter(journalpost__in=journalposts_for(handler))
        .select_related("journalpost__saksmappe")
        .order_by("-mottatt")
    )
