"""arkivuttrekk.xml: the package's description in ADDML 8.3, element for element after Arkivverket's
Noark 5 template for arkivuttrekk.xml (Noark 5 v5.0, vedlegg «Eksempel på arkivuttrekk.xml»). Arkade
reads it by position as well as by name, so the order here is the template's."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from saksarkiv.services.deposit.xml import Writer, document

NAMESPACE = "http://www.arkivverket.no/standarder/addml"
NAME = "Noark 5-arkivuttrekk"
SYSTEM_TYPE = "Sakarkiv (Noark-5)"
SYSTEM_NAME = "Felles saksarkiv"
CHECKSUM_ALGORITHM = "SHA-256"
METADATAKATALOG = "metadatakatalog.xsd"


@dataclass(frozen=True)
class XmlFile:
    """One of the package's XML files: its checksum, its main schema's, and what it counts."""

    name: str
    checksum: str
    schema: str
    schema_checksum: str
    occurrences: tuple[tuple[str, int], ...]  # (element name, count), counted as //element


@dataclass(frozen=True)
class Description:
    record_creators: tuple[str, ...]
    archive: str
    start: date
    end: date
    inngaaende_skille: str  # "mykt" or "skarpt"
    utgaaende_skille: str
    skjermet: bool
    kassert: bool
    skal_kasseres: bool
    antall_dokumentfiler: int
    files: tuple[XmlFile, ...]
    metadatakatalog_checksum: str


def _simple(w: Writer, name: str, value, data_type: str | None = None) -> None:
    attrib = {"name": name, **({"dataType": data_type} if data_type else {})}
    with w.element("property", attrib):
        w.leaf("value", value)


def _versioned(w: Writer, name: str, value: str, version: str) -> None:
    with w.element("property", {"name": name}):
        w.leaf("value", value)
        with w.element("properties"):
            _simple(w, "version", version)


def _file(w: Writer, name: str, checksum: str | None) -> None:
    with w.element("property", {"name": "file"}), w.element("properties"):
        _simple(w, "name", name)
        if checksum is None:
            return
        _versioned(w, "format", "XML", "1.0")
        with w.element("property", {"name": "checksum"}), w.element("properties"):
            _simple(w, "algorithm", CHECKSUM_ALGORITHM)
            _simple(w, "value", checksum)


def _schema(w: Writer, name: str, checksum: str | None, *, main: bool) -> None:
    with w.element("property", {"name": "schema"}):
        if main:
            w.leaf("value", "main")
        with w.element("properties"):
            _file(w, name, checksum)
            if checksum is not None:
                _versioned(w, "type", "XML Schema", "1.0")


def _data_object(w: Writer, xml_file: XmlFile, metadatakatalog_checksum: str | None) -> None:
    with w.element("dataObject", {"name": xml_file.name.removesuffix(".xml")}), w.element("properties"):
        _file(w, xml_file.name, xml_file.checksum)
        _schema(w, xml_file.schema, xml_file.schema_checksum, main=True)
        # The template gives metadatakatalog.xsd's checksum at its first mention only.
        _schema(w, METADATAKATALOG, metadatakatalog_checksum, main=False)
        with w.element("property", {"name": "info"}), w.element("properties"):
            for element, count in xml_file.occurrences:
                with w.element("property", {"name": "numberOfOccurrences"}):
                    w.leaf("value", element)
                    with w.element("properties"):
                        _simple(w, "elementPath", f"//{element}")
                        _simple(w, "value", count, "integer")


def write(path: Path, d: Description) -> None:
    with document(path, NAMESPACE, "addml", "addml.xsd", {"name": NAME}) as w, w.element("dataset"):
        w.leaf("description", NAME)
        with w.element("reference"):
            with w.element("context"), w.element("additionalElements"):
                with (
                    w.element("additionalElement", {"name": "recordCreators"}),
                    w.element("additionalElements"),
                ):
                    for creator in d.record_creators:
                        with w.element("additionalElement", {"name": "recordCreator"}):
                            w.leaf("value", creator)
                for name, value in (
                    ("systemType", SYSTEM_TYPE),
                    ("systemName", SYSTEM_NAME),
                    ("archive", d.archive),
                ):
                    with w.element("additionalElement", {"name": name}):
                        w.leaf("value", value)
            with (
                w.element("content"),
                w.element("additionalElements"),
                w.element("additionalElement", {"name": "archivalPeriod"}),
                w.element("properties"),
            ):
                _simple(w, "startDate", d.start)
                _simple(w, "endDate", d.end)
        with w.element("dataObjects"), w.element("dataObject", {"name": NAME}):
            with w.element("properties"), w.element("property", {"name": "info"}), w.element("properties"):
                _versioned(w, "type", "Noark 5", "5.0")
                with w.element("property", {"name": "additionalInfo"}), w.element("properties"):
                    with w.element("property", {"name": "periode"}), w.element("properties"):
                        _simple(w, "inngaaendeSkille", d.inngaaende_skille)
                        _simple(w, "utgaaendeSkille", d.utgaaende_skille)
                    _simple(w, "inneholderSkjermetInformasjon", d.skjermet, "boolean")
                    _simple(w, "omfatterDokumenterSomErKassert", d.kassert, "boolean")
                    _simple(w, "inneholderDokumenterSomSkalKasseres", d.skal_kasseres, "boolean")
                    _simple(w, "inneholderVirksomhetsspesifikkeMetadata", False, "boolean")
                    _simple(w, "antallDokumentfiler", d.antall_dokumentfiler, "integer")
            with w.element("dataObjects"):
                for index, xml_file in enumerate(d.files):
                    _data_object(w, xml_file, d.metadatakatalog_checksum if index == 0 else None)
