"""PDF/A, the archive format Arkivverket takes PDFs in: which PRONOM format a PDF is, whether a file
that says it is PDF/A holds what ISO 19005 asks for, and conversion of any other PDF to PDF/A-2b
with Ghostscript (Debian's `ghostscript`), run in a scratch folder with a time and memory limit.

The check is structural, read with pikepdf (qpdf): the rules that decide whether a file can be kept
and shown as it looks today (every font embedded, an output intent with its ICC profile, the pdfaid
identification in XMP, no encryption, no LZW, tagged structure for level A, no transparency in
PDF/A-1). It is not a full ISO 19005 validator such as veraPDF, which neither Debian nor PyPI ships.
"""

import importlib.util
import io
import math
import re
import resource
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

# PRONOM's identifiers (The National Archives' registry, as Noark 5's format list uses them).
PDF_VERSIONS = {
    "1.0": "fmt/14",
    "1.1": "fmt/15",
    "1.2": "fmt/16",
    "1.3": "fmt/17",
    "1.4": "fmt/18",
    "1.5": "fmt/19",
    "1.6": "fmt/20",
    "1.7": "fmt/276",
    "2.0": "fmt/1129",
}
PDFA_LEVELS = {
    (1, "A"): "fmt/95",
    (1, "B"): "fmt/354",
    (2, "A"): "fmt/476",
    (2, "B"): "fmt/477",
    (2, "U"): "fmt/478",
    (3, "A"): "fmt/479",
    (3, "B"): "fmt/480",
    (3, "U"): "fmt/481",
}
# The highest PDF version each part is built on: PDF/A-1 on PDF 1.4, PDF/A-2 and -3 on PDF 1.7.
_BASE_VERSION = {1: (1, 4), 2: (1, 7), 3: (1, 7)}

# A conversion may take this long and this much memory; past either it is refused, not waited for.
CONVERSION_SECONDS = 120
CONVERSION_MEMORY_BYTES = 2 * 1024**3
# Nor may it write more than this: a small file that unpacks into a huge one fills no disk.
CONVERSION_OUTPUT_BYTES = 256 * 1024**2
GHOSTSCRIPT = "gs"
# The sRGB profile WeasyPrint embeds in its own PDF/A: converted files carry the same one. Found
# without importing WeasyPrint, which loads Pango at import.
_ICC_PROFILE = Path(importlib.util.find_spec("weasyprint").origin).parent / "pdf" / "sRGB2014.icc"


class ConversionFailed(Exception):
    """The file could not be made PDF/A; `reason` says why, for the log, not for the sender."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PdfA:
    part: int
    conformance: str

    @property
    def format(self) -> str:
        return PDFA_LEVELS[(self.part, self.conformance)]

    @property
    def name(self) -> str:
        return f"PDF/A-{self.part}{self.conformance.lower()}"


PDFA_2B = PdfA(2, "B")


def header_version(content: bytes) -> str | None:
    found = re.match(rb"%PDF-(\d\.\d)", content[:16])
    return found.group(1).decode() if found else None


def pdf_format(content: bytes) -> str:
    """The PRONOM id of a PDF by the version its header declares (PDF 1.7 when it declares none known)."""
    return PDF_VERSIONS.get(header_version(content) or "", PDF_VERSIONS["1.7"])


def claimed_level(pdf) -> PdfA | None:
    """The PDF/A part and level the file's XMP metadata claims, if any."""
    try:
        meta = pdf.open_metadata()
        part, conformance = meta.get("pdfaid:part"), meta.get("pdfaid:conformance")
    except Exception:  # noqa: BLE001 (unreadable XMP is no claim)
        return None
    try:
        level = PdfA(int(part), str(conformance).strip().upper())
    except (TypeError, ValueError):
        return None
    return level if (level.part, level.conformance) in PDFA_LEVELS else None


def pdfa_level(content: bytes) -> PdfA | None:
    """The PDF/A level a file is: claimed in its XMP and passing the structural check; else None."""
    return check(content)[0]


def check(content: bytes) -> tuple[PdfA | None, list[str]]:
    """The level the file claims (None when it claims none or fails) and what fails the check."""
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(content))
    except Exception:  # noqa: BLE001 (qpdf raises several types on garbage)
        return None, ["unreadable"]
    with pdf:
        level = claimed_level(pdf)
        if level is None:
            return None, ["no pdfaid identification in XMP metadata"]
        problems = _problems(pdf, level, content)
    return (None if problems else level), problems


def _problems(pdf, level: PdfA, content: bytes) -> list[str]:
    import pikepdf

    problems = []
    version = header_version(content)
    if version is None or tuple(map(int, version.split("."))) > _BASE_VERSION[level.part]:
        problems.append(f"PDF version {version} is above what {level.name} allows")
    if pdf.is_encrypted:
        problems.append("encrypted")
    if "/ID" not in pdf.trailer:
        problems.append("no file identifier in the trailer")
    intents = [
        intent
        for intent in pdf.Root.get("/OutputIntents", pikepdf.Array())
        if isinstance(intent, pikepdf.Dictionary) and intent.get("/S") == "/GTS_PDFA1"
    ]
    if not intents or not all(isinstance(i.get("/DestOutputProfile"), pikepdf.Stream) for i in intents):
        problems.append("no PDF/A output intent with an ICC profile")
    if level.conformance == "A":
        marked = pdf.Root.get("/MarkInfo", pikepdf.Dictionary()).get("/Marked", False)
        if not (marked and "/StructTreeRoot" in pdf.Root):
            problems.append("level A needs a tagged PDF (MarkInfo and a structure tree)")
    if level.part < 3 and "/EmbeddedFiles" in pdf.Root.get("/Names", pikepdf.Dictionary()):
        problems.append("embedded files")
    problems.extend(_resource_problems(pdf, level))
    return problems


def _resource_problems(pdf, level: PdfA) -> list[str]:
    """Fonts that are not embedded, LZW-packed streams, and (PDF/A-1) transparency, in what the
    pages draw: their resources, form XObjects inside them, and annotation appearances. The walk
    sees each object once and stops at the same object budget validate_pdf keeps."""
    import pikepdf

    problems: set[str] = set()
    budget = settings.PDF_MAX_OBJECTS
    seen: set[tuple[int, int]] = set()
    stack = []
    for page in pdf.pages:
        stack.append(page.obj)
        if level.part == 1 and page.obj.get("/Group", pikepdf.Dictionary()).get("/S") == "/Transparency":
            problems.add("transparency (not allowed in PDF/A-1)")
    while stack:
        item = stack.pop()
        if item.is_indirect:
            key = item.objgen
            if key in seen:
                continue
            seen.add(key)
        budget -= 1
        if budget < 0:
            problems.add("too complex to check")
            break
        if isinstance(item, pikepdf.Stream):
            filters = item.get("/Filter")
            names = list(filters) if isinstance(filters, pikepdf.Array) else [filters]
            if pikepdf.Name.LZWDecode in names:
                problems.add("LZW compression")
        if isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
            kind = item.get("/Type")
            if kind == "/Font" or "/BaseFont" in item:
                problems.update(_font_problems(item))
            if level.part == 1 and (
                item.get("/SMask") not in (None, pikepdf.Name("/None"))
                or (item.get("/Group", pikepdf.Dictionary()).get("/S") == "/Transparency")
            ):
                problems.add("transparency (not allowed in PDF/A-1)")
            for name, value in item.items():
                if name in ("/Parent", "/P", "/StructParents") or not isinstance(
                    value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream
                ):
                    continue
                stack.append(value)
        elif isinstance(item, pikepdf.Array):
            stack.extend(
                value
                for value in item
                if isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream)
            )
    return sorted(problems)


def _font_problems(font) -> list[str]:
    import pikepdf

    if font.get("/Subtype") == "/Type3":
        return []  # drawn with the file's own glyph procedures: nothing to embed
    if font.get("/Subtype") == "/Type0":
        descendants = font.get("/DescendantFonts", pikepdf.Array())
        return [problem for child in descendants for problem in _font_problems(child)]
    descriptor = font.get("/FontDescriptor")
    if not isinstance(descriptor, pikepdf.Dictionary) or not any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
    ):
        return [f"font {font.get('/BaseFont', '?')} not embedded"]
    return []


def ghostscript_version() -> str:
    try:
        answer = subprocess.run(  # noqa: S603
            [GHOSTSCRIPT, "--version"], capture_output=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return answer.stdout.decode().strip()


def _limits() -> None:
    """In the Ghostscript child: no more memory, CPU time or file size than the budgets."""
    resource.setrlimit(resource.RLIMIT_AS, (CONVERSION_MEMORY_BYTES, CONVERSION_MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_FSIZE, (CONVERSION_OUTPUT_BYTES, CONVERSION_OUTPUT_BYTES))
    seconds = math.ceil(CONVERSION_SECONDS)
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))


# A Ghostscript prefix file (PostScript pdfmarks) that gives the output its PDF/A output intent.
_OUTPUT_INTENT = """%!
[/_objdef {{icc}} /type /stream /OBJ pdfmark
[{{icc}} << /N 3 >> /PUT pdfmark
[{{icc}} ({profile}) (r) file /PUT pdfmark
[/_objdef {{intent}} /type /dict /OBJ pdfmark
[{{intent}} << /Type /OutputIntent /S /GTS_PDFA1 /DestOutputProfile {{icc}}
  /OutputConditionIdentifier (sRGB IEC61966-2.1) /Info (sRGB IEC61966-2.1) >> /PUT pdfmark
[{{Catalog}} << /OutputIntents [ {{intent}} ] >> /PUT pdfmark
"""


def convert_to_pdfa(content: bytes) -> bytes:
    """The PDF as PDF/A-2b, made by Ghostscript and checked after; raises ConversionFailed.

    Ghostscript runs with -dSAFER (it may read only the input, the prefix and the ICC profile and
    write only the output), in a folder of its own that is removed afterwards, killed at the time
    limit. PDFACompatibilityPolicy=1 drops what PDF/A forbids (such as interpolation flags) rather
    than giving up; the check afterwards decides whether what came out is PDF/A."""
    if shutil.which(GHOSTSCRIPT) is None:
        raise ConversionFailed("Ghostscript (gs) is not installed")
    with tempfile.TemporaryDirectory(prefix="felles-pdfa-") as folder:
        work = Path(folder)
        (work / "in.pdf").write_bytes(content)
        (work / "pdfa.ps").write_text(_OUTPUT_INTENT.format(profile=_ICC_PROFILE))
        command = [
            GHOSTSCRIPT, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNOINTERPOLATE",
            "-sDEVICE=pdfwrite", "-dPDFA=2", "-dPDFACompatibilityPolicy=1",
            "-sColorConversionStrategy=RGB", "-dCompatibilityLevel=1.7",
            f"--permit-file-read={_ICC_PROFILE}", "-sOutputFile=out.pdf", "pdfa.ps", "in.pdf",
        ]  # fmt: skip
        try:
            result = subprocess.run(  # noqa: S603
                command, cwd=work, capture_output=True, timeout=CONVERSION_SECONDS, preexec_fn=_limits
            )
        except subprocess.TimeoutExpired:
            raise ConversionFailed(f"Ghostscript took longer than {CONVERSION_SECONDS} s") from None
        output = work / "out.pdf"
        if result.returncode != 0 or not output.exists():
            error = result.stderr.decode(errors="replace").strip()[-500:]
            raise ConversionFailed(f"Ghostscript exited with {result.returncode}: {error}")
        converted = output.read_bytes()
    level, problems = check(converted)
    if level != PDFA_2B:
        raise ConversionFailed("the converted file fails the PDF/A-2b check: " + ", ".join(problems))
    return converted
