"""Hostile PDFs as bytes, for the upload checks: each is a small file a real attacker could send."""

import io
import zlib

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)


def assemble(objects: list[bytes], *, trailer: bytes = b"") -> bytes:
    """Objects numbered from 1 (object 1 is the catalog) with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    )
    return out.getvalue()


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def page_tree_bomb(depth: int = 17) -> bytes:
    """About 1 KB: every /Pages node lists the next one twice, so the tree has 2**depth pages
    while its /Count says 1."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        number = 2 + level
        objects.append(b"<< /Type /Pages /Kids [%d 0 R %d 0 R] /Count 1 >>" % (number + 1, number + 1))
    objects.append(b"<< /Type /Page /MediaBox [0 0 595 842] >>")
    return assemble(objects)


def inflation_bomb(megabytes: int = 300, *, claims_image: bool = False, also_as_image: bool = False) -> bytes:
    """One page whose content stream is a few hundred KB compressed and `megabytes` inflated. The stream
    may claim /Subtype /Image, and may also be listed as an image in the page's /XObject resources."""
    compressor = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    data = b"".join(compressor.compress(chunk) for _ in range(megabytes)) + compressor.flush()
    image = b" /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8"
    resources = b" /Resources << /XObject << /Im1 4 0 R >> >>" if also_as_image else b""
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R" + resources + b" >>",
            stream(b"/Filter /FlateDecode" + (image if claims_image or also_as_image else b""), data),
        ]
    )


def one_page(**catalog_entries) -> bytes:
    """A valid one-page PDF from pypdf, with extra entries in its catalog."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    for key, value in catalog_entries.items():
        writer._root_object[NameObject(f"/{key}")] = writer._add_object(value)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def action(kind: str, **entries) -> DictionaryObject:
    found = DictionaryObject({NameObject("/S"): NameObject(f"/{kind}")})
    for key, value in entries.items():
        found[NameObject(f"/{key}")] = value
    return found


def with_javascript() -> bytes:
    return one_page(OpenAction=action("JavaScript", JS=TextStringObject("app.alert('hei')")))


def with_launch_action() -> bytes:
    return one_page(OpenAction=action("Launch", F=TextStringObject("cmd.exe")))


def with_embedded_file() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("faktura.exe", b"MZ\x90\x00")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_file_attachment_annotation() -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    embedded = DecodedStreamObject()
    embedded.set_data(b"MZ\x90\x00")
    embedded[NameObject("/Type")] = NameObject("/EmbeddedFile")
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/FileAttachment"),
            NameObject("/Rect"): ArrayObject(
                [NumberObject(10), NumberObject(10), NumberObject(30), NumberObject(30)]
            ),
            NameObject("/FS"): DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Filespec"),
                    NameObject("/F"): TextStringObject("vedlegg.exe"),
                    NameObject("/EF"): DictionaryObject({NameObject("/F"): writer._add_object(embedded)}),
                }
            ),
        }
    )
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_page_javascript_link() -> bytes:
    """JavaScript hidden in a link annotation's action on the page, not in the catalog."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject(
                [NumberObject(0), NumberObject(0), NumberObject(595), NumberObject(842)]
            ),
            NameObject("/A"): action("JavaScript", JS=TextStringObject("this.submitForm('https://x')")),
        }
    )
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def large_pdf(megabytes: float) -> bytes:
    """A valid one-page PDF of about `megabytes`: a gray image stored uncompressed, drawn on the page."""
    side = int((megabytes * 1024 * 1024) ** 0.5)
    pixels = bytes(range(256)) * (side * side // 256 + 1)
    pixels = pixels[: side * side]
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /XObject << /Im1 5 0 R >> >> >>",
            stream(b"", b"q 500 0 0 500 47 171 cm /Im1 Do Q"),
            stream(
                b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8"
                % (side, side),
                pixels,
            ),
        ]
    )


def many_objects(count: int) -> bytes:
    """One page, and `count` tiny objects reachable from the catalog: each costs the check a lookup."""
    per_array = 50_000
    arrays = [range(start, min(count, start + per_array)) for start in range(0, count, per_array)]
    first = 5 + len(arrays)
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Extra 4 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
            b"[" + b" ".join(b"%d 0 R" % (5 + n) for n in range(len(arrays))) + b"]",
            *(b"[" + b" ".join(b"%d 0 R" % (first + n) for n in numbers) + b"]" for numbers in arrays),
            *(b"<< /N %d >>" % n for n in range(count)),
        ]
    )


def with_indirect_launch_action() -> bytes:
    """A launch action whose type is an indirect object, and written with an escaped letter
    (/La#75nch): a reader resolves and unescapes both."""
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
            b"<< /S 5 0 R /F (cmd.exe) >>",
            b"/La#75nch",
        ]
    )
