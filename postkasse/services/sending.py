"""The send chain: accept a letter (transactional with its idempotency key), route it by the
contact register and the population register, deliver it to the mailbox or hand it to print,
notify the recipient, and report every step back to the sender as a receipt.

Every step after acceptance is a task that may run twice: each takes the letter's row lock,
checks the letter's state, and does nothing if the step is already done."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core import audit
from core.pdf import validate_pdf
from folkeregister import services as folkeregister
from folkeregister.identity import parse_identity_number
from folkeregister.models import AddressProtection, Status
from kontaktregister import services as kontaktregister
from postkasse import crypto
from postkasse.models import Document, Letter, Mailbox, Price, Provider, Receipt
from postkasse.services import keys
from postkasse.services.errors import InvalidLetter, ProviderUnavailable
from virksomheter.models import Organisation

MAX_REMINDERS = 3


@dataclass(frozen=True)
class DocumentIn:
    title: str
    filename: str
    content: bytes


def _check_pdf(document: DocumentIn) -> int:
    """The document's page count, if it is a PDF by its content."""
    try:
        return validate_pdf(document.content, document.filename)
    except ValidationError as error:
        raise InvalidLetter(error.messages[0]) from None


def _validate(
    recipient: str, title: str, documents: list[DocumentIn], security_level: int, reminder_days
) -> tuple[str, list[int]]:
    """The recipient's number as stored, and each document's page count; or InvalidLetter."""
    try:
        recipient = parse_identity_number(str(recipient)).number
    except ValidationError as error:
        raise InvalidLetter(" ".join(error.messages)) from None
    if not title.strip() or len(title) > 200:
        raise InvalidLetter(_("The title must be 1 to 200 characters."))
    if security_level not in (3, 4):
        raise InvalidLetter(_("The security level must be 3 or 4."))
    if len(reminder_days) > MAX_REMINDERS or any(not (1 <= day <= 60) for day in reminder_days):
        raise InvalidLetter(_("At most 3 reminders, each after 1 to 60 days."))
    if not documents:
        raise InvalidLetter(_("A letter needs a main document."))
    if len(documents) > settings.POSTKASSE_MAX_DOCUMENTS:
        raise InvalidLetter(
            _("A letter may have at most %(count)d documents.") % {"count": settings.POSTKASSE_MAX_DOCUMENTS}
        )
    pages = []
    for document in documents:
        if len(document.content) > settings.POSTKASSE_MAX_DOCUMENT_BYTES:
            raise InvalidLetter(
                _("%(name)s is larger than %(size)s.")
                % {"name": document.filename, "size": filesizeformat(settings.POSTKASSE_MAX_DOCUMENT_BYTES)}
            )
        pages.append(_check_pdf(document))
    if sum(len(d.content) for d in documents) > settings.POSTKASSE_MAX_LETTER_BYTES:
        raise InvalidLetter(
            _("The documents are larger than %(size)s together.")
            % {"size": filesizeformat(settings.POSTKASSE_MAX_LETTER_BYTES)}
        )
    return recipient, pages


def accept_letter(
    sender: Organisation,
    *,
    idempotency_key: str,
    recipient: str,
    title: str,
    documents: list[DocumentIn],
    security_level: int = 3,
    reminder_days: list[int] | tuple = (),
    **options,
) -> tuple[Letter, bool]:
    """Accept a letter for sending; returns it and whether it is new. The same idempotency key
    from the same sender returns the letter accepted the first time, never a second one."""
    existing = Letter.objects.filter(sender=sender, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing, False
    recipient, pages = _validate(recipient, title, documents, security_level, list(reminder_days))
    written = []
    try:
        with transaction.atomic():
            letter = Letter.objects.create(
                sender=sender,
                idempotency_key=idempotency_key,
                recipient=recipient,
                title=title.strip(),
                security_level=security_level,
                reminder_days=sorted(reminder_days),
                size=sum(len(d.content) for d in documents),
                **options,
            )
            for position, document in enumerate(documents):
                stored = Document(
                    letter=letter,
                    position=position,
                    title=document.title or document.filename,
                    filename=document.filename,
                    size=len(document.content),
                    pages=pages[position],
                    sha256=hashlib.sha256(document.content).hexdigest(),
                )
                stored.envelope.save(
                    f"{letter.pk}-{position}.p7m", ContentFile(keys.seal(document.content)), save=False
                )
                written.append(stored.envelope.name)
                stored.save()
            _audit(letter, "accepted", actor=sender.organisasjonsnummer)
            from postkasse import tasks

            # The database task backend stores the task in this transaction: accepted means queued.
            tasks.route_letter.enqueue(str(letter.pk))
    except IntegrityError:
        _remove_files(written)
        return Letter.objects.get(sender=sender, idempotency_key=idempotency_key), False
    except BaseException:
        _remove_files(written)
        raise
    return letter, True


def _remove_files(names: list[str]) -> None:
    from core.storage import private_storage

    for name in names:
        private_storage().delete(name)


def _audit(letter: Letter, what: str, *, actor="felles", **details) -> None:
    audit.record(
        f"postkasse.letter_{what}",
        actor=actor,
        object_type="postkasse.letter",
        object_id=str(letter.pk),
        details={"sender": letter.sender.organisasjonsnummer, "recipient": letter.recipient, **details},
    )


def _receipt(letter: Letter, kind: str, reason: str = "") -> Receipt | None:
    """One receipt of each kind per letter, so a step that runs twice reports once."""
    receipt, created = Receipt.objects.get_or_create(
        letter=letter, kind=kind, defaults={"sender_id": letter.sender_id, "reason": reason[:300]}
    )
    if created:
        _audit(letter, f"receipt_{kind}", reason=reason)
    return receipt if created else None


def price_of(channel: str, size: int) -> int | None:
    band = Price.objects.filter(channel=channel, max_bytes__gte=size).order_by("max_bytes").first()
    return band.price_ore if band else None


def _fail(letter: Letter, reason: str) -> None:
    letter.status = Letter.Status.FAILED
    letter.failure_reason = reason
    letter.save(update_fields=["status", "failure_reason"])
    _receipt(letter, Receipt.Kind.FAILED, reason)


def route_letter(letter_id: str) -> str:
    """Decide the channel and deliver; returns the letter's status. Raises ProviderUnavailable
    (nothing changed) when the mailbox provider cannot take the letter now."""
    with transaction.atomic():
        # Only the letter's row: a lock on the sender's row too would queue every letter from one sender.
        letter = (
            Letter.objects.select_for_update(of=("self",))
            .select_related("sender")
            .filter(pk=letter_id)
            .first()
        )
        if letter is None or letter.status != Letter.Status.ACCEPTED:
            return letter.status if letter else "missing"
        try:
            person = folkeregister.lookup_person(letter.recipient, requested_by="postkasse")
        except folkeregister.PersonNotFound:
            _fail(letter, _("The recipient is not in the population register."))
            return letter.status
        contact = kontaktregister.lookup([letter.recipient])[0]
        digital = (
            not letter.paper_only
            and person.status != Status.DOED
            and contact.status == "AKTIV"
            and not contact.reserved
            and bool(contact.mailbox_address)
        )
        if digital:
            _deliver_digital(letter, contact)
        elif not (letter.print_fallback or letter.paper_only):
            _fail(letter, _no_digital_reason(person, contact))
        elif person.status == Status.DOED or person.address_protection != AddressProtection.UGRADERT:
            _hold(letter, person)
        else:
            from postkasse.services import printing

            printing.queue_for_print(letter, person)
        return letter.status


def _no_digital_reason(person, contact) -> str:
    if person.status == Status.DOED:
        return _("The recipient is deceased, and print was not allowed.")
    if contact.status != "AKTIV":
        return _("The recipient is not in the contact register, and print was not allowed.")
    if contact.reserved:
        return _("The recipient is reserved against digital post, and print was not allowed.")
    return _("The recipient has no digital mailbox, and print was not allowed.")


def _hold(letter: Letter, person) -> None:
    """Deceased recipients and protected addresses: never on an envelope a case handler sees."""
    letter.status = Letter.Status.HELD
    letter.channel = Letter.Channel.PRINT
    letter.save(update_fields=["status", "channel"])
    _audit(letter, "held", reason="deceased" if person.status == Status.DOED else person.address_protection)


def _deliver_digital(letter: Letter, contact) -> None:
    provider = Provider.objects.filter(identifier=contact.mailbox_provider).first()
    if provider is None:
        _fail(letter, _("The recipient's mailbox provider is not known."))
        return
    if not provider.available:
        raise ProviderUnavailable(_("%(provider)s is not available.") % {"provider": provider.name})
    mailbox, _created = Mailbox.objects.get_or_create(
        provider=provider, address=contact.mailbox_address, defaults={"identity_number": letter.recipient}
    )
    certificate = (contact.mailbox_certificate or provider.certificate).encode()
    old_files = []
    for document in letter.documents.all():
        plaintext = keys.unseal(document.envelope.read())
        document.envelope.close()
        old_files.append(document.envelope.name)
        document.envelope.save(
            f"{letter.pk}-{document.position}.p7m", ContentFile(crypto.encrypt_for(certificate, plaintext))
        )
    # The intake copies go once the new envelopes are committed; a rollback keeps them for the retry.
    transaction.on_commit(lambda: _remove_files(old_files))
    now = timezone.now()
    letter.mailbox = mailbox
    letter.channel = Letter.Channel.DIGITAL
    letter.status = Letter.Status.DELIVERED
    letter.delivered_at = now
    letter.price_ore = price_of(Letter.Channel.DIGITAL, letter.size)
    letter.save(update_fields=["mailbox", "channel", "status", "delivered_at", "price_ore"])
    _receipt(letter, Receipt.Kind.DELIVERED)
    from postkasse import tasks

    visible_from = letter.virkningsdato if letter.virkningsdato and letter.virkningsdato > now else now
    if visible_from > now:
        tasks.schedule(tasks.notify_recipient, str(letter.pk), at=visible_from)
    else:  # in this transaction: one task less per letter, and the notice is as exactly-once as the delivery
        notify_recipient(str(letter.pk))
    for day in letter.reminder_days:
        tasks.schedule(tasks.remind_recipient, str(letter.pk), at=visible_from + timedelta(days=day))


def give_up(letter_id: str, reason: str) -> None:
    """After the last retry: print if allowed, otherwise a failed receipt. Never silently."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
        if letter is None or letter.status != Letter.Status.ACCEPTED:
            return
        if letter.print_fallback:
            person = folkeregister.lookup_person(letter.recipient, requested_by="postkasse")
            if person.status != Status.DOED and person.address_protection == AddressProtection.UGRADERT:
                from postkasse.services import printing

                printing.queue_for_print(letter, person)
                return
        _fail(letter, reason)


def count_attempt(letter_id: str) -> int:
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter_id)
        letter.attempts += 1
        letter.save(update_fields=["attempts"])
        return letter.attempts


def notify_recipient(letter_id: str, *, reminder: bool = False) -> bool:
    """Tell the recipient about a delivered letter by SMS and/or e-mail, with the non-sensitive
    title only. Returns whether anything was sent; a first notice goes out once."""
    from core.tasks import deliver_email, deliver_sms

    with transaction.atomic():
        letter = (
            Letter.objects.select_for_update(of=("self",))
            .select_related("sender", "mailbox")
            .filter(pk=letter_id, status=Letter.Status.DELIVERED, deleted_at__isnull=True)
            .first()
        )
        if letter is None or (letter.notified_at and not reminder) or (reminder and letter.opened_at):
            return False
        contact = kontaktregister.lookup([letter.recipient])[0]
        mailbox = letter.mailbox
        with override(contact.language if contact.language in ("nb", "nn", "en") else "nb"):
            text = _(
                "You have a letter from %(sender)s in your digital mailbox: %(title)s. Log in at %(url)s to read it."
            ) % {"sender": letter.sender.display_name(), "title": letter.title, "url": settings.POSTKASSE_URL}
            subject = _("New letter from %(sender)s") % {"sender": letter.sender.display_name()}
        sent = False
        if letter.notify_sms and mailbox.notify_sms and contact.mobile:
            deliver_sms.enqueue(contact.mobile, text)
            sent = True
        if letter.notify_email and mailbox.notify_email and contact.email:
            deliver_email.enqueue(contact.email, subject, text)
            sent = True
        if not reminder:
            letter.notified_at = timezone.now()
            letter.save(update_fields=["notified_at"])
            if not sent and (letter.notify_sms or letter.notify_email):
                _receipt(letter, Receipt.Kind.NOTIFICATION_FAILED, _("No contact information to notify."))
        return sent


def register_receipt(letter: Letter, kind: str, reason: str = "") -> Receipt | None:
    return _receipt(letter, kind, reason)


def receipts_for(letter_ids: list) -> dict:
    """The receipts of the given letters, oldest first, by letter id (for the case archive)."""
    found: dict = {}
    for receipt in Receipt.objects.filter(letter_id__in=letter_ids).order_by("created", "pk"):
        found.setdefault(receipt.letter_id, []).append(receipt)
    return found
