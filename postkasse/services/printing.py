"""The print channel: each letter becomes a print-ready PDF (an address page for a window
envelope, then the documents), collected into a batch per day, post class and colour."""

import io

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from core.pdf import ADDRESS_WINDOW, render_pdf
from postkasse.models import Letter, PrintBatch, PrintJob
from postkasse.services import keys


def _return_line(letter: Letter) -> str:
    lines = letter.return_address or [letter.sender.display_name()]
    return ", ".join(lines)


def print_ready_pdf(letter: Letter, recipient_lines: list[str]) -> tuple[bytes, int]:
    """The address page and the letter's documents as one PDF; returns it and its page count."""
    address_page = render_pdf(
        render_to_string(
            "postkasse/address_page.html",
            {
                "window": ADDRESS_WINDOW,
                "return_line": _return_line(letter),
                "recipient_lines": recipient_lines,
                "post_class": letter.post_class,
                "letter_id": letter.pk,
            },
        )
    )
    writer = PdfWriter()
    for content in [address_page, *(keys.unseal(d.envelope.read()) for d in letter.documents.all())]:
        writer.append(PdfReader(io.BytesIO(content)))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue(), len(writer.pages)


def queue_for_print(letter: Letter, person) -> PrintJob:
    """Put the letter in today's batch for its post class and colour (called with the letter locked)."""
    address = person.mailing_address
    recipient_lines = [person.full_name, *(address.lines if address else [])]
    pdf, pages = print_ready_pdf(letter, recipient_lines)
    batch, _created = PrintBatch.objects.get_or_create(
        day=timezone.localdate(), post_class=letter.post_class, colour=letter.colour, printed_at__isnull=True
    )
    job = PrintJob(letter=letter, batch=batch, pages=pages)
    job.envelope.save(f"{letter.pk}.p7m", ContentFile(keys.seal(pdf)), save=False)
    job.save()
    letter.channel = Letter.Channel.PRINT
    letter.status = Letter.Status.AWAITING_PRINT
    letter.save(update_fields=["channel", "status"])
    return job
