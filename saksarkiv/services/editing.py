"""The in-place edits allowed before a record is finalised (titles and screening only), and the
screening rows records share. Any later change is a new document version."""

from django.db import transaction
from django.utils.translation import gettext as _

from saksarkiv.models import Journalpost, Saksbehandler, Saksmappe, Skjerming
from saksarkiv.services.access import cases_for, journalposts_for
from saksarkiv.services.archive import record_change, require_editable
from saksarkiv.services.changes import change_details, changes_between, snapshot
from saksarkiv.services.errors import InvalidInput, NotFound, RecordFinalised

# The fields a caller may change in place, as the models name them.
EDITABLE_FIELDS = ("tittel", "offentlig_tittel", "skjerming")


def screening(
    *, tilgangsrestriksjon: str, skjermingshjemmel: str, skjerming_metadata: list[str]
) -> Skjerming:
    """The screening row with these values, shared by every record screened the same way."""
    if not tilgangsrestriksjon.strip() or not skjermingshjemmel.strip():
        raise InvalidInput(_("A screening needs an access restriction code and a legal basis."))
    codes = set()
    for field in skjerming_metadata:
        codes.update(Skjerming.ALIASES.get(field, (field,)))
    unknown = codes - set(Skjerming.Metadata.values)
    if unknown:
        raise InvalidInput(
            _("%(fields)s cannot be screened; choose from %(choices)s.")
            % {
                "fields": ", ".join(sorted(unknown)),
                "choices": ", ".join([*Skjerming.Metadata.values, *Skjerming.ALIASES]),
            }
        )
    found, _created = Skjerming.objects.get_or_create(
        tilgangsrestriksjon=tilgangsrestriksjon.strip(),
        skjermingshjemmel=skjermingshjemmel.strip(),
        skjerming_metadata=sorted(codes),
    )
    return found


def _apply(record, changes: dict) -> dict[str, list]:
    """Set the changed fields on the record; returns {field: [old, new]} of those that changed."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            _("Only the title, the public title and the screening can be changed, not %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    for field in ("tittel", "offentlig_tittel"):
        if field in changes:
            if not changes[field].strip():
                raise InvalidInput(_("The title and the public title cannot be empty."))
            changes[field] = changes[field].strip()
    if "tittel" in changes and "offentlig_tittel" not in changes and record.offentlig_tittel == record.tittel:
        # A public title left equal to the title (nothing blanked out) follows it. Left behind,
        # the old title would differ from the new one and pass for a blanked-out public title
        # in the public journal, though the title is screened.
        changes["offentlig_tittel"] = changes["tittel"]
    before = snapshot(record, changes)
    for field, value in changes.items():
        setattr(record, field, value)
    return changes_between(before, record)


@transaction.atomic
def update_saksmappe(saksmappe: Saksmappe, handler: Saksbehandler, *, request=None, **changes) -> Saksmappe:
    saksmappe = cases_for(handler).select_for_update(of=("self",)).filter(pk=saksmappe.pk).first()
    if saksmappe is None:
        raise NotFound(_("No such case."))
    if saksmappe.saksstatus != Saksmappe.Status.UNDER_BEHANDLING:
        raise RecordFinalised(
            _("Case %(number)s is %(status)s and cannot be changed.")
            % {"number": saksmappe.saksnummer, "status": saksmappe.get_saksstatus_display().lower()}
        )
    changed = _apply(saksmappe, changes)
    if changed:
        saksmappe.save(update_fields=list(changed))
        record_change(
            "case_changed", handler, saksmappe, request=request, fields=list(changed),
            **change_details(saksmappe, changed),
        )  # fmt: skip
    return saksmappe


@transaction.atomic
def update_journalpost(
    journalpost: Journalpost, handler: Saksbehandler, *, request=None, **changes
) -> Journalpost:
    journalpost = (
        journalposts_for(handler)
        .select_for_update(of=("self",))
        .select_related("saksmappe")
        .filter(pk=journalpost.pk)
        .first()
    )
    if journalpost is None:
        raise NotFound(_("No such journal post."))
    require_editable(journalpost)
    changed = _apply(journalpost, changes)
    if changed:
        journalpost.save(update_fields=list(changed))
        record_change(
            "journalpost_changed", handler, journalpost, request=request, fields=list(changed),
            **change_details(journalpost, changed),
        )  # fmt: skip
    return journalpost
