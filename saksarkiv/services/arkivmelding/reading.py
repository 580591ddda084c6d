"""What the archive takes from a valid arkivmelding: its journal posts (registreringer, at the top or
in a mappe), each with the case it names, its parties and its documents (the newest version of each
dokumentbeskrivelse, the archive format before the production format)."""

from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from saksarkiv.services.arkivmelding.schema import NS

ARKIVFORMAT = "Arkivformat"


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _text(element, name: str) -> str:
    found = element.find(_q(name))
    return (found.text or "").strip() if found is not None else ""


@dataclass(frozen=True)
class Party:
    korrespondanseparttype: str  # the schema's text: Avsender, Mottaker, Kopimottaker, ...
    navn: str
    kontaktperson: str = ""


@dataclass(frozen=True)
class Document:
    tittel: str
    hoveddokument: bool
    filename: str


@dataclass(frozen=True)
class Screening:
    tilgangsrestriksjon: str
    skjermingshjemmel: str
    skjerming_metadata: tuple[str, ...]


@dataclass(frozen=True)
class Folder:
    """A mappe of the sender's: its systemID and title, the case the receiver's records go on."""

    system_id: str
    tittel: str
    offentlig_tittel: str
    skjerming: Screening | None = None


@dataclass
class Record:
    system_id: str
    tittel: str
    offentlig_tittel: str
    journalposttype: str
    dokumentets_dato: date | None
    # The case systemIDs it names, nearest first: its referanseForelderMappe, then its mappe's.
    case_references: list[str]
    folder: Folder | None
    skjerming: Screening | None = None
    parties: list[Party] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


@dataclass
class Melding:
    system: str
    melding_id: str
    records: list[Record]

    @property
    def filenames(self) -> list[str]:
        return [document.filename for record in self.records for document in record.documents]


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _screening(element) -> Screening | None:
    found = element.find(_q("skjerming"))
    if found is None:
        return None
    codes = (
        code.text.strip()
        for code in found.findall(_q("skjermingMetadata"))
        if code.text and code.text.strip()
    )
    return Screening(
        _text(found, "tilgangsrestriksjon"), _text(found, "skjermingshjemmel"), tuple(dict.fromkeys(codes))
    )


def _newest(objects: list) -> str:
    """The file of the newest version, its archive format if it has one."""
    newest = max(int(_text(o, "versjonsnummer") or 0) for o in objects)
    current = [o for o in objects if int(_text(o, "versjonsnummer") or 0) == newest]
    chosen = next((o for o in current if _text(o, "variantformat") == ARKIVFORMAT), current[0])
    return _text(chosen, "referanseDokumentfil")


def _documents(element) -> list[Document]:
    found = []
    for beskrivelse in element.findall(_q("dokumentbeskrivelse")):
        objects = beskrivelse.findall(_q("dokumentobjekt"))
        if not objects:
            continue  # described only (a paper document): nothing to file
        found.append(
            Document(
                tittel=_text(beskrivelse, "tittel"),
                hoveddokument=_text(beskrivelse, "tilknyttetRegistreringSom") == "Hoveddokument",
                filename=_newest(objects),
            )
        )
    for loose in element.findall(_q("dokumentobjekt")):
        filename = _text(loose, "referanseDokumentfil")
        found.append(Document(tittel=filename, hoveddokument=False, filename=filename))
    # Exactly one main document, first, as the archive adds them: the first one marked so, or else
    # the first document.
    main = next((index for index, document in enumerate(found) if document.hoveddokument), 0)
    return [
        Document(document.tittel, index == main, document.filename)
        for index, document in sorted(enumerate(found), key=lambda pair: pair[0] != main)
    ]


def _record(element, folder: Folder | None) -> Record:
    references = [_text(element, "referanseForelderMappe")] + ([folder.system_id] if folder else [])
    documents = _documents(element)
    tittel = (
        _text(element, "tittel")
        or (documents[0].tittel if documents else "")
        or (folder.tittel if folder else "")
    )
    return Record(
        system_id=_text(element, "systemID"),
        tittel=tittel,
        offentlig_tittel=_text(element, "offentligTittel"),
        journalposttype=_text(element, "journalposttype"),
        dokumentets_dato=_date(_text(element, "dokumentetsDato")),
        case_references=[reference for reference in references if reference],
        folder=folder,
        skjerming=_screening(element),
        parties=[
            Party(
                korrespondanseparttype=_text(party, "korrespondanseparttype"),
                navn=_text(party, "korrespondansepartNavn"),
                kontaktperson=_text(party, "kontaktperson") or _text(party, "saksbehandler"),
            )
            for party in element.findall(_q("korrespondansepart"))
        ],
        documents=documents,
    )


def _folder_records(mappe, records: list[Record]) -> None:
    folder = Folder(
        _text(mappe, "systemID"), _text(mappe, "tittel"), _text(mappe, "offentligTittel"), _screening(mappe)
    )
    for child in mappe:
        if child.tag == _q("basisregistrering"):
            records.append(_record(child, folder))
        elif child.tag == _q("mappe"):
            _folder_records(child, records)


def read(root: etree._Element) -> Melding:
    """The arkivmelding's content; `root` is valid against the schema (schema.parse)."""
    records: list[Record] = []
    for child in root:
        if child.tag == _q("mappe"):
            _folder_records(child, records)
        elif child.tag == _q("registrering"):
            records.append(_record(child, None))
    return Melding(system=_text(root, "system"), melding_id=_text(root, "meldingId"), records=records)
