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


# What Felles lays out is PDF/A-2b, the archive format (ISO 19005-2, level B): fonts embedded, an sRGB
# output intent, identified in its XMP; the case archive stores it as it is, without converting.
PDF_VARIANT = "pdf/a-2b"


def render_pdf(html: str) -> bytes:
    """Any HTML document to PDF/A-2b bytes. Only data: URIs and files under BASE_DIR load."""
    # Imported here: WeasyPrint loads Pango at import, which only PDF work needs.
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant=PDF_VARIANT)


# What a PDF may not carry into a letter, a signing job or the archive: code that runs in the reader
# (JavaScript, also in XFA forms), actions that start programs, and files hidden inside it.
JAVASCRIPT = "javascript"
LAUNCH = "launch"
EMBEDDED_FILE = "embedded_file"


class _TooMuchWork(Exception):
    """A PDF needs more than a check's budget: too many pages, objects or unpacked bytes."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def validate_pdf(content: bytes, name: str) -> int:
    """A PDF by its content, not its name: the header, a readable page tree of at most PDF_MAX_PAGES
    pages, streams that unpack within PDF_MAX_UNPACKED_BYTES, and no active content. Returns the
    page count, or raises ValidationError with a message naming the file.

    The file comes from outside (an agency, a citizen), so every step is bounded: pypdf's own limits
    are set from the same budgets, and whatever pypdf raises on garbage is a refusal, never a 500."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _
    from pypdf import PasswordType, PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError

    if not content.startswith(b"%PDF-"):
        raise ValidationError(_("%(name)s is not a PDF.") % {"name": name}, code="not_pdf")
    budget = settings.PDF_MAX_UNPACKED_BYTES
    limits = {
        # A page tree of fan-out 2 or more has fewer entries than twice its pages.
        "page_tree_maximum_entries": 2 * settings.PDF_MAX_PAGES + 10,
        "zlib_maximum_output_length": budget,
        "lzw_maximum_output_length": budget,
        "run_length_maximum_output_length": budget,
        "array_based_stream_maximum_output_length": budget,
        "brotli_maximum_output_length": budget,
    }
    try:
        with apply_configuration(**limits):
            reader = PdfReader(io.BytesIO(content))
            if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                raise ValidationError(
                    _("%(name)s is protected with a password; send it without.") % {"name": name},
                    code="encrypted_pdf",
                )
            try:
                pages = len(reader.pages)
            except LimitReachedError:
                raise _TooMuchWork("too_many_pages") from None
            if pages > settings.PDF_MAX_PAGES:
                raise _TooMuchWork("too_many_pages")
            found = _active_content(reader, budget)
    except ValidationError:
        raise
    except _TooMuchWork as refusal:
        if refusal.code == "too_many_pages":
            message = _("%(name)s has more than %(count)d pages.") % {
                "name": name,
                "count": settings.PDF_MAX_PAGES,
            }
        else:
            message = _("%(name)s is too large or too complex to check once unpacked.") % {"name": name}
        raise ValidationError(message, code=refusal.code) from None
    except NotImplementedError:
        # pypdf's answer to an encryption method it does not know.
        raise ValidationError(
            _("%(name)s is encrypted in a way that cannot be read; send it without encryption.")
            % {"name": name},
            code="encrypted_pdf",
        ) from None
    except Exception:
        # pypdf raises a wide and undocumented range on garbage: PdfReadError and LimitReachedError,
        # but also KeyError, TypeError, OverflowError, RecursionError... To the sender each is a file
        # that cannot be read.
        raise ValidationError(
            _("%(name)s is not a readable PDF.") % {"name": name}, code="unreadable_pdf"
        ) from None
    if found == JAVASCRIPT:
        raise ValidationError(
            _("%(name)s contains JavaScript, which could run on the reader's machine; send it without.")
            % {"name": name},
            code="pdf_javascript",
        )
    if found == LAUNCH:
        raise ValidationError(
            _("%(name)s contains an action that starts a program on the reader's machine; send it without.")
            % {"name": name},
            code="pdf_launch_action",
        )
    if found == EMBEDDED_FILE:
        raise ValidationError(
            _("%(name)s has files embedded in it, which no one has checked; send them as separate documents.")
            % {"name": name},
            code="pdf_embedded_file",
        )
    if pages < 1:
        raise ValidationError(_("%(name)s has no pages.") % {"name": name}, code="empty_pdf")
    return pages


def _active_content(reader, budget: int) -> str | None:
    """Walk every object reachable from the catalog once, looking for active content, and unpack each
    stream that is not an image: the page contents that print and the mailbox render, form XObjects,
    fonts. Images stay packed: a scanned page is large by right, and never runs. A stream counts as an
    image only where a reader would draw it as one, as an entry of a /XObject resource dictionary: a
    page's /Contents that claims /Subtype /Image is still unpacked. Raises _TooMuchWork past
    PDF_MAX_OBJECTS objects (dictionaries, arrays and indirect objects; numbers and names are cheap)
    or the budget of unpacked bytes."""
    from pypdf import apply_configuration
    from pypdf.errors import LimitReachedError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    walked = (DictionaryObject, ArrayObject, IndirectObject)
    objects_left = settings.PDF_MAX_OBJECTS
    # An object is walked once for each way it can be read: as an XObject (images stay packed) or not.
    seen: set[tuple[int, int, bool]] = set()
    stack = [(reader.trailer["/Root"], _ELSEWHERE)]
    while stack:
        item, place = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation, place == _XOBJECT)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        objects_left -= 1
        if objects_left < 0:
            raise _TooMuchWork("too_complex_pdf")
        if isinstance(item, DictionaryObject):
            found = _kind_of(item)
            if found:
                return found
            drawn_as_image = place == _XOBJECT and item.get("/Subtype") == "/Image"
            if isinstance(item, StreamObject) and not drawn_as_image:
                try:
                    # Each stream may unpack to what is left of the budget, and no more.
                    with apply_configuration(
                        zlib_maximum_output_length=budget,
                        lzw_maximum_output_length=budget,
                        run_length_maximum_output_length=budget,
                    ):
                        budget -= len(item.get_data())
                except LimitReachedError:
                    raise _TooMuchWork("too_complex_pdf") from None
                if budget <= 0:
                    raise _TooMuchWork("too_complex_pdf")
            for name, value in item.items():
                if name in _NOT_WALKED or not isinstance(value, walked):
                    continue
                if place == _XOBJECT_RESOURCES:
                    stack.append((value, _XOBJECT))
                elif name == "/XObject":
                    stack.append((value, _XOBJECT_RESOURCES))
                else:
                    stack.append((value, _ELSEWHERE))
        elif isinstance(item, ArrayObject):
            stack.extend((value, _ELSEWHERE) for value in item if isinstance(value, walked))
    return None


# Where the walk reached an object: a page's /Resources /XObject dictionary, one of its entries (an
# image or a form), or anywhere else.
_XOBJECT_RESOURCES, _XOBJECT, _ELSEWHERE = "xobject-resources", "xobject", "elsewhere"

# Back to the page tree, already walked; and the structure tree of a tagged PDF, often the largest part
# of it, which holds no actions (an annotation it points to is in its page's /Annots too).
_NOT_WALKED = {"/Parent", "/StructTreeRoot"}


def _kind_of(dictionary) -> str | None:
    """Which active content a PDF dictionary is, if any."""
    action = _name(dictionary, "/S")
    if action == "/JavaScript" or "/JS" in dictionary or "/JavaScript" in dictionary or "/XFA" in dictionary:
        return JAVASCRIPT
    if action == "/Launch":
        return LAUNCH
    if (
        "/EmbeddedFiles" in dictionary
        or "/EF" in dictionary
        or _name(dictionary, "/Type") == "/EmbeddedFile"
        or _name(dictionary, "/Subtype") == "/FileAttachment"
    ):
        return EMBEDDED_FILE
    return None


def _name(dictionary, key: str):
    """A dictionary's value as a reader sees it: through an indirect reference, which a name may be."""
    value = dictionary.get(key)
    return value.get_object() if hasattr(value, "get_object") else value
