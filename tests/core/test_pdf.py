import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import Image
from pypdf import PdfReader, PdfWriter

from core.pdf import ADDRESS_WINDOW, Letter, LetterSender, paragraphs, render_letter_pdf, validate_pdf
from tests.core import hostile_pdfs

MM = 72 / 25.4  # PDF points per millimetre
A4_HEIGHT_MM = 297


def png_logo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (0, 52, 125)).save(buffer, format="PNG")
    return buffer.getvalue()


def letter(**overrides) -> Letter:
    values = {
        "sender": LetterSender(
            name="Fjordvik kommune",
            address_lines=["Postboks 1", "5003 BERGEN"],
            organisation_number="965302026",
            phone="+4755300000",
            logo_png=png_logo(),
        ),
        "recipient_lines": ["Kari Nordmann", "Storgata 1 B", "0150 OSLO"],
        "subject": "Vedtak om eiendomsskatt",
        "body_html": paragraphs("Hei Kari,\n\nDu får med dette vedtaket."),
        "date": datetime.date(2026, 11, 25),
        "our_reference": "2026/123",
    }
    return Letter(**{**values, **overrides})


def text_positions(page) -> list[tuple[str, float, float]]:
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            a, b, c, d, e, f = cm  # the text origin, from text space into page space
            x, y = a * tm[4] + c * tm[5] + e, b * tm[4] + d * tm[5] + f
            found.append((text.strip(), x / MM, A4_HEIGHT_MM - y / MM))

    page.extract_text(visitor_text=visit)
    return found


def test_letter_is_an_a4_pdf_with_the_letter_text():
    reader = PdfReader(io.BytesIO(render_letter_pdf(letter())))
    page = reader.pages[0]
    assert round(float(page.mediabox.width) / MM) == 210
    assert round(float(page.mediabox.height) / MM) == 297
    text = page.extract_text()
    for expected in (
        "Vedtak om eiendomsskatt",
        "Du får med dette vedtaket.",
        "2026/123",
        "25. november 2026",
    ):
        assert expected in text


def test_recipient_address_sits_in_the_envelope_window():
    page = PdfReader(io.BytesIO(render_letter_pdf(letter()))).pages[0]
    positions = {text: (x, y) for text, x, y in text_positions(page)}
    window = ADDRESS_WINDOW
    for line in ("Kari Nordmann", "Storgata 1 B", "0150 OSLO"):
        x, y = positions[line]
        # at least 3 mm inside the window's edges, since the sheet shifts in the envelope
        assert window["left"] + 3 <= x <= window["left"] + window["width"] - 3, line
        assert window["top"] + 3 <= y <= window["top"] + window["height"] - 3, line


def test_pages_are_numbered():
    long_body = paragraphs("\n\n".join(f"Avsnitt {n}. " + "Lang tekst om saken. " * 30 for n in range(20)))
    reader = PdfReader(io.BytesIO(render_letter_pdf(letter(body_html=long_body))))
    assert len(reader.pages) > 1
    assert f"Side 1 av {len(reader.pages)}" in reader.pages[0].extract_text()
    assert f"Side {len(reader.pages)} av {len(reader.pages)}" in reader.pages[-1].extract_text()


def test_sender_logo_is_embedded():
    page = PdfReader(io.BytesIO(render_letter_pdf(letter()))).pages[0]
    assert len(page.images) == 1


@pytest.mark.parametrize(("language", "label"), [("nn", "Side 1 av 1"), ("en", "Page 1 of 1")])
def test_letter_follows_the_recipients_language(language, label):
    page = PdfReader(io.BytesIO(render_letter_pdf(letter(language=language)))).pages[0]
    assert label in page.extract_text()


def test_body_text_is_escaped():
    body = paragraphs("<script>alert(1)</script> & co")
    assert "&lt;script&gt;" in body
    assert "&amp; co" in body


def test_single_line_breaks_stay_within_a_paragraph():
    body = paragraphs("Med vennlig hilsen\nFjordvik kommune\n\nVedlegg: 1")
    assert body == "<p>Med vennlig hilsen<br>Fjordvik kommune</p><p>Vedlegg: 1</p>"


# Checking uploaded PDFs: every hostile file is a clear ValidationError, found within a bounded cost.


def refusal(content: bytes) -> ValidationError:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        validate_pdf(content, "vedtak.pdf")
    return caught.value


def test_a_letter_pdf_passes_with_its_page_count():
    assert validate_pdf(render_letter_pdf(letter()), "vedtak.pdf") == 1


def test_a_page_tree_claiming_100000_pages_is_refused_at_once():
    content = hostile_pdfs.page_tree_bomb()
    assert len(content) < 2048
    error = refusal(content)  # what it costs: bench/hostile_input.py
    assert error.code == "too_many_pages"
    assert error.messages == ["vedtak.pdf has more than 2000 pages."]


def test_the_page_limit_is_a_setting(settings):
    settings.PDF_MAX_PAGES = 3
    pages = paragraphs("\n\n".join("Lang tekst om saken. " * 80 for _ in range(30)))
    assert refusal(render_letter_pdf(letter(body_html=pages))).code == "too_many_pages"


def test_a_content_stream_that_unpacks_to_300_mb_is_refused():
    content = hostile_pdfs.inflation_bomb(300)
    assert len(content) < 400_000
    error = refusal(content)  # what it costs: bench/hostile_input.py
    assert error.code == "too_complex_pdf"


@pytest.mark.parametrize("variant", ["claims to be an image", "is an image and the page's contents"])
def test_a_content_stream_that_claims_to_be_an_image_is_unpacked_all_the_same(variant):
    """Readers draw a page's /Contents whatever /Subtype it claims; only an image in the page's
    /XObject resources is drawn as an image and may stay packed."""
    content = hostile_pdfs.inflation_bomb(
        300, claims_image=True, also_as_image=variant != "claims to be an image"
    )
    assert refusal(content).code == "too_complex_pdf"


def test_the_unpacked_budget_is_a_setting(settings):
    content = hostile_pdfs.inflation_bomb(5)
    assert validate_pdf(content, "vedtak.pdf") == 1
    settings.PDF_MAX_UNPACKED_BYTES = 4 * 1024 * 1024
    assert refusal(content).code == "too_complex_pdf"


def test_a_pdf_of_100000_objects_is_refused_within_about_a_second():
    content = hostile_pdfs.many_objects(100_000)
    error = refusal(content)  # what it costs: bench/hostile_input.py
    assert error.code == "too_complex_pdf"


def test_the_object_budget_is_a_setting(settings):
    content = hostile_pdfs.many_objects(500)
    assert validate_pdf(content, "vedtak.pdf") == 1
    settings.PDF_MAX_OBJECTS = 400
    assert refusal(content).code == "too_complex_pdf"


def test_a_large_image_is_not_unpacked_against_the_budget(settings):
    settings.PDF_MAX_UNPACKED_BYTES = 1024 * 1024
    assert validate_pdf(hostile_pdfs.large_pdf(3), "skanning.pdf") == 1


@pytest.mark.parametrize(
    ("make", "code", "why"),
    [
        (hostile_pdfs.with_javascript, "pdf_javascript", "JavaScript"),
        (hostile_pdfs.with_page_javascript_link, "pdf_javascript", "JavaScript"),
        (hostile_pdfs.with_launch_action, "pdf_launch_action", "starts a program"),
        (hostile_pdfs.with_indirect_launch_action, "pdf_launch_action", "starts a program"),
        (hostile_pdfs.with_embedded_file, "pdf_embedded_file", "files embedded"),
        (hostile_pdfs.with_file_attachment_annotation, "pdf_embedded_file", "files embedded"),
    ],
)
def test_active_content_is_refused_with_the_reason(make, code, why):
    error = refusal(make())
    assert error.code == code
    assert why in error.messages[0]
    assert error.messages[0].startswith("vedtak.pdf ")


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n" + b"[" * 100_000,  # nested arrays: RecursionError in a recursive reader
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R /Size 99999999999999999999 >>",
        b"%PDF-1.4\n" + bytes(range(256)) * 40,
        hostile_pdfs.assemble(
            [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids 7 /Count 1e400 >>"]
        ),
        hostile_pdfs.assemble([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [1 0 R] >>"]),
    ],
    ids=["deep-nesting", "huge-size", "garbage", "bad-kids", "cycle"],
)
def test_garbage_is_unreadable_never_an_exception(content):
    assert refusal(content).code in {"unreadable_pdf", "empty_pdf"}


def test_an_unknown_encryption_is_refused_not_a_500():
    content = hostile_pdfs.assemble(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] >>", b"<< /Type /Page >>"],
        trailer=b"/Encrypt << /Filter /Unknown /V 9 /R 9 /O <00> /U <00> /P -4 >> /ID [<00><00>] ",
    )
    error = refusal(content)
    assert error.code == "encrypted_pdf"
    assert "encrypted" in error.messages[0]


def test_a_password_protected_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="hemmelig", owner_password="eier", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    error = refusal(out.getvalue())
    assert error.code == "encrypted_pdf"
    assert "password" in error.messages[0]


def test_a_pdf_with_only_an_owner_password_is_read():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="", owner_password="eier", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    assert validate_pdf(out.getvalue(), "vedtak.pdf") == 1
