"""Many letters that share one layout, fast: render the shared letter once with WeasyPrint, leaving
empty slots (the address window, a greeting line), then write each recipient's text into the
slots as an incremental update of that PDF (ISO 32000-1, 7.5.6).

Per letter this costs a few hundred bytes of content stream and a cross-reference stream instead
of a layout: the text is set in the same font (DejaVu Sans, subset once for the whole batch and
embedded with a ToUnicode map, so the text can be searched and extracted) at the slot's position.
A text that does not fit its slot, or has a character the font lacks, is refused (`fits`): the
caller renders that letter the ordinary way."""

import io
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from fontTools import subset
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

FONT_NAME = "/FStamp"
PX_TO_PT = 0.75  # CSS pixels to PDF points
TEXT_GRAY = 0.067  # #111, the letter's text colour


@dataclass(frozen=True)
class Slot:
    """Where a slot's text goes: page index, left and first baseline in PDF points, width, size, leading."""

    page: int
    x: float
    baseline: float
    width: float
    size: float
    leading: float
    lines: int


def _font_path() -> Path:
    return Path(settings.STAMP_FONT_FILE)


class _Font:
    """DejaVu Sans subset to the characters of one batch, as a Type0/CIDFontType2 font."""

    def __init__(self, alphabet: str):
        full = TTFont(_font_path())
        options = subset.Options()
        options.notdef_outline = True
        options.name_IDs = ["*"]
        options.drop_tables += ["FFTM"]  # FontForge's timestamps: not needed, and fontTools warns about them
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes={ord(c) for c in alphabet})
        subsetter.subset(full)
        buffer = io.BytesIO()
        full.save(buffer)
        self.data = buffer.getvalue()
        self.units = full["head"].unitsPerEm
        self.ascent = full["hhea"].ascent / self.units
        self.descent = -full["hhea"].descent / self.units
        cmap = full.getBestCmap()
        self.gid = {chr(code): full.getGlyphID(name) for code, name in cmap.items()}
        self.advance = {char: full["hmtx"][cmap[ord(char)]][0] * 1000 / self.units for char in self.gid}

    def has(self, text: str) -> bool:
        return all(char in self.gid for char in text)

    def width(self, text: str, size: float) -> float:
        return sum(self.advance[char] for char in text) * size / 1000

    def encode(self, text: str) -> str:
        return "".join(f"{self.gid[char]:04X}" for char in text)

    def objects(self, first: int) -> tuple[list[bytes], int]:
        """The font's objects numbered from `first`; returns them and the Type0 font's number."""
        type0, cid, descriptor, file, to_unicode = range(first, first + 5)
        widths = " ".join(
            f"{gid} [{round(self.advance[char])}]"
            for char, gid in sorted(self.gid.items(), key=lambda i: i[1])
        )
        cmap_lines = "\n".join(f"<{gid:04X}> <{ord(char):04X}>" for char, gid in self.gid.items())
        cmap = (
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo "
            "<< /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def /CMapName /Stamp-UCS def /CMapType 2 def "
            f"1 begincodespacerange <0000> <FFFF> endcodespacerange {len(self.gid)} beginbfchar\n{cmap_lines}\n"
            "endbfchar endcmap CMapName currentdict /CMap defineresource pop end end"
        ).encode()
        packed = zlib.compress(self.data)
        return [
            _obj(type0, b"<< /Type /Font /Subtype /Type0 /BaseFont /STAMPA+DejaVuSans /Encoding /Identity-H "
                 b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cid, to_unicode)),
            _obj(cid, (f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STAMPA+DejaVuSans /CIDSystemInfo "
                       f"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor {descriptor} 0 R "
                       f"/CIDToGIDMap /Identity /W [{widths}] >>").encode()),
            _obj(descriptor, (f"<< /Type /FontDescriptor /FontName /STAMPA+DejaVuSans /Flags 32 /FontBBox [-1021 -463 1793 1232] "
                              f"/ItalicAngle 0 /Ascent {round(self.ascent * 1000)} /Descent {-round(self.descent * 1000)} "
                              f"/CapHeight 729 /StemV 80 /FontFile2 {file} 0 R >>").encode()),
            _stream(file, packed, b"/Filter /FlateDecode /Length1 %d" % len(self.data)),
            _stream(to_unicode, cmap),
        ], type0  # fmt: skip


def _obj(number: int, body: bytes) -> bytes:
    return b"%d 0 obj\n%s\nendobj\n" % (number, body)


def _stream(number: int, data: bytes, extra: bytes = b"") -> bytes:
    return b"%d 0 obj\n<< /Length %d %s >>\nstream\n%s\nendstream\nendobj\n" % (
        number,
        len(data),
        extra,
        data,
    )


def _serialise(value) -> bytes:
    buffer = io.BytesIO()
    value.write_to_stream(buffer)
    return buffer.getvalue()


class LetterStamp:
    """One shared letter and its slots (element ids in the HTML), ready to stamp many times."""

    def __init__(self, html: str, slots: dict[str, int], *, alphabet: str, base_url: str | None = None):
        """`slots` maps each slot's element id to the most lines it may hold."""
        from weasyprint import HTML

        self.max_lines = slots
        document = HTML(string=html, base_url=base_url or str(settings.BASE_DIR)).render()
        self.font = _Font(alphabet)
        self.slots = {}
        for index, page in enumerate(document.pages):
            height = page.height * PX_TO_PT
            for box in _boxes(page._page_box):
                element_id = box.element.get("id") if getattr(box, "element", None) is not None else None
                if element_id in slots and element_id not in self.slots:
                    self.slots[element_id] = self._slot(box, index, height)
        missing = set(slots) - set(self.slots)
        if missing:
            raise ValueError(f"The letter has no slot {', '.join(sorted(missing))}.")
        self.pages = len(document.pages)  # every stamped letter has as many
        self.base = document.write_pdf()
        self._prepare_update()

    def _slot(self, box, page: int, page_height: float) -> Slot:
        size = box.style["font_size"] * PX_TO_PT
        leading = _leading(box.style["line_height"], size)
        half_leading = (leading - (self.font.ascent + self.font.descent) * size) / 2
        top = box.content_box_y() * PX_TO_PT
        return Slot(
            page=page,
            x=box.content_box_x() * PX_TO_PT,
            baseline=page_height - (top + half_leading + self.font.ascent * size),
            width=box.width * PX_TO_PT,
            size=size,
            leading=leading,
            lines=self.max_lines[box.element.get("id")],
        )

    def _prepare_update(self) -> None:
        reader = PdfReader(io.BytesIO(self.base))
        self.previous_xref = int(re.findall(rb"startxref\s+(\d+)", self.base)[-1])
        size = int(reader.trailer["/Size"])
        self.trailer = b"/Root %s /Info %s" % (
            _serialise(reader.trailer.raw_get("/Root")),
            _serialise(reader.trailer.raw_get("/Info")) if "/Info" in reader.trailer else b"null",
        )
        font_objects, font_number = self.font.objects(size)
        stamped_pages = sorted({slot.page for slot in self.slots.values()})
        # The page's own content leaves its coordinate system changed: it goes between q (a stream of
        # its own, shared by the pages) and the Q that starts the stamp.
        save_number = size + 5
        self.content_numbers = {page: size + 6 + i for i, page in enumerate(stamped_pages)}
        self.size = size + 6 + len(stamped_pages)
        constant, offsets = b"", {}
        base_length = len(self.base)
        for number, body in zip(
            range(size, size + 6), [*font_objects, _stream(save_number, b"q")], strict=True
        ):
            offsets[number] = base_length + len(constant)
            constant += body
        for page_index in stamped_pages:
            page = reader.pages[page_index]
            reference = page.indirect_reference
            dictionary = DictionaryObject(page)
            contents = page.raw_get("/Contents")
            old = list(contents) if isinstance(contents, ArrayObject) else [contents]
            dictionary[NameObject("/Contents")] = ArrayObject(
                [
                    IndirectObject(save_number, 0, reader),
                    *old,
                    IndirectObject(self.content_numbers[page_index], 0, reader),
                ]
            )
            resources = DictionaryObject(page["/Resources"])
            fonts = DictionaryObject(resources.get("/Font", DictionaryObject()))
            fonts[NameObject(FONT_NAME)] = IndirectObject(font_number, 0, reader)
            resources[NameObject("/Font")] = fonts
            dictionary[NameObject("/Resources")] = resources
            offsets[reference.idnum] = base_length + len(constant)
            constant += _obj(reference.idnum, _serialise(dictionary))
        self.constant = b"\n" + constant
        self.constant_offsets = {number: offset + 1 for number, offset in offsets.items()}

    def fits(self, slot_id: str, lines: list[str]) -> bool:
        slot = self.slots[slot_id]
        return len(lines) <= slot.lines and all(
            self.font.has(line) and self.font.width(line, slot.size) <= slot.width for line in lines
        )

    def letter(self, values: dict[str, list[str]]) -> bytes:
        """The letter with each slot's lines written in; check `fits` first."""
        streams: dict[int, list[str]] = {page: [] for page in self.content_numbers}
        for slot_id, lines in values.items():
            slot = self.slots[slot_id]
            for index, line in enumerate(lines):
                y = slot.baseline - index * slot.leading
                streams[slot.page].append(
                    f"BT {FONT_NAME} {slot.size:.2f} Tf {slot.x:.2f} {y:.2f} Td <{self.font.encode(line)}> Tj ET"
                )
        output = bytearray(self.base)
        output += self.constant
        offsets = dict(self.constant_offsets)
        for page, number in self.content_numbers.items():
            offsets[number] = len(output)
            output += _stream(number, f"Q q {TEXT_GRAY} g {' '.join(streams[page])} Q".encode())
        xref_number = self.size
        offsets[xref_number] = len(output)
        numbers = sorted(offsets)
        index = " ".join(f"{n} 1" for n in numbers)
        rows = b"".join(b"\x01" + offsets[n].to_bytes(4, "big") + b"\x00\x00" for n in numbers)
        output += _stream(
            xref_number,
            rows,
            b"/Type /XRef /Size %d /Index [%s] /W [1 4 2] /Prev %d %s"
            % (xref_number + 1, index.encode(), self.previous_xref, self.trailer),
        )
        output += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
        return bytes(output)


def _leading(line_height, size: float) -> float:
    """The line height in points from WeasyPrint's computed value: a factor, a length, or normal."""
    if isinstance(line_height, int | float):
        return line_height * size
    if getattr(line_height, "unit", None) == "px":
        return line_height.value * PX_TO_PT
    return 1.2 * size


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)
