"""PDF letters on WeasyPrint in the Norwegian business-letter layout.

A4 portrait; the recipient's address sits in the window of a C5 (or C4) window
envelope with the window on the left: 90 x 45 mm, its corner 20 mm from the left
edge and 45 mm from the top, the sender's return line in its top 5 mm. Sender logo
and name on top, sender details and "Side x av y" in the footer. PIN letters and
case letters build on this.
"""

import base64
import datetime
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

# Window geometry in millimetres, measured from the sheet's top-left corner.
ADDRESS_WINDOW = {"left": 20, "top": 45, "width": 90, "height": 45}


@dataclass(frozen=True)
class LetterSender:
    name: str
    address_lines: list[str]
    organisation_number: str = ""
    phone: str = ""
    email: str = ""
    logo_png: bytes | None = None

    @property
    def logo_data_uri(self) -> str:
        if not self.logo_png:
            return ""
        return "data:image/png;base64," + base64.b64encode(self.logo_png).decode()

    @property
    def return_line(self) -> str:
        return ", ".join([self.name, *self.address_lines])


@dataclass(frozen=True)
class Letter:
    sender: LetterSender
    recipient_lines: list[str]
    subject: str
    body_html: SafeString
    date: datetime.date = field(default_factory=datetime.date.today)
    our_reference: str = ""
    your_reference: str = ""
    language: str = settings.LANGUAGE_CODE


def paragraphs(text: str) -> SafeString:
    """Plain text as letter body HTML, escaped: blank lines part paragraphs, single
    line breaks are kept (as in a closing "Med vennlig hilsen" and a name)."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
    return format_html_join("", "<p>{}</p>", ((linebreaksbr(block, autoescape=True),) for block in blocks))


def render_letter_html(letter: Letter) -> str:
    with translation.override(letter.language):
        return render_to_string(
            "core/letter.html",
            {"letter": letter, "window": ADDRESS_WINDOW, "body": letter.body_html},
        )


def render_letter_pdf(letter: Letter) -> bytes:
    return render_pdf(render_letter_html(letter))


def render_pdf(html: str) -> bytes:
    """Any HTML document to PDF bytes. Only data: URIs and files under BASE_DIR load."""
    # Imported here: WeasyPrint loads Pango at import, which only PDF work needs.
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def validate_pdf(content: bytes, name: str) -> int:
    """A PDF by its content, not its name: the header and a readable page tree. Returns the page
    count, or raises ValidationError with a message naming the file."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not content.startswith(b"%PDF-"):
        raise ValidationError(_("%(name)s is not a PDF.") % {"name": name}, code="not_pdf")
    try:
        pages = len(PdfReader(io.BytesIO(content)).pages)
    except (PdfReadError, ValueError, KeyError, TypeError):
        raise ValidationError(
            _("%(name)s is not a readable PDF.") % {"name": name}, code="unreadable_pdf"
        ) from None
    if pages < 1:
        raise ValidationError(_("%(name)s has no pages.") % {"name": name}, code="empty_pdf")
    return pages
