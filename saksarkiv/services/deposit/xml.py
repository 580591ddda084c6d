"""Writing and checking the deposit's XML: a small writer on lxml's incremental xmlfile (an archive of
any size is written element by element, never held whole in memory) and validation against
Arkivverket's schemas as vendored in saksarkiv/schemas (a file is checked as it is read, element by
element; only a refused one is read whole, to list every complaint)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from pathlib import Path

from django.utils import timezone
from lxml import etree

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# What a schema's messages may fill in a refusal; the rest is counted.
MAX_SCHEMA_MESSAGES = 20


def text(value) -> str:
    """A value as the schemas' types want it: xs:dateTime in local time with its offset, xs:date,
    xs:integer, or the string itself."""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Writer:
    """Elements in one namespace, indented, written as they come."""

    def __init__(self, xf, namespace: str):
        self.xf = xf
        self.namespace = namespace
        self.depth = 0

    def _name(self, name: str) -> str:
        return f"{{{self.namespace}}}{name}"

    def _indent(self) -> None:
        self.xf.write("\n" + "  " * self.depth)

    @contextmanager
    def element(self, name: str, attrib: dict | None = None, nsmap: dict | None = None) -> Iterator[None]:
        if self.depth:
            self._indent()
        with self.xf.element(self._name(name), attrib or {}, nsmap=nsmap):
            self.depth += 1
            yield
            self.depth -= 1
            self._indent()

    def leaf(self, name: str, value) -> None:
        """One element with text; nothing at all for None or "" (every string type in the Noark 5
        schemas has minLength 1: a missing value is left out, not written empty)."""
        if value is None or value == "":
            return
        self._indent()
        with self.xf.element(self._name(name)):
            self.xf.write(text(value))

    def leaves(self, name: str, values) -> None:
        for value in values:
            self.leaf(name, value)


@contextmanager
def document(path: Path, namespace: str, root: str, schema_file: str, attrib: dict | None = None):
    """An XML file with `root` in `namespace` (the default namespace), pointing at its schema."""
    with open(path, "wb") as out:
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        with etree.xmlfile(out, encoding="utf-8") as xf:
            writer = Writer(xf, namespace)
            location = {f"{{{XSI}}}schemaLocation": f"{namespace} {schema_file}", **(attrib or {})}
            with writer.element(root, location, nsmap={None: namespace, "xsi": XSI}):
                yield writer
        out.write(b"\n")


@cache
def schema(name: str) -> etree.XMLSchema:
    """A vendored schema, loaded once per process (its imports resolve beside it)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / name)))


def schema_errors(path: Path, schema_name: str) -> list[str]:
    """The schema's complaints about a file ([] when it is valid), each with its line. A valid file is
    checked as it streams past, each finished element let go, so memory stays flat whatever its size;
    only a file the streaming check refuses is then read whole, to list every one of its complaints."""
    checker = schema(schema_name)
    try:
        # huge_tree: a large archive's arkivstruktur.xml may pass libxml2's default limits.
        for _event, element in etree.iterparse(
            str(path), schema=checker, huge_tree=True, resolve_entities=False, no_network=True
        ):
            element.clear(keep_tail=True)
            while element.getprevious() is not None:
                del element.getparent()[0]
        return []
    except etree.XMLSyntaxError as error:
        streamed = error
    try:
        parsed = etree.parse(
            str(path), etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError as error:
        return [f"{path.name}: {error}"]
    if checker.validate(parsed):
        # Only the streaming check saw the fault: its own message.
        return [f"{path.name}: {streamed}"]
    return [f"{path.name}:{entry.line}: {entry.message}" for entry in checker.error_log]
