"""Reading arkivmelding.xml safely and checking it against the published XML Schema (vendored in
saksarkiv/schemas/arkivmelding/, Digdir's efm-integrasjonspunkt nextmove/src/main/xsd).

The XML comes from another organisation's case system, so the parser resolves no entity, loads no
DTD, reaches no network and keeps libxml2's limits on depth and size (huge_tree off); a document
with a DOCTYPE at all is refused, since an arkivmelding never has one."""

from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _
from lxml import etree

from saksarkiv.services.errors import SaksarkivError

NS = "http://www.arkivverket.no/standarder/noark5/arkivmelding"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "arkivmelding" / "arkivmelding.xsd"
MAX_BYTES = 10 * 1024 * 1024  # the metadata of a message; its documents are files of their own
MAX_REPORTED = 5


class InvalidArkivmelding(SaksarkivError):
    """Not well-formed, not safe to read, or not valid against the schema."""

    code = "invalid_arkivmelding"

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


@cache
def schema() -> etree.XMLSchema:
    # The schema is ours (vendored); its import of metadatakatalog.xsd resolves beside it, on disk.
    return etree.XMLSchema(etree.parse(str(SCHEMA), _parser()))


def parse(content: bytes) -> etree._Element:
    """The arkivmelding's root element, valid against the schema; or InvalidArkivmelding."""
    if len(content) > MAX_BYTES:
        raise InvalidArkivmelding(_("arkivmelding.xml is larger than %(size)d bytes.") % {"size": MAX_BYTES})
    try:
        tree = etree.ElementTree(etree.fromstring(content, _parser()))
    except (etree.XMLSyntaxError, ValueError) as error:
        raise InvalidArkivmelding(_("arkivmelding.xml is not well-formed XML."), [str(error)[:300]]) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise InvalidArkivmelding(_("arkivmelding.xml may not have a DOCTYPE."))
    validator = schema()
    if not validator.validate(tree):
        problems = [
            f"line {entry.line}: {entry.message}"[:300] for entry in list(validator.error_log)[:MAX_REPORTED]
        ]
        raise InvalidArkivmelding(
            _("arkivmelding.xml is not valid against the arkivmelding schema."), problems
        )
    return tree.getroot()


def check(content: bytes) -> None:
    """Whether XML Felles built is valid against the schema (raises InvalidArkivmelding if not)."""
    parse(content)
