"""Avskrivning: an incoming journal post (or an internal memo for follow-up) is dealt with when it is
written off, by the post that answers it or with a code; until then it is a restanse on its handler's
list. Noark 5 v5.0 krav 3.4.1-3.4.11 and metadata M617-M619.

"This outgoing post answers incoming post X" is the answer's cross-reference to X (krav 3.4.7: there
shall be a reference between the two). X is written off the moment the answer is finalised, dispatched
or journalført, or when the case is closed, whichever comes first (settle_answers, settle_case)."""

from django.db import transaction
from django.db.models import BooleanField, Case, F, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _

from saksarkiv.models import (
    AdministrativEnhet,
    Avskrivning,
    Journalpost,
    Kryssreferanse,
    Saksbehandler,
    Saksmappe,
)
from saksarkiv.services.access import journalposts_for
from saksarkiv.services.archive import post_number, record_change
from saksarkiv.services.errors import InvalidInput, NotFound, RecordFinalised

Maate = Avskrivning.Maate
Type = Journalpost.Type

# Krav 3.4.5/3.4.6: what is followed up, and so written off.
FOLLOWED_UP = (Type.INNGAAENDE, Type.NOTAT)
# The method an answering post writes off with: a letter (BU) or a memo (BN, krav 3.4.8).
ANSWER_METHOD = {Type.UTGAAENDE: Maate.BESVART_MED_BREV, Type.NOTAT: Maate.BESVART_MED_NOTAT,
                 Type.NOTAT_UTEN_OPPFOELGING: Maate.BESVART_MED_NOTAT}  # fmt: skip
# With an answering post these also fit: an outgoing post sent as e-mail.
ANSWER_METHODS = (Maate.BESVART_MED_BREV, Maate.BESVART_MED_EPOST, Maate.BESVART_MED_NOTAT)
# Without one (M619's obligatory values, and "the case was closed" for the handler to choose).
CODES = (
    Maate.TATT_TIL_ETTERRETNING,
    Maate.TATT_TIL_ORIENTERING,
    Maate.BESVART_PAA_TELEFON,
    Maate.BESVART_MED_EPOST,
    Maate.SAKEN_AVSLUTTET,
)


def not_written_off(journalposter: QuerySet) -> QuerySet:
    """The followed-up posts among these that no write-off has dealt with (a void post needs none)."""
    return (
        journalposter.filter(journalposttype__in=FOLLOWED_UP)
        .exclude(journalstatus=Journalpost.Status.UTGAAR)
        .filter(avskrivninger__isnull=True)
    )


def units_under(unit: AdministrativEnhet) -> set[int]:
    """The unit and every unit below it (krav 3.4.10: "om underliggende enheter skal inkluderes")."""
    found, level = {unit.pk}, [unit.pk]
    while level:
        level = list(
            AdministrativEnhet.objects.filter(organisation=unit.organisation_id, overordnet__in=level)
            .exclude(pk__in=found)
            .values_list("pk", flat=True)
        )
        found.update(level)
    return found


def restanser(
    viewer: Saksbehandler,
    *,
    saksbehandler: Saksbehandler | None = None,
    unit: AdministrativEnhet | None = None,
) -> QuerySet:
    """The restanse list (krav 3.4.1, 3.4.10-11): the posts the viewer may see that wait for a write-off,
    for one handler and/or one unit with those under it, the earliest due first; `overdue` marks those
    past their forfallsdato."""
    posts = not_written_off(journalposts_for(viewer))
    if saksbehandler is not None:
        posts = posts.filter(saksbehandler=saksbehandler)
    if unit is not None:
        posts = posts.filter(administrativ_enhet__in=units_under(unit))
    return (
        posts.select_related("saksmappe", "saksbehandler__user", "administrativ_enhet")
        .annotate(
            overdue=Case(
                When(forfallsdato__lt=timezone.localdate(), then=True),
                default=False,
                output_field=BooleanField(),
            )
        )
        .order_by(F("forfallsdato").asc(nulls_last=True), "journaldato", "pk")
    )


def _visible(handler: Saksbehandler, journalpost: Journalpost, *, lock: bool = False) -> Journalpost:
    posts = journalposts_for(handler).select_related("saksmappe")
    if lock:
        posts = posts.select_for_update(of=("self",))
    found = posts.filter(pk=journalpost.pk).first()
    if found is None:
        raise NotFound(_("No such journal post."))
    return found


def _require_case_open(saksmappe: Saksmappe) -> None:
    if saksmappe.saksstatus != Saksmappe.Status.UNDER_BEHANDLING:
        raise RecordFinalised(
            _("Case %(number)s is closed; it must be reopened first.") % {"number": saksmappe.saksnummer}
        )


def _require_followed_up(journalpost: Journalpost) -> None:
    if journalpost.journalposttype not in FOLLOWED_UP:
        raise InvalidInput(_("Only incoming posts and internal memos for follow-up are written off."))
    if journalpost.journalstatus == Journalpost.Status.UTGAAR:
        raise InvalidInput(_("Journal post %(number)s is void.") % {"number": post_number(journalpost)})
    if journalpost.journalstatus == Journalpost.Status.ARKIVERT:
        raise RecordFinalised(
            _("Journal post %(number)s is archived.") % {"number": post_number(journalpost)}
        )
    _require_case_open(journalpost.saksmappe)
    written_off = journalpost.avskrivninger.first()
    if written_off is not None:
        raise InvalidInput(
            _("Journal post %(number)s is already written off (%(how)s).")
            % {"number": post_number(journalpost), "how": written_off.get_avskrivningsmaate_display()}
        )


def _require_answer(journalpost: Journalpost, answer: Journalpost) -> None:
    if answer.pk == journalpost.pk or answer.journalposttype not in ANSWER_METHOD:
        raise InvalidInput(_("A journal post is answered by an outgoing post or a memo."))
    if answer.journalstatus == Journalpost.Status.UTGAAR:
        raise InvalidInput(_("Journal post %(number)s is void.") % {"number": post_number(answer)})


def _write_off(journalpost, handler, maate, answer=None, *, request=None) -> Avskrivning:
    avskrivning = Avskrivning.objects.create(
        journalpost=journalpost,
        avskrivningsmaate=maate,
        avskrivningsdato=timezone.localdate(),
        avskrevet_av=handler.user.get_username(),
        referanse_avskrives_av_journalpost=answer,
    )
    record_change(
        "journalpost_written_off",
        handler,
        journalpost,
        request=request,
        avskrivningsmaate=maate,
        avskrevet_av_journalpost=post_number(answer) if answer else "",
        changes={"avskrivningsmaate": [None, maate]},
    )
    return avskrivning


@transaction.atomic
def write_off(
    journalpost: Journalpost,
    handler: Saksbehandler,
    *,
    maate: str | None = None,
    by_journalpost: Journalpost | None = None,
    request=None,
) -> Avskrivning:
    """Write a post off with a code, or by a finalised post that answers it (the method then follows
    from the answer's type unless `maate` says e-mail)."""
    journalpost = _visible(handler, journalpost, lock=True)
    _require_followed_up(journalpost)
    if by_journalpost is None:
        if maate not in CODES:
            raise InvalidInput(_("Choose how the journal post was dealt with."))
        return _write_off(journalpost, handler, maate, request=request)
    answer = _visible(handler, by_journalpost)
    _require_answer(journalpost, answer)
    maate = maate or ANSWER_METHOD[answer.journalposttype]
    if maate not in ANSWER_METHODS:
        raise InvalidInput(_("Choose how the journal post was dealt with."))
    if not answer.is_finalised:
        raise InvalidInput(
            _("Journal post %(answer)s is not finalised yet.") % {"answer": post_number(answer)}
        )
    return _write_off(journalpost, handler, maate, answer, request=request)


@transaction.atomic
def answer(
    journalpost: Journalpost, answering: Journalpost, handler: Saksbehandler, *, request=None
) -> Avskrivning | None:
    """Record that `answering` answers `journalpost`: written off now if the answer is finalised,
    else when it is (None is returned until then)."""
    journalpost = _visible(handler, journalpost, lock=True)
    answering = _visible(handler, answering)
    _require_followed_up(journalpost)
    _require_answer(journalpost, answering)
    if answering.is_finalised:
        return _write_off(
            journalpost, handler, ANSWER_METHOD[answering.journalposttype], answering, request=request
        )
    Kryssreferanse.objects.get_or_create(
        fra_journalpost=answering,
        til_journalpost=journalpost,
        defaults={"opprettet_av": handler.user.get_username()},
    )
    record_change(
        "journalpost_answer_linked", handler, journalpost, request=request, svar=post_number(answering)
    )
    return None


def pending_answers(journalpost: Journalpost) -> QuerySet:
    """The posts named as answering this one (shown while it waits for them to be finalised)."""
    return Journalpost.objects.filter(
        kryssreferanser__til_journalpost=journalpost, journalposttype__in=list(ANSWER_METHOD)
    ).exclude(journalstatus=Journalpost.Status.UTGAAR)


def _settle(links: QuerySet, handler: Saksbehandler, request) -> list[Avskrivning]:
    done, written = [], set()
    links = links.filter(
        fra_journalpost__journalstatus__in=Journalpost.FINALISED,
        fra_journalpost__journalposttype__in=list(ANSWER_METHOD),
        til_journalpost__in=not_written_off(Journalpost.objects.all()),
        til_journalpost__saksmappe__saksstatus=Saksmappe.Status.UNDER_BEHANDLING,
    ).select_related("fra_journalpost", "til_journalpost__saksmappe")
    for link in links.order_by("pk"):
        if link.til_journalpost_id in written:
            continue  # two answers to one post: the first writes it off
        written.add(link.til_journalpost_id)
        method = ANSWER_METHOD[link.fra_journalpost.journalposttype]
        done.append(_write_off(link.til_journalpost, handler, method, link.fra_journalpost, request=request))
    return done


@transaction.atomic
def settle_answers(answering: Journalpost, handler: Saksbehandler, *, request=None) -> list[Avskrivning]:
    """Write off what a now finalised (or dispatched, or journalført) post answers."""
    return _settle(Kryssreferanse.objects.filter(fra_journalpost=answering), handler, request)


@transaction.atomic
def settle_case(saksmappe: Saksmappe, handler: Saksbehandler, *, request=None) -> list[Avskrivning]:
    """Write off the case's posts whose answers are finalised, however they got there."""
    return _settle(Kryssreferanse.objects.filter(til_journalpost__saksmappe=saksmappe), handler, request)


@transaction.atomic
def undo_write_off(journalpost: Journalpost, handler: Saksbehandler, *, request=None) -> Journalpost:
    """Take a write-off back while the case is open and the post not archived: it is a restanse again."""
    journalpost = _visible(handler, journalpost, lock=True)
    avskrivning = journalpost.avskrivninger.select_related("referanse_avskrives_av_journalpost").first()
    if avskrivning is None:
        raise InvalidInput(
            _("Journal post %(number)s is not written off.") % {"number": post_number(journalpost)}
        )
    if journalpost.journalstatus == Journalpost.Status.ARKIVERT:
        raise RecordFinalised(
            _("Journal post %(number)s is archived.") % {"number": post_number(journalpost)}
        )
    _require_case_open(journalpost.saksmappe)
    answering = avskrivning.referanse_avskrives_av_journalpost
    if answering is not None:
        # Else closing the case would write it off again by the same answer.
        Kryssreferanse.objects.filter(fra_journalpost=answering, til_journalpost=journalpost).delete()
    record_change(
        "journalpost_write_off_undone",
        handler,
        journalpost,
        request=request,
        avskrivningsmaate=avskrivning.avskrivningsmaate,
        avskrivningsdato=avskrivning.avskrivningsdato.isoformat(),
        avskrevet_av=avskrivning.avskrevet_av,
        avskrevet_av_journalpost=post_number(answering) if answering else "",
        changes={"avskrivningsmaate": [avskrivning.avskrivningsmaate, None]},
    )
    avskrivning.delete()
    return journalpost
