import datetime
import io

import pytest
from PIL import Image
from pypdf import PdfReader

from core.pdf import ADDRESS_WINDOW, Letter, LetterSender, paragraphs, render_letter_pdf

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
