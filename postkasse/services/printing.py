"""The print channel: each letter becomes a print-ready PDF (an address page for a window
envelope, then the documents), collected into a batch per day, post class and colour. The print
room downloads a batch as one PDF with a manifest and marks it printed; letters to deceased
persons and protected addresses are held for manual handling and never enter a batch.

A batch takes letters during its day and is closed from the next day on: only a closed batch
can be marked printed, so a letter queued after the download is never marked printed unseen."""

import io
from functools import lru_cache
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter

from core import audit
from core.pdf import ADDRESS_WINDOW, render_pdf
from core.stamping import LetterStamp
from folkeregister import services as folkeregister
from postkasse.models import Document, Letter, PrintBatch, PrintJob, Receipt
from postkasse.services import keys, sending
from postkasse.services.errors import PostkasseError
from postkasse.signals import letter_printed
from virksomheter.models import Organisation

BATCH_OBJECT_TYPE = "postkasse.printbatch"


def _return_line(letter: Letter) -> str:
    lines = letter.return_address or [letter.sender.display_name()]
    return ", ".join(lines)


# What an address page may be stamped with: Latin letters as Norwegian, Sámi and most European names
# use them, and common punctuation. Anything else is laid out the ordinary way.
ADDRESS_ALPHABET = "".join(map(chr, [*range(0x20, 0x7F), *range(0xA0, 0x180)])) + "–—·‘’“”…"


def _address_html(letter: Letter, recipient_lines: list[str], *, letter_id) -> str:
    return render_to_string(
        "postkasse/address_page.html",
        {
            "window": ADDRESS_WINDOW,
            "return_line": _return_line(letter),
            "recipient_lines": recipient_lines,
            "post_class": letter.post_class,
            "letter_id": letter_id,
        },
    )


@lru_cache(maxsize=32)
def _address_stamp(html: str) -> LetterStamp:
    return LetterStamp(html, {"recipient": 6, "marks": 1}, alphabet=ADDRESS_ALPHABET)


def address_page(letter: Letter, recipient_lines: list[str]) -> bytes:
    """The window-envelope page: laid out once per sender and post class, the address stamped in."""
    stamp = _address_stamp(_address_html(letter, [], letter_id=""))
    values = {"recipient": recipient_lines, "marks": [f"{letter.post_class}-post · {letter.pk}"]}
    if all(stamp.fits(slot, lines) for slot, lines in values.items()):
        return stamp.letter(values)
    return render_pdf(_address_html(letter, recipient_lines, letter_id=letter.pk))


def _append_letter(writer: PdfWriter, address: bytes, letter: Letter) -> None:
    for content in [address, *(keys.unseal(d.envelope.read()) for d in letter.documents.all())]:
        writer.append(PdfReader(io.BytesIO(content)))


def print_job_pdf(job: PrintJob) -> bytes:
    """One letter as it is printed: its address page, then its documents."""
    writer = PdfWriter()
    with job.envelope.open("rb") as envelope:
        _append_letter(writer, keys.unseal(envelope.read()), job.letter)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def recipient_lines(letter: Letter, person) -> list[str]:
    """The envelope's address: the one the sender gave for this letter, or the population
    register's mailing address."""
    given = letter.print_address
    if given:
        place = " ".join(part for part in (given.get("postal_code"), given.get("postal_area")) if part)
        return [
            given["name"],
            *given["lines"],
            *([place] if place else []),
            *([given["country"]] if given.get("country") else []),
        ]
    address = person.mailing_address
    return [person.full_name, *(address.lines if address else [])]


def queue_for_print(letter: Letter, person) -> PrintJob:
    """Put the letter in today's batch for its post class and colour (called with the letter locked)."""
    return queue_for_print_many([(letter, person)])[0]


def queue_for_print_many(letters: list[tuple[Letter, Any]]) -> list[PrintJob]:
    """Put each (letter, person) in today's batch for its post class and colour, with the letters
    locked. Only the address pages are made now; the batch PDF joins each to its documents when
    the batch is fetched."""
    batches: dict = {}
    pages = dict(
        Document.objects.filter(letter__in=[letter for letter, _person in letters])
        .values_list("letter")
        .annotate(pages=Sum("pages"))
        .order_by()
    )
    jobs = []
    for letter, person in letters:
        page = address_page(letter, recipient_lines(letter, person))
        kind = (letter.post_class, letter.colour)
        if kind not in batches:
            batches[kind], _created = PrintBatch.objects.get_or_create(
                day=timezone.localdate(),
                post_class=letter.post_class,
                colour=letter.colour,
                printed_at__isnull=True,
                closed_at__isnull=True,
            )
        job = PrintJob(letter=letter, batch=batches[kind], pages=1 + (pages.get(letter.pk) or 0))
        job.envelope.save(f"{letter.pk}.p7m", ContentFile(keys.seal(page)), save=False)
        jobs.append(job)
        letter.channel = Letter.Channel.PRINT
        letter.status = Letter.Status.AWAITING_PRINT
    PrintJob.objects.bulk_create(jobs, batch_size=sending.BULK_SIZE)
    Letter.objects.bulk_update([letter for letter, _person in letters], ["channel", "status"])
    return jobs


def submit_paper_letter(
    sender: Organisation,
    *,
    recipient: str,
    pdf: bytes,
    title: str,
    idempotency_key: str,
    post_class: str = Letter.PostClass.A,
    return_address: list[str] | tuple = (),
) -> Letter:
    """A letter that goes on paper whatever the registers say (MinID's PIN letters). The PDF
    carries no address: the print channel puts its own address page in front of it."""
    letter, _created = sending.accept_letter(
        sender,
        idempotency_key=idempotency_key,
        recipient=recipient,
        title=title,
        documents=[sending.DocumentIn(title, f"{idempotency_key}.pdf", pdf)],
        paper_only=True,
        print_fallback=True,
        post_class=post_class,
        return_address=list(return_address),
    )
    return letter


def find_letter(sender: Organisation, idempotency_key: str) -> Letter | None:
    """The letter a sender handed over with this key, if any."""
    return Letter.objects.filter(sender=sender, idempotency_key=idempotency_key).first()


def letter_status(sender: Organisation, idempotency_key: str) -> str | None:
    letter = find_letter(sender, idempotency_key)
    return letter.status if letter else None


def is_closed(batch: PrintBatch) -> bool:
    """Closed for printing and not yet printed: its day is over, or the print room closed it."""
    return batch.printed_at is None and (batch.closed_at is not None or batch.day < timezone.localdate())


def close_batch(batch: PrintBatch, *, closed_by: Any, request=None) -> PrintBatch:
    """Close today's batch now, to print it before the day is over; later letters go to a new one."""
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.printed_at is None and batch.closed_at is None:
            batch.closed_at = timezone.now()
            batch.save(update_fields=["closed_at"])
            audit.record(
                "postkasse.print_batch_closed",
                actor=closed_by,
                request=request,
                object_type=BATCH_OBJECT_TYPE,
                object_id=str(batch.pk),
            )
    return batch


def batch_jobs(batch: PrintBatch):
    """The batch's jobs in print order: the order they were queued, which never changes."""
    return batch.jobs.select_related("letter__sender").order_by("pk")


def _postal_codes(numbers: list[str]) -> dict[str, str]:
    codes = {}
    for start in range(0, len(numbers), folkeregister.MAX_NUMBERS_PER_LOOKUP):
        found = folkeregister.lookup_persons(
            numbers[start : start + folkeregister.MAX_NUMBERS_PER_LOOKUP], requested_by="postkasse"
        ).persons
        for number, person in found.items():
            address = person.mailing_address
            codes[number] = address.postal_code if address else ""
    return codes


def batch_manifest(batch: PrintBatch) -> list[dict]:
    """Where each letter sits in the batch PDF. Postal codes only: the print room must not read
    names, addresses or identity numbers off the manifest."""
    jobs = list(batch_jobs(batch))
    postal_codes = _postal_codes(
        sorted({job.letter.recipient for job in jobs if not job.letter.print_address})
    )
    manifest, first = [], 1
    for job in jobs:
        letter = job.letter
        manifest.append(
            {
                "letter": str(letter.pk),
                "sender": letter.sender.organisasjonsnummer,
                "post_class": letter.post_class,
                "colour": letter.colour,
                "return_handling": letter.return_handling,
                "pages": job.pages,
                "first_page": first,
                "last_page": first + job.pages - 1,
                "postal_code": (
                    letter.print_address.get("postal_code", "")
                    if letter.print_address
                    else postal_codes.get(letter.recipient, "")
                ),
            }
        )
        first += job.pages
    return manifest


def batch_pdf(batch: PrintBatch, *, downloaded_by: Any, request=None) -> bytes:
    """Every letter of the batch as one PDF, in the manifest's order. The download is audited."""
    writer = PdfWriter()
    jobs = list(batch_jobs(batch))
    for job in jobs:
        with job.envelope.open("rb") as envelope:
            _append_letter(writer, keys.unseal(envelope.read()), job.letter)
    output = io.BytesIO()
    writer.write(output)
    audit.record(
        "postkasse.print_batch_downloaded",
        actor=downloaded_by,
        request=request,
        object_type=BATCH_OBJECT_TYPE,
        object_id=str(batch.pk),
        details={"letters": len(jobs), "pages": len(writer.pages)},
    )
    return output.getvalue()


def _mark_printed(letter: Letter, *, printed_by: Any, reason: str = "") -> None:
    """A locked letter is on paper and posted: priced now, a printed receipt, and the news out."""
    letter.status = Letter.Status.PRINTED
    letter.price_ore = sending.price_of(Letter.Channel.PRINT, letter.size)
    letter.save(update_fields=["status", "price_ore"])
    sending._audit(letter, "printed", actor=printed_by, reason=reason)
    sending.register_receipt(letter, Receipt.Kind.PRINTED, reason)
    letter_printed.send(sender=Letter, letter=letter)


def mark_batch_printed(batch: PrintBatch, *, printed_by: Any, request=None) -> int:
    """The print room has printed and posted a closed batch: returns how many letters that marked.
    Marking a batch twice does nothing the second time."""
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.printed_at is not None:
            return 0
        if not is_closed(batch):
            raise PostkasseError(
                _(
                    "The batch for %(day)s still takes letters: close it for printing first, or wait until tomorrow."
                )
                % {"day": batch.day}
            )
        letters = Letter.objects.select_for_update(of=("self",)).select_related("sender")
        count = 0
        for letter in letters.filter(print_job__batch=batch, status=Letter.Status.AWAITING_PRINT):
            _mark_printed(letter, printed_by=printed_by)
            count += 1
        batch.printed_at = timezone.now()
        batch.save(update_fields=["printed_at"])
        audit.record(
            "postkasse.print_batch_printed",
            actor=printed_by,
            request=request,
            object_type=BATCH_OBJECT_TYPE,
            object_id=str(batch.pk),
            details={"letters": count},
        )
    return count


def held_letters():
    """Letters to deceased persons and protected addresses, waiting for manual handling."""
    return Letter.objects.filter(status=Letter.Status.HELD).select_related("sender").order_by("accepted_at")


def held_documents(letter: Letter, *, downloaded_by: Any, request=None) -> bytes:
    """A held letter's documents as one PDF, without any address, for the person who handles it."""
    if letter.status != Letter.Status.HELD:
        raise PostkasseError(_("Only held letters are handled manually."))
    writer = PdfWriter()
    for document in letter.documents.all():
        with document.envelope.open("rb") as envelope:
            writer.append(PdfReader(io.BytesIO(keys.unseal(envelope.read()))))
    output = io.BytesIO()
    writer.write(output)
    sending._audit(letter, "held_documents_downloaded", actor=downloaded_by)
    return output.getvalue()


def mark_sent_manually(letter: Letter, *, handled_by: Any) -> Letter:
    """A held letter was addressed and posted by hand. Doing it twice does nothing more."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update(of=("self",)).select_related("sender").get(pk=letter.pk)
        if letter.status == Letter.Status.HELD:
            _mark_printed(letter, printed_by=handled_by, reason=_("Sent after manual handling."))
        elif letter.status != Letter.Status.PRINTED:
            raise PostkasseError(_("Only held letters are handled manually."))
    return letter


def mark_returned(letter: Letter, *, returned_by: Any, reason: str = "") -> Letter:
    """A printed letter came back to the sender (returpost), e.g. unknown at the address."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update(of=("self",)).select_related("sender").get(pk=letter.pk)
        if letter.status == Letter.Status.RETURNED:
            return letter
        if letter.status != Letter.Status.PRINTED:
            raise PostkasseError(_("Only a printed letter can come back as returned mail."))
        letter.status = Letter.Status.RETURNED
        letter.save(update_fields=["status"])
        sending._audit(letter, "returned", actor=returned_by, reason=reason)
        sending.register_receipt(letter, Receipt.Kind.RETURNED, reason)
    return letter
