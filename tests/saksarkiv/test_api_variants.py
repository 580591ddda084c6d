"""The API's dokumentobjekt files by variant: an upload that is not PDF/A is listed as produced (P) and in
its PDF/A conversion (A); each link fetches its own file, and the plain link gives the archive format."""

import io

import pikepdf
import pytest

from tests.saksarkiv.test_api import REL, agency  # noqa: F401 (the fixture)
from tests.saksarkiv.test_pdfa import ordinary_pdf

pytestmark = pytest.mark.django_db


def _pdfa_part(content: bytes):
    with pikepdf.open(io.BytesIO(content)) as document:
        return document.open_metadata().get("pdfaid:part")


def test_each_variant_link_fetches_its_own_file(agency):  # noqa: F811
    produced = ordinary_pdf()
    dokument = agency.document(agency.journalpost(), produced)

    links = {
        v["variantformat"]["kode"]: v["_links"][f"{REL}fil/"]["href"] for v in dokument["dokumentobjekt"]
    }

    assert set(links) == {"P", "A"}
    assert b"".join(agency.get(links["P"]).streaming_content) == produced
    archived = b"".join(agency.get(links["A"]).streaming_content)
    assert _pdfa_part(archived) == "2"
    plain = links["P"].split("?")[0]
    assert b"".join(agency.get(plain).streaming_content) == archived
    assert agency.get(plain + "?variantformat=O").status_code == 404
