"""The deposit (arkivuttrekk, avlevering) of a closed archive part to the archive depot, as Noark 5 v5.0
(kapittel 6.4) and Arkivverket's test tool Arkade expect the package:

    arkivuttrekk.xml  addml.xsd            the package described in ADDML 8.3, with SHA-256 checksums and counts
    arkivstruktur.xml arkivstruktur.xsd    the records, metadatakatalog.xsd beside every Noark 5 schema
    endringslogg.xml  endringslogg.xsd     the changes to their metadata, from the audit trail
    loependeJournal.xml  offentligJournal.xml  (+ .xsd)   the journal reports for the period
    dokumenter/                            the documents in archival format

Every XML file is validated against Arkivverket's schemas (saksarkiv/schemas) before the package is declared
done. The package is written into a temporary folder beside the target and renamed into place only when it is
whole; anything that fails leaves nothing behind. What may be deposited, and what stops a deposit, is in
selection.py."""

import hashlib
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from django.utils.translation import gettext as _

from core import audit
from saksarkiv.models import (
    Arkivdel,
    Dokumentbeskrivelse,
    Klasse,
    Klassifikasjonssystem,
    Saksbehandler,
)
from saksarkiv.services.deposit import addml, arkivstruktur, endringslogg, journals
from saksarkiv.services.deposit.selection import DepositError, Selection, select
from saksarkiv.services.deposit.xml import SCHEMA_DIR, schema_errors

__all__ = ["DepositError", "DepositResult", "make_deposit", "write_zip"]

# Each XML file, the schema it is validated against, and the schemas that travel with it.
MAIN_SCHEMAS = {
    "arkivstruktur.xml": "arkivstruktur.xsd",
    "endringslogg.xml": "endringslogg.xsd",
    "loependeJournal.xml": "loependeJournal.xsd",
    "offentligJournal.xml": "offentligJournal.xsd",
    "arkivuttrekk.xml": "addml.xsd",
}
SCHEMAS = (*MAIN_SCHEMAS.values(), "metadatakatalog.xsd")
# Felles periodises with an overlapping period: a case still open when a part closes moves on to its
# successor (mykt periodeskille).
PERIODESKILLE = "mykt"
DEPOSIT_ACTION = "saksarkiv.deposit_made"


@dataclass(frozen=True)
class DepositResult:
    """A finished package: where it is, what it holds, and each file's SHA-256 (documents excepted)."""

    path: Path
    arkivdel: Arkivdel
    start: date
    end: date
    mapper: int
    registreringer: int
    endringer: int
    loepende_journalposter: int
    offentlige_journalposter: int
    dokumentfiler: int
    checksums: dict[str, str]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _entities(selection: Selection, written: arkivstruktur.Written) -> list[endringslogg.Entity]:
    """The deposited records as the audit trail names them, with their systemIDs."""
    arkivdel = selection.arkivdel
    sources = (
        ("saksarkiv.arkiv", [(arkivdel.arkiv_id, arkivdel.arkiv.system_id)]),
        ("saksarkiv.arkivdel", [(arkivdel.pk, arkivdel.system_id)]),
        (
            "saksarkiv.klassifikasjonssystem",
            Klassifikasjonssystem.objects.filter(arkiv=arkivdel.arkiv).values_list("pk", "system_id"),
        ),
        (
            "saksarkiv.klasse",
            Klasse.objects.filter(klassifikasjonssystem__arkiv=arkivdel.arkiv).values_list("pk", "system_id"),
        ),
        ("saksarkiv.saksmappe", selection.saksmapper().values_list("pk", "system_id")),
        ("saksarkiv.journalpost", selection.journalposter().values_list("pk", "system_id")),
        (
            "saksarkiv.dokumentbeskrivelse",
            Dokumentbeskrivelse.objects.filter(journalpost__in=selection.journalposter()).values_list(
                "pk", "system_id"
            ),
        ),
    )
    return [
        endringslogg.Entity(object_type, pk, str(system_id))
        for object_type, rows in sources
        for pk, system_id in rows
        if str(system_id) in written.system_ids
    ]


def _head(selection: Selection, *, public: bool) -> journals.Head:
    arkiv = selection.arkivdel.arkiv
    creators = tuple(arkiv.arkivskapere.order_by("pk").values_list("arkivskaper_id", "arkivskaper_navn")) or (
        (arkiv.organisation.organisasjonsnummer, arkiv.organisation.name_nb),
    )
    seleksjon = (
        f"Journalposter i saksmapper i arkivdelen «{selection.arkivdel.tittel}» avsluttet fra og med "
        f"{selection.start.isoformat()} til og med {selection.end.isoformat()}"
    )
    if public:
        seleksjon += ", slik de står i den offentlige journalen (uten journalposter som utgår)"
    return journals.Head(selection.start, selection.end, seleksjon, creators)


def _check(folder: Path) -> None:
    problems = []
    for xml_name, schema_name in MAIN_SCHEMAS.items():
        problems.extend(schema_errors(folder / xml_name, schema_name))
    if problems:
        raise DepositError(_("The deposit does not validate against Arkivverket's schemas:"), problems)


def _write(selection: Selection, folder: Path) -> DepositResult:
    for schema_name in SCHEMAS:
        shutil.copyfile(SCHEMA_DIR / schema_name, folder / schema_name)
    written = arkivstruktur.write(selection, folder)
    changes = endringslogg.write(folder / "endringslogg.xml", _entities(selection, written))
    if not changes:
        # endringslogg.xsd needs at least one change; closing and archiving records are changes.
        raise DepositError(
            _("The audit trail holds no change to the deposited records, so there is no change log.")
        )
    loepende = journals.write_loepende(
        folder / "loependeJournal.xml", selection, _head(selection, public=False)
    )
    offentlige = journals.write_offentlig(
        folder / "offentligJournal.xml", selection, _head(selection, public=True)
    )
    checksums = {
        name: sha256(folder / name) for name in (*MAIN_SCHEMAS, *SCHEMAS) if name != "arkivuttrekk.xml"
    }
    counts = {
        "arkivstruktur.xml": (("mappe", written.mapper), ("registrering", written.registreringer)),
        "endringslogg.xml": (("endring", changes),),
        "loependeJournal.xml": (("journalregistrering", loepende),),
        "offentligJournal.xml": (("journalregistrering", offentlige),),
    }
    arkiv = selection.arkivdel.arkiv
    addml.write(
        folder / "arkivuttrekk.xml",
        addml.Description(
            record_creators=tuple(creator for _id, creator in _head(selection, public=False).arkivskapere),
            archive=arkiv.tittel,
            start=selection.start,
            end=selection.end,
            inngaaende_skille=PERIODESKILLE,
            utgaaende_skille=PERIODESKILLE,
            skjermet=written.skjermet,
            # Felles carries out no disposal (no utfoertKassasjon): nothing in a deposit has been destroyed.
            kassert=False,
            skal_kasseres=written.skal_kasseres,
            antall_dokumentfiler=written.dokumentfiler,
            files=tuple(
                addml.XmlFile(
                    name, checksums[name], MAIN_SCHEMAS[name], checksums[MAIN_SCHEMAS[name]], counts[name]
                )
                for name in counts
            ),
            metadatakatalog_checksum=checksums["metadatakatalog.xsd"],
        ),
    )
    _check(folder)
    checksums["arkivuttrekk.xml"] = sha256(folder / "arkivuttrekk.xml")
    return DepositResult(
        path=folder,
        arkivdel=selection.arkivdel,
        start=selection.start,
        end=selection.end,
        mapper=written.mapper,
        registreringer=written.registreringer,
        endringer=changes,
        loepende_journalposter=loepende,
        offentlige_journalposter=offentlige,
        dokumentfiler=written.dokumentfiler,
        checksums=checksums,
    )


def _allowed(arkivdel: Arkivdel, by: Saksbehandler | str) -> str:
    """The name the audit trail records. A person must be an archive leader of the archive's organisation;
    a string names the operator running the management command."""
    if isinstance(by, str):
        return by
    if not by.arkivleder or by.organisation_id != arkivdel.arkiv.organisation_id:
        raise DepositError(
            _("Only the archive leaders of %(organisation)s make its deposits.")
            % {"organisation": arkivdel.arkiv.organisation.name_nb}
        )
    return by.user.get_username()


def make_deposit(
    arkivdel: Arkivdel,
    *,
    by: Saksbehandler | str,
    target: Path,
    period_start: date | None = None,
    period_end: date | None = None,
) -> DepositResult:
    """Write the deposit of a closed archive part for the period (the part's own period by default) as the
    folder `target`, which must not exist yet. DepositError says what stops it; nothing is left behind."""
    actor = _allowed(arkivdel, by)
    target = Path(target)
    if target.exists():
        raise DepositError(
            _("%(path)s exists already; a deposit is written to a new folder.") % {"path": target}
        )
    selection = select(arkivdel, period_start, period_end)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        result = _write(selection, work)
        os.rename(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    result = replace(result, path=target)
    audit.record(
        DEPOSIT_ACTION,
        actor=by.user if isinstance(by, Saksbehandler) else actor,
        obj=arkivdel,
        details={
            "organisation": arkivdel.arkiv.organisation.organisasjonsnummer,
            "period": [result.start.isoformat(), result.end.isoformat()],
            "mapper": result.mapper,
            "registreringer": result.registreringer,
            "dokumentfiler": result.dokumentfiler,
            "checksums": result.checksums,
        },
    )
    return result


def write_zip(result: DepositResult, out) -> None:
    """The package as one zip file, its folder at the top (the standard's «avleveringspakke»)."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for path in sorted(result.path.rglob("*")):
            if path.is_file():
                archive.write(path, Path(result.path.name) / path.relative_to(result.path))
