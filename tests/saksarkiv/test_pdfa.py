"""Documents in the archive format: letters Felles lays out are PDF/A-2b, an upload that is PDF/A is
kept as it is, any other PDF is kept as produced beside its conversion to PDF/A-2b (Ghostscript),
formats are PRONOM ids, and a closed case takes no new document version."""

import hashlib
import io
import os
import time
from pathlib import Path

import pikepdf
import pytest

from saksarkiv import services
from saksarkiv.models import Dokumentobjekt, Journalpost
from saksarkiv.services import pdfa
from saksarkiv.services.archive import close_case
from saksarkiv.services.documents import add_document, current_version, new_version
from tests.postkasse.factories import citizen, pdf
from tests.saksarkiv.factories import brevmal, handler

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage(settings, tmp_path) -> Path:
    """The archive's files in a folder of this test's own, to see what was written."""
    folder = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": str(folder), "base_url": None}},
    }
    return folder


def stored_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def incoming(case_handler, journalposttype: str = "I") -> Journalpost:
    case = services.create_saksmappe(case_handler, tittel="Søknad om bostøtte")
    return services.add_journalpost(case, case_handler, journalposttype=journalposttype, tittel="Søknad")


def ordinary_pdf(version: str = "1.5") -> bytes:
    """A PDF with text in an embedded font but no PDF/A identification, as an office program saves one."""
    from weasyprint import HTML

    plain = HTML(string="<h1>Søknad</h1><p>Jeg søker om bostøtte for 2027.</p>").write_pdf()
    with pikepdf.open(io.BytesIO(plain)) as document:
        out = io.BytesIO()
        document.save(out, force_version=version)
    return out.getvalue()


def assert_pdfa_2b(content: bytes) -> None:
    with pikepdf.open(io.BytesIO(content)) as document:
        meta = document.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B")
        (intent,) = document.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1" and len(intent.DestOutputProfile.read_bytes()) > 0
    assert pdfa.check(content) == (pdfa.PDFA_2B, [])


def file_of(version: Dokumentobjekt) -> bytes:
    with version.fil.open("rb") as file:
        return file.read()


def test_a_letter_felles_lays_out_is_pdfa_2b_with_its_fonts_embedded():
    case_handler = handler()
    case = services.create_saksmappe(case_handler, tittel="Bostøtte")
    journalpost = services.add_journalpost(case, case_handler, journalposttype="U", tittel="Vedtak")
    journalpost.brevmal = brevmal(case_handler.organisation)
    journalpost.save()
    party = services.add_party(journalpost, case_handler, identity_number=citizen().identity_number)
    letter = services.letter_pdf(journalpost, party)
    assert_pdfa_2b(letter)
    with pikepdf.open(io.BytesIO(letter)) as document:
        fonts = [font for page in document.pages for font in page.Resources.Font.values()]
        assert fonts and all(
            any(key in child.FontDescriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            for font in fonts
            for child in (font.DescendantFonts if "/DescendantFonts" in font else [font])
        )


def test_an_upload_that_is_pdfa_is_stored_once_in_the_archive_format(case_handler, storage):
    journalpost = incoming(case_handler)
    letter = pdf("Svar på søknad")  # laid out by Felles, so PDF/A-2b
    dokument = add_document(
        journalpost, case_handler, tittel="Svar", content=letter, filnavn="svar.pdf", hoveddokument=True
    )
    (version,) = dokument.versjoner.all()
    assert (version.variantformat, version.format, version.format_detaljer) == ("A", "fmt/477", "PDF/A-2b")
    assert file_of(version) == letter and version.sjekksum == hashlib.sha256(letter).hexdigest()
    assert len(stored_files(storage)) == 1


def test_an_ordinary_pdf_is_kept_as_produced_beside_its_pdfa_2b_conversion(case_handler, storage):
    journalpost = incoming(case_handler)
    original = ordinary_pdf("1.5")
    started = time.monotonic()
    dokument = add_document(
        journalpost, case_handler, tittel="Søknad", content=original, filnavn="søknad.pdf", hoveddokument=True
    )
    assert time.monotonic() - started < 5  # a one-page conversion takes about 0.1 s with Ghostscript 10
    produced = dokument.versjoner.get(variantformat="P")
    archived = dokument.versjoner.get(variantformat="A")
    assert (produced.versjonsnummer, archived.versjonsnummer) == (1, 1)
    assert (produced.format, produced.format_detaljer) == ("fmt/19", "PDF 1.5")
    assert archived.format == "fmt/477" and archived.format_detaljer.startswith("PDF/A-2b (Ghostscript ")
    assert file_of(produced) == original
    assert produced.sjekksum == hashlib.sha256(original).hexdigest()
    converted = file_of(archived)
    assert_pdfa_2b(converted)
    assert archived.sjekksum == hashlib.sha256(converted).hexdigest() and archived.filstoerrelse == len(
        converted
    )
    assert current_version(dokument) == archived
    assert len(stored_files(storage)) == 2


def test_a_pdfa_claim_that_fails_the_check_is_converted(case_handler, storage):
    """A file that says PDF/A-2b in its XMP but does not embed its fonts is not taken at its word."""
    with pikepdf.open(io.BytesIO(pdf("Uten skrift"))) as document:
        for page in document.pages:
            for font in page.Resources.Font.values():
                for child in font.DescendantFonts:
                    del child.FontDescriptor["/FontFile2"]
        out = io.BytesIO()
        document.save(out)
    claimed = out.getvalue()
    assert pdfa.check(claimed)[0] is None
    dokument = add_document(
        incoming(case_handler), case_handler, tittel="x", content=claimed, filnavn="x.pdf", hoveddokument=True
    )
    assert sorted(dokument.versjoner.values_list("variantformat", "format")) == [
        ("A", "fmt/477"),
        ("P", "fmt/276"),
    ]


@pytest.mark.parametrize(
    "limit",
    [
        ("CONVERSION_SECONDS", 0.001),
        ("CONVERSION_MEMORY_BYTES", 1024 * 1024),
        ("CONVERSION_OUTPUT_BYTES", 1000),
    ],
    ids=["time", "memory", "output size"],
)
def test_a_conversion_that_fails_stores_nothing(case_handler, storage, monkeypatch, limit):
    monkeypatch.setattr(pdfa, *limit)
    journalpost = incoming(case_handler)
    with pytest.raises(services.InvalidInput, match="søknad.pdf"):
        add_document(
            journalpost, case_handler, tittel="Søknad", content=ordinary_pdf(), filnavn="søknad.pdf",
            hoveddokument=True,
        )  # fmt: skip
    assert not journalpost.dokumenter.exists() and not Dokumentobjekt.objects.exists()
    assert stored_files(storage) == []


def test_a_failed_conversion_is_a_message_on_the_admin_page_not_an_error(
    client, case_handler, storage, monkeypatch
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    monkeypatch.setattr(pdfa, "CONVERSION_MEMORY_BYTES", 1024 * 1024)
    journalpost = incoming(case_handler)
    response = client.post(
        f"/admin/saksarkiv/journalpost/{journalpost.pk}/dokument/",
        {"tittel": "Søknad", "fil": SimpleUploadedFile("soknad.pdf", ordinary_pdf()), "hoveddokument": "on"},
        follow=True,
    )
    assert response.status_code == 200 and "Soknad.pdf" in response.content.decode()
    assert not journalpost.dokumenter.exists() and stored_files(storage) == []


def large_pdf(size: int) -> bytes:
    """A one-page PDF of about `size` bytes: a scan-like image of noise, which does not compress."""
    side = int((size / 3) ** 0.5)
    document = pikepdf.new()
    image = pikepdf.Stream(document, os.urandom(side * side * 3))
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width = image.Height = side
    image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
    page = document.add_blank_page(page_size=(595, 842))
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.Contents = pikepdf.Stream(document, b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_document_at_the_upload_limit_is_converted(case_handler, storage, settings):
    content = large_pdf(settings.SAKSARKIV_MAX_DOCUMENT_BYTES - 100_000)
    assert (
        settings.SAKSARKIV_MAX_DOCUMENT_BYTES - 200_000
        < len(content)
        <= settings.SAKSARKIV_MAX_DOCUMENT_BYTES
    )
    dokument = add_document(
        incoming(case_handler), case_handler, tittel="Skann", content=content, filnavn="skann.pdf",
        hoveddokument=True,
    )  # fmt: skip
    produced, archived = dokument.versjoner.get(variantformat="P"), dokument.versjoner.get(variantformat="A")
    assert produced.filstoerrelse == len(content) and produced.format == "fmt/17"
    assert_pdfa_2b(file_of(archived))


def test_a_closed_case_takes_no_new_document_version(case_handler, storage):
    journalpost = incoming(case_handler, "X")  # an internal note that needs no write-off before closing
    services.add_party(journalpost, case_handler, korrespondanseparttype="IM", saksbehandler=case_handler)
    dokument = add_document(
        journalpost, case_handler, tittel="Søknad", content=pdf(), filnavn="s.pdf", hoveddokument=True
    )
    services.finalise(journalpost, case_handler)
    close_case(journalpost.saksmappe, case_handler)
    with pytest.raises(services.RecordFinalised):
        new_version(dokument, case_handler, content=pdf("Rettet"), filnavn="s2.pdf")
    assert list(dokument.versjoner.values_list("versjonsnummer", flat=True)) == [1]
    assert len(stored_files(storage)) == 1


def test_the_journal_post_page_shows_each_variant_and_its_format(client, case_handler, storage):
    journalpost = incoming(case_handler)
    add_document(
        journalpost,
        case_handler,
        tittel="Søknad",
        content=ordinary_pdf(),
        filnavn="s.pdf",
        hoveddokument=True,
    )
    page = client.get(f"/admin/saksarkiv/journalpost/{journalpost.pk}/change/").content.decode()
    assert "PDF/A-2b (Ghostscript" in page and "(fmt/477)" in page
    assert "PDF 1.5 <small>(fmt/19)</small>" in page


def legacy_version(case_handler, content: bytes) -> Dokumentobjekt:
    """A version as the archive stored it before PDF/A: one row, variant A, format "fmt/276"."""
    from django.core.files.base import ContentFile

    journalpost = incoming(case_handler)
    dokument = journalpost.dokumenter.create(
        dokumentnummer=1, tilknyttet_registrering_som="H", tittel="Gammel"
    )
    version = Dokumentobjekt(
        dokumentbeskrivelse=dokument, versjonsnummer=1, variantformat="A", format="fmt/276",
        sjekksum=hashlib.sha256(content).hexdigest(), filstoerrelse=len(content), filnavn="gammel.pdf",
        opprettet_av="import",
    )  # fmt: skip
    version.fil.save("gammel.pdf", ContentFile(content))
    return version


def test_the_command_converts_documents_stored_before_pdfa_and_keeps_the_originals(case_handler, storage):
    from django.core.management import call_command

    from core.models import AuditEvent

    original = ordinary_pdf("1.4")
    old = legacy_version(case_handler, original)
    already = legacy_version(case_handler, pdf("Allerede PDF/A"))
    out = io.StringIO()
    call_command("convert_to_pdfa", stdout=out)
    assert "1 converted, 1 identified, 0 unchanged, 0 failed" in out.getvalue()
    old.refresh_from_db()
    assert (old.variantformat, old.format, file_of(old)) == ("P", "fmt/18", original)
    archived = old.dokumentbeskrivelse.versjoner.get(variantformat="A")
    assert archived.versjonsnummer == 1 and archived.format == "fmt/477"
    assert_pdfa_2b(file_of(archived))
    assert current_version(old.dokumentbeskrivelse) == archived
    already.refresh_from_db()
    assert (already.variantformat, already.format, already.format_detaljer) == ("A", "fmt/477", "PDF/A-2b")
    assert AuditEvent.objects.filter(action="saksarkiv.document_converted").count() == 1
    again = io.StringIO()
    call_command("convert_to_pdfa", stdout=again)
    assert "0 converted, 0 identified, 0 unchanged, 0 failed" in again.getvalue()
