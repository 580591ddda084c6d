"""Who sees which records: a case handler sees their own organisation's archive, less the records
whose access code (tilgangskode, Public 360's internal access control) they are not granted.

A record without a code is open to the whole organisation. A coded case is seen by its saksansvarlig,
the members of the access groups granting its code, and the organisation's archive leaders; a coded
journal post also by its saksbehandler, and a journal post is hidden when its own code or its case's
code hides it. Agencies' systems act as their organisation's system handler, so a token sees a coded
record only when the organisation puts that handler in a group granting the code.

Every list, count, search, lookup and export of cases and journal posts, in the admin, the API and
the dashboard, starts from cases_for and journalposts_for, so that a rule added here holds everywhere.
Each is one query: the granted codes are a subquery, never a loop over rows."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core import audit
from saksarkiv.models import (
    Dokumentbeskrivelse,
    Journalpost,
    Saksbehandler,
    Saksmappe,
    Tilgangsgruppe,
    Tilgangskode,
)
from saksarkiv.services.errors import InvalidInput, NotFound, SaksarkivError

DENIED_ACTION = "saksarkiv.access_denied"
CODE_SAVED_ACTION = "saksarkiv.tilgangskode_saved"
GROUP_SAVED_ACTION = "saksarkiv.tilgangsgruppe_saved"


class NotArchiveLeader(SaksarkivError):
    code = "not_archive_leader"


def handler_for(user) -> Saksbehandler:
    handler = Saksbehandler.objects.select_related("organisation", "user").filter(user=user).first()
    if handler is None:
        raise NotFound(_("You are not registered as a case handler for any organisation."))
    return handler


def granted_codes(handler: Saksbehandler):
    """The access codes the handler's groups grant, as a subquery of their ids."""
    return Tilgangskode.objects.filter(
        organisation=handler.organisation_id,
        grupper__organisation=handler.organisation_id,
        grupper__medlemmer=handler,
    ).values("pk")


def _open_to(handler: Saksbehandler, prefix: str, *owners: str) -> Q:
    """The record at `prefix` carries no code, a code the handler is granted, or the handler is one
    of its `owners` (the saksansvarlig, the saksbehandler)."""
    rule = Q(**{f"{prefix}tilgangskode__isnull": True}) | Q(
        **{f"{prefix}tilgangskode__in": granted_codes(handler)}
    )
    for owner in owners:
        rule |= Q(**{owner: handler})
    return rule


def _organisation_cases(handler: Saksbehandler):
    return Saksmappe.objects.filter(arkivdel__arkiv__organisation=handler.organisation_id)


def _organisation_journalposts(handler: Saksbehandler):
    return Journalpost.objects.filter(saksmappe__arkivdel__arkiv__organisation=handler.organisation_id)


def cases_for(handler: Saksbehandler):
    """The cases a handler may see: their own organisation's, less those coded against them."""
    cases = _organisation_cases(handler)
    if handler.arkivleder:
        return cases
    return cases.filter(_open_to(handler, "", "saksansvarlig"))


def journalposts_for(handler: Saksbehandler):
    """The journal posts a handler may see: neither the post's code nor its case's hides it."""
    journalposts = _organisation_journalposts(handler)
    if handler.arkivleder:
        return journalposts
    return journalposts.filter(
        _open_to(handler, "", "saksbehandler", "saksmappe__saksansvarlig"),
        _open_to(handler, "saksmappe__", "saksmappe__saksansvarlig"),
    )


def dokumenter_for(handler: Saksbehandler):
    """The documents of the journal posts the handler may see."""
    return Dokumentbeskrivelse.objects.filter(journalpost__in=journalposts_for(handler))


def _found(visible, hidden, handler: Saksbehandler, request, lookup: dict, missing: str):
    """The one record `lookup` names among the visible ones. A record that exists in the
    organisation but is coded against the handler answers exactly as a missing one does, and the
    attempt is a security event in the audit trail."""
    try:
        found = visible.filter(**lookup).first()
    except (ValueError, ValidationError):
        raise NotFound(missing) from None
    if found is not None:
        return found
    denied = hidden.filter(**lookup).first()
    if denied is not None:
        audit.record(
            DENIED_ACTION,
            actor=handler.user,
            request=request,
            obj=denied,
            outcome=audit.Outcome.DENIED,
            details={
                "organisation": handler.organisation.organisasjonsnummer,
                "tilgangskode": _code_of(denied),
            },
        )
    raise NotFound(missing)


def _code_of(record) -> str:
    if isinstance(record, Dokumentbeskrivelse):
        record = record.journalpost
    if record.tilgangskode is not None:
        return record.tilgangskode.kode
    case = getattr(record, "saksmappe", None)
    return case.tilgangskode.kode if case is not None and case.tilgangskode is not None else ""


def get_case(handler: Saksbehandler, *, request=None, select: tuple[str, ...] = (), **lookup) -> Saksmappe:
    """The case `lookup` names (pk=..., system_id=...), if the handler may see it."""
    return _found(
        cases_for(handler).select_related(*select),
        _organisation_cases(handler).select_related("tilgangskode"),
        handler,
        request,
        lookup,
        _("No such case."),
    )


def get_journalpost(
    handler: Saksbehandler, pk=None, *, request=None, select: tuple[str, ...] = ("saksmappe",), **lookup
) -> Journalpost:
    """The journal post `pk` (or `lookup`, such as system_id=...), if the handler may see it."""
    if pk is not None:
        lookup["pk"] = pk
    return _found(
        journalposts_for(handler).select_related(*select),
        _organisation_journalposts(handler).select_related("tilgangskode", "saksmappe__tilgangskode"),
        handler,
        request,
        lookup,
        _("No such journal post."),
    )


def get_dokument(
    handler: Saksbehandler, *, request=None, select: tuple[str, ...] = (), **lookup
) -> Dokumentbeskrivelse:
    """The document `lookup` names, if the handler may see its journal post."""
    return _found(
        dokumenter_for(handler).select_related(*select),
        Dokumentbeskrivelse.objects.filter(
            journalpost__in=_organisation_journalposts(handler)
        ).select_related("journalpost__tilgangskode", "journalpost__saksmappe__tilgangskode"),
        handler,
        request,
        lookup,
        _("No such document."),
    )


def _require_archive_leader(handler: Saksbehandler) -> None:
    if not handler.arkivleder:
        raise NotArchiveLeader(_("Only an archive leader may change access codes and access groups."))


def codes_of(handler: Saksbehandler):
    """The organisation's access codes."""
    return Tilgangskode.objects.filter(organisation=handler.organisation_id)


def groups_of(handler: Saksbehandler):
    """The organisation's access groups."""
    return Tilgangsgruppe.objects.filter(organisation=handler.organisation_id)


def members_of(handler: Saksbehandler):
    """Who may be put in the organisation's access groups: its case handlers, the system handler
    its agency systems act as among them."""
    return Saksbehandler.objects.filter(organisation=handler.organisation_id).select_related("user")


def check_tilgangskode(
    handler: Saksbehandler, *, tilgangskode: Tilgangskode | None, kode: str, navn: str
) -> tuple[str, str]:
    """Refuse what save_tilgangskode would refuse; returns the code and name as they are kept."""
    _require_archive_leader(handler)
    kode, navn = kode.strip().upper(), navn.strip()
    if not kode or not navn:
        raise InvalidInput(_("An access code needs a code and a name."))
    if tilgangskode is not None and tilgangskode.organisation_id != handler.organisation_id:
        raise NotFound(_("No such access code in your organisation."))
    if _taken(codes_of(handler).filter(kode=kode), tilgangskode):
        raise InvalidInput(_("Your organisation already has the access code %(code)s.") % {"code": kode})
    return kode, navn


@transaction.atomic
def save_tilgangskode(
    handler: Saksbehandler,
    *,
    tilgangskode: Tilgangskode | None = None,
    kode: str,
    navn: str,
    tilgangsrestriksjon: str = "",
    skjermingshjemmel: str = "",
    request=None,
) -> Tilgangskode:
    """An archive leader creates or changes one of the organisation's access codes."""
    kode, navn = check_tilgangskode(handler, tilgangskode=tilgangskode, kode=kode, navn=navn)
    if tilgangskode is not None:
        # As stored: a form may already have changed the instance it hands over.
        tilgangskode = codes_of(handler).select_for_update().get(pk=tilgangskode.pk)
    before = {} if tilgangskode is None else _code_fields(tilgangskode)
    tilgangskode = tilgangskode or Tilgangskode(organisation=handler.organisation)
    tilgangskode.kode, tilgangskode.navn = kode, navn
    tilgangskode.tilgangsrestriksjon = tilgangsrestriksjon.strip()
    tilgangskode.skjermingshjemmel = skjermingshjemmel.strip()
    tilgangskode.save()
    _audit_saved(CODE_SAVED_ACTION, handler, tilgangskode, before, _code_fields(tilgangskode), request)
    return tilgangskode


def _taken(same_value, instance) -> bool:
    """Whether another record than `instance` (None: a new one) already has the value."""
    if instance is not None:
        same_value = same_value.exclude(pk=instance.pk)
    return same_value.exists()


def _audit_saved(action: str, handler: Saksbehandler, obj, before: dict, after: dict, request) -> None:
    audit.record(
        action,
        actor=handler.user,
        request=request,
        obj=obj,
        details={"organisation": handler.organisation.organisasjonsnummer, "old": before, "new": after},
    )


def _code_fields(tilgangskode: Tilgangskode) -> dict:
    return {
        "kode": tilgangskode.kode,
        "navn": tilgangskode.navn,
        "tilgangsrestriksjon": tilgangskode.tilgangsrestriksjon,
        "skjermingshjemmel": tilgangskode.skjermingshjemmel,
    }


def check_tilgangsgruppe(
    handler: Saksbehandler, *, gruppe: Tilgangsgruppe | None, navn: str, tilgangskoder, medlemmer
) -> str:
    """Refuse what save_tilgangsgruppe would refuse; returns the name as it is kept."""
    _require_archive_leader(handler)
    navn = navn.strip()
    if not navn:
        raise InvalidInput(_("An access group needs a name."))
    if gruppe is not None and gruppe.organisation_id != handler.organisation_id:
        raise NotFound(_("No such access group in your organisation."))
    if any(code.organisation_id != handler.organisation_id for code in tilgangskoder) or any(
        member.organisation_id != handler.organisation_id for member in medlemmer
    ):
        raise InvalidInput(
            _("An access group grants only your own organisation's codes to its own handlers.")
        )
    if _taken(groups_of(handler).filter(navn=navn), gruppe):
        raise InvalidInput(
            _("Your organisation already has an access group named %(name)s.") % {"name": navn}
        )
    return navn


@transaction.atomic
def save_tilgangsgruppe(
    handler: Saksbehandler,
    *,
    gruppe: Tilgangsgruppe | None = None,
    navn: str,
    tilgangskoder,
    medlemmer,
    request=None,
) -> Tilgangsgruppe:
    """An archive leader creates or changes an access group: the codes it grants and its members.
    Who may see which coded records changes with it, so the old and new grants are audited."""
    navn = check_tilgangsgruppe(
        handler, gruppe=gruppe, navn=navn, tilgangskoder=tilgangskoder, medlemmer=medlemmer
    )
    if gruppe is not None:
        gruppe = groups_of(handler).select_for_update().get(pk=gruppe.pk)
    before = {} if gruppe is None else _group_fields(gruppe)
    gruppe = gruppe or Tilgangsgruppe(organisation=handler.organisation)
    gruppe.navn = navn
    gruppe.save()
    gruppe.tilgangskoder.set(tilgangskoder)
    gruppe.medlemmer.set(medlemmer)
    _audit_saved(GROUP_SAVED_ACTION, handler, gruppe, before, _group_fields(gruppe), request)
    return gruppe


def _group_fields(gruppe: Tilgangsgruppe) -> dict:
    return {
        "navn": gruppe.navn,
        "tilgangskoder": sorted(gruppe.tilgangskoder.values_list("kode", flat=True)),
        "medlemmer": sorted(gruppe.medlemmer.values_list("user__username", flat=True)),
    }
