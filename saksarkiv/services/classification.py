"""Classification: an archive's classification systems (the standard's types: function-based FH,
subject-based EH/E1, KS's K-koder KK, gbnr GBN, identity number PNR...), their hierarchical classes,
and a case's secondary classes.

For the object-based systems GBN and PNR a class is made when a case is first classified by that
property or person, with its klasseID checked; a PNR class is screened (skjermingMetadata KID and
TKL, offentleglova § 26 femte ledd) so that the number never reaches the public journal."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit as core_audit
from folkeregister.identity import parse_identity_number
from saksarkiv.models import Kassasjon, Klasse, Klassifikasjonssystem, Saksbehandler, Saksmappe
from saksarkiv.services.access import cases_for
from saksarkiv.services.archive import ensure_arkiv
from saksarkiv.services.changes import changes_between, snapshot, value
from saksarkiv.services.editing import screening
from saksarkiv.services.errors import InvalidInput, NotFound, RecordFinalised
from saksarkiv.services.structure import StructureAction, audit, require_arkivleder

# Gårdsnummer/bruksnummer, optionally /festenummer and /seksjonsnummer: "12/345", "12/345/0/2".
GBNR = re.compile(r"^(\d{1,5})/(\d{1,5})(?:/(\d{1,4}))?(?:/(\d{1,4}))?$")
# The screening of a class made from an identity number: offentleglova § 26 femte ledd lets the
# identity number be kept out of what is public; the class ID and its title are screened.
PNR_SCREENING = {
    "tilgangsrestriksjon": "26",
    "skjermingshjemmel": "Offl. § 26 femte ledd",
    "skjerming_metadata": ["KID", "TKL"],
}
OBJECT_TYPES = (Klassifikasjonssystem.Type.GBN, Klassifikasjonssystem.Type.FOEDSELSNUMMER)


def _own_system(handler: Saksbehandler, system: Klassifikasjonssystem) -> None:
    if system.arkiv.organisation_id != handler.organisation_id:
        raise NotFound(_("No such classification system in your archive."))


@transaction.atomic
def create_system(
    handler: Saksbehandler, *, tittel: str, klassifikasjonstype: str, beskrivelse: str = "", request=None
) -> Klassifikasjonssystem:
    require_arkivleder(handler)
    if not tittel.strip():
        raise InvalidInput(_("A classification system needs a title."))
    if klassifikasjonstype not in Klassifikasjonssystem.Type.values:
        raise InvalidInput(
            _("Choose a classification type from %(types)s.")
            % {"types": ", ".join(Klassifikasjonssystem.Type.values)}
        )
    system = Klassifikasjonssystem.objects.create(
        arkiv=ensure_arkiv(handler.organisation),
        tittel=tittel.strip(),
        beskrivelse=beskrivelse.strip(),
        klassifikasjonstype=klassifikasjonstype,
        opprettet_av=handler.user.get_username(),
    )
    audit(StructureAction.SYSTEM_CREATED, handler, system, request=request, tittel=system.tittel)
    return system


def validate_class(
    system: Klassifikasjonssystem, klasse_id: str, tittel: str, forelder: Klasse | None
) -> str:
    klasse_id = klasse_id.strip()
    if not klasse_id or not tittel.strip():
        raise InvalidInput(_("A class needs a class ID and a title."))
    if forelder is not None and forelder.klassifikasjonssystem_id != system.pk:
        raise InvalidInput(_("The parent class belongs to another classification system."))
    if system.klasser.filter(klasse_id=klasse_id).exists():
        raise InvalidInput(
            _("Class %(id)s exists already in %(system)s.") % {"id": klasse_id, "system": system.tittel}
        )
    return klasse_id


@transaction.atomic
def add_class(
    system: Klassifikasjonssystem,
    handler: Saksbehandler,
    *,
    klasse_id: str,
    tittel: str,
    forelder: Klasse | None = None,
    kassasjon: Kassasjon | None = None,
    request=None,
) -> Klasse:
    require_arkivleder(handler)
    _own_system(handler, system)
    klasse_id = validate_class(system, klasse_id, tittel, forelder)
    klasse = Klasse.objects.create(
        klassifikasjonssystem=system,
        forelder=forelder,
        klasse_id=klasse_id,
        tittel=tittel.strip(),
        kassasjon=kassasjon,
        opprettet_av=handler.user.get_username(),
    )
    audit(StructureAction.CLASS_CREATED, handler, klasse, request=request, klasse_id=klasse_id)
    return klasse


def validate_parent(klasse: Klasse, forelder: Klasse | None) -> None:
    if forelder is not None and forelder.klassifikasjonssystem_id != klasse.klassifikasjonssystem_id:
        raise InvalidInput(_("The parent class belongs to another classification system."))
    ancestor, seen = forelder, set()
    while ancestor is not None:
        if ancestor.pk == klasse.pk or ancestor.pk in seen:
            raise InvalidInput(_("A class cannot be placed under itself or one of its own subclasses."))
        seen.add(ancestor.pk)
        ancestor = ancestor.forelder


@transaction.atomic
def move_class(klasse: Klasse, handler: Saksbehandler, *, forelder: Klasse | None, request=None) -> Klasse:
    """Place a class under another of the same system; never under itself or its own subclasses."""
    require_arkivleder(handler)
    _own_system(handler, klasse.klassifikasjonssystem)
    validate_parent(klasse, forelder)
    old = klasse.forelder
    if old != forelder:
        klasse.forelder = forelder
        klasse.save(update_fields=["forelder"])
        audit(
            StructureAction.CLASS_MOVED,
            handler,
            klasse,
            request=request,
            changes={"forelder": [value(old), value(forelder)]},
        )
    return klasse


def depth(klasse: Klasse) -> int:
    level, seen = 0, {klasse.pk}
    parent = klasse.forelder
    while parent is not None and parent.pk not in seen:
        seen.add(parent.pk)
        level, parent = level + 1, parent.forelder
    return level


def tree(system: Klassifikasjonssystem) -> list[tuple[Klasse, int]]:
    """The system's classes in tree order (each after its parent, siblings by class ID), with depth."""
    classes = list(system.klasser.order_by("klasse_id"))
    children: dict[int | None, list[Klasse]] = {}
    for klasse in classes:
        children.setdefault(klasse.forelder_id, []).append(klasse)
    ordered: list[tuple[Klasse, int]] = []
    stack = [(klasse, 0) for klasse in reversed(children.get(None, []))]
    while stack:
        klasse, level = stack.pop()
        ordered.append((klasse, level))
        stack.extend((child, level + 1) for child in reversed(children.get(klasse.pk, [])))
    return ordered


def _object_class(system: Klassifikasjonssystem, value: str, by: str) -> Klasse:
    """The class of a gbnr or an identity number, made on first use; its klasseID checked."""
    value = value.strip()
    if system.klassifikasjonstype == Klassifikasjonssystem.Type.GBN:
        match = GBNR.match(value.replace(" ", ""))
        if match is None:
            raise InvalidInput(
                _(
                    "Write the property as gårdsnummer/bruksnummer in digits, for example 12/345 (or 12/345/0/2)."
                )
            )
        numbers = [int(part) for part in match.groups() if part is not None]
        klasse_id = "/".join(str(number) for number in numbers)
        tittel = _("Gnr. %(gnr)s bnr. %(bnr)s") % {"gnr": numbers[0], "bnr": numbers[1]}
        skjerming = None
    else:
        try:
            number = parse_identity_number(value)
        except ValidationError as error:
            raise InvalidInput(error.messages[0]) from None
        klasse_id, tittel = number.number, number.masked
        skjerming = screening(**PNR_SCREENING)
    klasse, _created = Klasse.objects.get_or_create(
        klassifikasjonssystem=system,
        klasse_id=klasse_id,
        defaults={"tittel": tittel, "skjerming": skjerming, "opprettet_av": by},
    )
    return klasse


@transaction.atomic
def classify_secondarily(
    saksmappe: Saksmappe, handler: Saksbehandler, *, system: Klassifikasjonssystem, value: str, request=None
) -> Klasse:
    """Give an open case a secondary class from one of its archive part's secondary systems: an
    existing class ID, or for GBN and PNR systems the gbnr or identity number itself."""
    saksmappe = cases_for(handler).select_related("arkivdel").filter(pk=saksmappe.pk).first()
    if saksmappe is None:
        raise NotFound(_("No such case."))
    if saksmappe.saksstatus != Saksmappe.Status.UNDER_BEHANDLING:
        raise RecordFinalised(_("Case %(number)s is closed.") % {"number": saksmappe.saksnummer})
    _own_system(handler, system)
    if not saksmappe.arkivdel.sekundaere_klassifikasjonssystemer.filter(pk=system.pk).exists():
        raise InvalidInput(
            _("%(system)s is not a secondary classification system of %(part)s.")
            % {"system": system.tittel, "part": saksmappe.arkivdel.tittel}
        )
    if system.klassifikasjonstype in OBJECT_TYPES:
        klasse = _object_class(system, value, handler.user.get_username())
    else:
        klasse = system.klasser.filter(klasse_id=value.strip()).first()
        if klasse is None:
            raise NotFound(
                _("No class %(id)s in %(system)s.") % {"id": value.strip(), "system": system.tittel}
            )
    if saksmappe.sekundaerklasser.filter(pk=klasse.pk).exists():
        return klasse
    _change_secondary(saksmappe, handler, klasse, StructureAction.CASE_CLASSIFIED, request=request)
    return klasse


@transaction.atomic
def remove_secondary_class(
    saksmappe: Saksmappe, handler: Saksbehandler, *, klasse: Klasse, request=None
) -> None:
    saksmappe = cases_for(handler).filter(pk=saksmappe.pk).first()
    if saksmappe is None or not saksmappe.sekundaerklasser.filter(pk=klasse.pk).exists():
        raise NotFound(_("No such secondary class on the case."))
    if saksmappe.saksstatus != Saksmappe.Status.UNDER_BEHANDLING:
        raise RecordFinalised(_("Case %(number)s is closed.") % {"number": saksmappe.saksnummer})
    _change_secondary(saksmappe, handler, klasse, StructureAction.CASE_UNCLASSIFIED, request=request)


def _change_secondary(
    saksmappe: Saksmappe, handler: Saksbehandler, klasse: Klasse, action, *, request
) -> None:
    """Add (CASE_CLASSIFIED) or remove (CASE_UNCLASSIFIED) a secondary class, with the change audited."""
    change = {
        StructureAction.CASE_CLASSIFIED: saksmappe.sekundaerklasser.add,
        StructureAction.CASE_UNCLASSIFIED: saksmappe.sekundaerklasser.remove,
    }[action]
    before = snapshot(saksmappe, ["sekundaerklasser"])
    change(klasse)
    audit(
        action,
        handler,
        saksmappe,
        request=request,
        klasse=klasse.pk,
        changes=changes_between(before, saksmappe),
    )


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def import_classes(
    system: Klassifikasjonssystem, rows: Iterable[tuple[str, str, str]], *, by: str
) -> ImportResult:
    """Load a classification key (klasseID, tittel, forelder's klasseID) into a system, all or nothing.
    A class already there keeps its place and gets the file's title; a parent may come later in the
    file; a row whose parent is nowhere, or that would put a class under itself, stops the import."""
    wanted: dict[str, tuple[str, str]] = {}
    problems = []
    for line, (klasse_id, tittel, forelder) in enumerate(rows, start=1):
        klasse_id, tittel, forelder = klasse_id.strip(), tittel.strip(), forelder.strip()
        if not klasse_id or not tittel:
            problems.append(_("Line %(line)d: a class needs a class ID and a title.") % {"line": line})
        elif klasse_id in wanted:
            problems.append(
                _("Line %(line)d: class %(id)s is listed twice.") % {"line": line, "id": klasse_id}
            )
        elif forelder == klasse_id:
            problems.append(
                _("Line %(line)d: class %(id)s is its own parent.") % {"line": line, "id": klasse_id}
            )
        else:
            wanted[klasse_id] = (tittel, forelder)
    existing = {klasse.klasse_id: klasse for klasse in system.klasser.all()}
    for klasse_id, (_tittel, forelder) in wanted.items():
        if forelder and forelder not in wanted and forelder not in existing:
            problems.append(_("Class %(id)s: parent %(parent)s is not in the file or the system.")
                            % {"id": klasse_id, "parent": forelder})  # fmt: skip
    for klasse_id in wanted:
        seen, parent = {klasse_id}, wanted[klasse_id][1]
        while parent:
            if parent in seen:
                problems.append(_("Class %(id)s: the parents make a loop.") % {"id": klasse_id})
                break
            seen.add(parent)
            parent = wanted[parent][1] if parent in wanted else ""
    if problems:
        raise InvalidInput(" ".join(problems[:20]))
    created = updated = 0
    for klasse_id, (tittel, _forelder) in wanted.items():
        klasse = existing.get(klasse_id)
        if klasse is None:
            existing[klasse_id] = Klasse.objects.create(
                klassifikasjonssystem=system, klasse_id=klasse_id, tittel=tittel, opprettet_av=by
            )
            created += 1
        elif klasse.tittel != tittel:
            klasse.tittel = tittel
            klasse.save(update_fields=["tittel"])
            updated += 1
    for klasse_id, (_tittel, forelder) in wanted.items():
        klasse = existing[klasse_id]
        parent = existing[forelder] if forelder else None
        if klasse.forelder_id != (parent.pk if parent else None):
            klasse.forelder = parent
            klasse.save(update_fields=["forelder"])
    result = ImportResult(created=created, updated=updated, unchanged=len(wanted) - created - updated)
    core_audit.record(
        "saksarkiv.classes_imported",
        actor=by,
        obj=system,
        details={"organisation": system.arkiv.organisation.organisasjonsnummer, **result.__dict__},
    )
    return result


def read_key(lines: Iterable[str]) -> list[tuple[str, str, str]]:
    """The rows of a classification key file: `klasseID;tittel;forelder`, UTF-8, one class a line;
    lines starting with # (the file's source and version) and the header line are skipped."""
    rows = []
    for number, line in enumerate(lines, start=1):
        text = line.lstrip("\ufeff").rstrip("\r\n")
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        fields = text.split(";")
        if len(fields) == 2:
            fields.append("")
        if len(fields) != 3:
            raise InvalidInput(
                _("Line %(line)d: write klasseID;tittel;forelder (three fields with semicolons).")
                % {"line": number}
            )
        if [field.strip().lower() for field in fields] == ["klasseid", "tittel", "forelder"]:
            continue
        rows.append((fields[0], fields[1], fields[2]))
    if not rows:
        raise InvalidInput(_("The file holds no classes."))
    return rows


@transaction.atomic
def load_key(
    organisation, rows: Iterable[tuple[str, str, str]], *, tittel: str, klassifikasjonstype: str, by: str
) -> tuple[Klassifikasjonssystem, ImportResult]:
    """Load a key into the organisation's classification system of that title, made if missing."""
    if klassifikasjonstype not in Klassifikasjonssystem.Type.values:
        raise InvalidInput(
            _("Choose a classification type from %(types)s.")
            % {"types": ", ".join(Klassifikasjonssystem.Type.values)}
        )
    if not tittel.strip():
        raise InvalidInput(_("A classification system needs a title."))
    arkiv = ensure_arkiv(organisation)
    system, _created = Klassifikasjonssystem.objects.get_or_create(
        arkiv=arkiv,
        tittel=tittel.strip(),
        defaults={"klassifikasjonstype": klassifikasjonstype, "opprettet_av": by},
    )
    return system, import_classes(system, rows, by=by)
