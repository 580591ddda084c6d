"""Answers from the mailbox: the recipient of a letter whose sender takes replies writes a text and
may attach PDFs; the text becomes a PDF letter to the sender, and the sender's archive files it
(through the `reply_received` signal) or the answer is refused. Nothing is half-done."""

import logging
from dataclasses import dataclass
from pathlib import PurePath
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import override

from core import audit
from core.pdf import Letter as PdfLetter
from core.pdf import LetterSender, paragraphs, render_letter_pdf, validate_pdf
from folkeregister import services as folkeregister
from postkasse.models import Letter
from postkasse.services.errors import PostkasseError
from postkasse.services.mailbox import LetterNotFound, _openable, _record
from postkasse.services.sending import DocumentIn
from postkasse.signals import reply_received

logger = logging.getLogger(__name__)

MAX_TEXT = 5000
REPLY_FILENAME = "svar.pdf"


class InvalidReply(PostkasseError):
    """Bad input in the answer; `field` is the form field it belongs to ("text" or "attachments")."""

    code = "invalid_reply"

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


class ReplyRefused(PostkasseError):
    """No archive took the answer (for example a letter sent through the API): it is not sent."""

    code = "reply_refused"


@dataclass(frozen=True)
class ReplySent:
    letter: Letter
    reference: str  # the journal reference the sender's archive gave the answer


def replyable_letter(identity_number: str, letter_id: UUID | str, *, acr: str) -> Letter:
    """The citizen's own letter, if its sender takes answers. Raises LetterNotFound or StepUpRequired."""
    letter = _openable(identity_number, letter_id, acr)
    if not letter.replies_allowed:
        raise LetterNotFound(_("The letter cannot be answered."))
    return letter


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidReply(_("Write your answer."), field="text")
    if len(text) > MAX_TEXT:
        raise InvalidReply(
            _("The answer can be at most %(count)d characters.") % {"count": MAX_TEXT}, field="text"
        )
    return text


def _clean_attachment(attachment: DocumentIn) -> DocumentIn:
    """A PDF by its content, within the size limit, with a file name the archive can keep."""
    if len(attachment.content) > settings.POSTKASSE_MAX_DOCUMENT_BYTES:
        raise InvalidReply(
            _("%(name)s is larger than %(size)s.")
            % {"name": attachment.filename, "size": filesizeformat(settings.POSTKASSE_MAX_DOCUMENT_BYTES)},
            field="attachments",
        )
    try:
        validate_pdf(attachment.content, attachment.filename)
    except ValidationError as error:
        raise InvalidReply(error.messages[0], field="attachments") from None
    stem = PurePath(attachment.filename).stem[:100].strip() or "vedlegg"
    return DocumentIn(attachment.title or stem, f"{stem}.pdf", attachment.content)


def _clean_attachments(attachments: list[DocumentIn]) -> list[DocumentIn]:
    most = settings.POSTKASSE_MAX_DOCUMENTS - 1  # the answer itself is the first document
    if len(attachments) > most:
        raise InvalidReply(
            _("You can attach at most %(count)d files.") % {"count": most}, field="attachments"
        )
    cleaned = [_clean_attachment(attachment) for attachment in attachments]
    if sum(len(attachment.content) for attachment in cleaned) > settings.POSTKASSE_MAX_LETTER_BYTES:
        raise InvalidReply(
            _("The documents are larger than %(size)s together.")
            % {"size": filesizeformat(settings.POSTKASSE_MAX_LETTER_BYTES)},
            field="attachments",
        )
    return cleaned


def _reply_pdf(letter: Letter, identity_number: str, text: str, *, request) -> DocumentIn:
    """The text as a letter from the citizen to the sender, in the sender's language (the archive's)."""
    try:
        person = folkeregister.lookup_person(identity_number, requested_by="postkasse", request=request)
    except folkeregister.FolkeregisterError:
        raise ReplyRefused(_("This letter cannot be answered here.")) from None
    with override(settings.LANGUAGE_CODE):
        subject = _("Reply to: %(title)s") % {"title": letter.title}
        pdf = render_letter_pdf(
            PdfLetter(
                sender=LetterSender(name=person.full_name, address_lines=[]),
                recipient_lines=[letter.sender.name_nb],
                subject=subject,
                body_html=paragraphs(text),
            )
        )
    return DocumentIn(subject, REPLY_FILENAME, pdf)


def _file_with_sender(
    letter: Letter, identity_number: str, reply: DocumentIn, attachments: list[DocumentIn], *, request
) -> str:
    """The journal reference from the one archive that filed the answer; else ReplyRefused."""
    responses = reply_received.send_robust(
        sender=Letter,
        letter=letter,
        identity_number=identity_number,
        reply=reply,
        attachments=attachments,
        request=request,
    )
    references = []
    for receiver, result in responses:
        if isinstance(result, Exception):
            logger.warning("The answer to letter %s failed in %r", letter.pk, receiver, exc_info=result)
            raise ReplyRefused(_("This letter cannot be answered here."))
        if result:
            references.append(result)
    if len(references) != 1:
        raise ReplyRefused(_("This letter cannot be answered here."))
    return references[0]


def reply_to_letter(
    identity_number: str,
    letter_id: UUID | str,
    *,
    text: str,
    attachments: list[DocumentIn],
    acr: str,
    request=None,
) -> ReplySent:
    """Answer a letter from the mailbox. Raises LetterNotFound, StepUpRequired, InvalidReply or
    ReplyRefused; on any of them nothing is filed."""
    letter = replyable_letter(identity_number, letter_id, acr=acr)
    text = _clean_text(text)
    attachments = _clean_attachments(attachments)
    reply = _reply_pdf(letter, identity_number, text, request=request)
    try:
        with transaction.atomic():
            reference = _file_with_sender(letter, identity_number, reply, attachments, request=request)
            _record(
                "postkasse.letter_answered",
                identity_number,
                letter,
                request=request,
                acr=acr,
                reference=reference,
                attachments=len(attachments),
            )
    except ReplyRefused:
        audit.record(
            "postkasse.letter_answer_refused",
            actor=identity_number,
            request=request,
            object_type="postkasse.letter",
            object_id=str(letter.pk),
            outcome=audit.Outcome.FAILURE,
            details={"sender": letter.sender.organisasjonsnummer},
        )
        raise
    return ReplySent(letter=letter, reference=reference)
