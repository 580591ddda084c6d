"""The send chain: accept a letter (transactional with its idempotency key), route it by the
contact register and the population register, deliver it to the mailbox or hand it to print,
notify the recipient, and report every step back to the sender as a receipt.

Every step after acceptance is a task that may run twice: each takes the letter's row lock,
checks the letter's state, and does nothing if the step is already done."""

import hashlib
from dataclasses import dataclass, field
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
from postkasse.services.channels import can_print_to, has_mailbox
from postkasse.services.errors import InvalidLetter, ProviderUnavailable
from virksomheter.models import Organisation

MAX_REMINDERS = 3
BULK_SIZE = 1000  # rows per insert, and numbers per register lookup
# Letters per routing task in a mass dispatch: few enough that the workers share the work and a
# chunk's row locks are short, many enough that the register lookups and inserts go in bulk.
ROUTE_CHUNK = 200


@dataclass(frozen=True)
class DocumentIn:
    title: str
    filename: str
    content: bytes
    # Known when Felles laid the PDF out itself or has checked these very bytes already (a case
    # archive letter, one attachment sent to many); otherwise the PDF is read and checked here.
    pages: int | None = None


@dataclass(frozen=True)
class LetterIn:
    """One letter of a hand-over; `options` are further Letter fields (replies_allowed, ...)."""

    idempotency_key: str
    recipient: str
    title: str
    documents: list[DocumentIn]
    security_level: int = 3
    reminder_days: tuple = ()
    options: dict = field(default_factory=dict)


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
        pages.append(document.pages if document.pages is not None else _check_pdf(document))
    if sum(len(d.content) for d in documents) > settings.POSTKASSE_MAX_LETTER_BYTES:
        raise InvalidLetter(
            _("The documents are larger than %(size)s together.")
            % {"size": filesizeformat(settings.POSTKASSE_MAX_LETTER_BYTES)}
        )
    return recipient, pages


SMS_NOTICE_MAX = 160  # DPI's smsvarsel.varslingstekst
EMAIL_NOTICE_MAX = 500  # DPI's epostvarsel.varslingstekst
PRINT_ADDRESS_LINES = 4
# The letter's language (ISO 639-1) as the language Felles writes notices in; Norwegian ("no") is Bokmål.
NOTICE_LANGUAGES = {"nb": "nb", "no": "nb", "nn": "nn", "en": "en"}


def _check_options(options: dict) -> dict:
    """The letter's further fields, normalised (language lower case); or InvalidLetter. The
    sender's notice texts keep their limits and never carry the letter's sensitive title."""
    options = dict(options)
    sensitive = (options.get("sensitive_title") or "").strip().casefold()
    for field_name, limit in (("notice_sms_text", SMS_NOTICE_MAX), ("notice_email_text", EMAIL_NOTICE_MAX)):
        text = (options.get(field_name) or "").strip()
        if len(text) > limit:
            raise InvalidLetter(_("A notice text may be at most %(count)d characters.") % {"count": limit})
        if sensitive and sensitive in text.casefold():
            raise InvalidLetter(_("A notice text must not contain the letter's sensitive title."))
        if field_name in options:
            options[field_name] = text
    language = options.get("language")
    if language:
        if not (
            isinstance(language, str) and len(language) == 2 and language.isascii() and language.isalpha()
        ):
            raise InvalidLetter(_("The language must be an ISO 639-1 code of two letters."))
        options["language"] = language.lower()
    address = options.get("print_address")
    if address:
        lines = [line for line in address.get("lines") or [] if line and line.strip()]
        if not (address.get("name") or "").strip() or not lines or len(lines) > PRINT_ADDRESS_LINES:
            raise InvalidLetter(_("A print address needs a name and one to four address lines."))
        norwegian = (address.get("country") or "").strip().casefold() in ("", "no", "nor", "norge", "norway")
        if norwegian and not (
            (address.get("postal_code") or "").strip() and (address.get("postal_area") or "").strip()
        ):
            raise InvalidLetter(_("A Norwegian print address needs a postal code and a postal area."))
        options["print_address"] = {
            "name": address["name"].strip(),
            "lines": [line.strip() for line in lines],
            "postal_code": (address.get("postal_code") or "").strip(),
            "postal_area": (address.get("postal_area") or "").strip(),
            "country": "" if norwegian else address["country"].strip(),
        }
    return options


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
    letter_in = LetterIn(
        idempotency_key, recipient, title, documents, security_level, tuple(reminder_days), options
    )
    try:
        with transaction.atomic():
            [letter] = accept_letters(sender, [letter_in], already_accepted={})  # just looked it up
    except IntegrityError:  # the same key accepted at the same moment by another request
        return Letter.objects.get(sender=sender, idempotency_key=idempotency_key), False
    return letter, True


def accept_letters(
    sender: Organisation, letters: list[LetterIn], *, already_accepted: dict[str, Letter] | None = None
) -> list[Letter]:
    """Accept many letters at once (a mass dispatch), all or nothing: with the caller's
    transaction, a letter that cannot be accepted raises InvalidLetter (its `idempotency_key`
    says which) and none is. Returns the letters in the order given; a key accepted before gives
    the letter accepted then (`already_accepted`: those letters by key, when the caller has just
    looked them up). Routing is queued in chunks, so that workers share the work."""
    accepted = (
        _already_accepted(sender, [item.idempotency_key for item in letters])
        if already_accepted is None
        else dict(already_accepted)
    )
    new_letters, documents, written = [], [], []
    try:
        with transaction.atomic():
            for item in letters:
                if item.idempotency_key in accepted:
                    continue
                try:
                    recipient, pages = _validate(
                        item.recipient,
                        item.title,
                        item.documents,
                        item.security_level,
                        list(item.reminder_days),
                    )
                    options = _check_options(item.options)
                except InvalidLetter as error:
                    error.idempotency_key = item.idempotency_key
                    raise
                letter = Letter(
                    sender=sender,
                    idempotency_key=item.idempotency_key,
                    recipient=recipient,
                    title=item.title.strip(),
                    security_level=item.security_level,
                    reminder_days=sorted(item.reminder_days),
                    size=sum(len(d.content) for d in item.documents),
                    **options,
                )
                for position, document in enumerate(item.documents):
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
                    documents.append(stored)
                new_letters.append(letter)
                accepted[item.idempotency_key] = letter
            Letter.objects.bulk_create(new_letters, batch_size=BULK_SIZE)
            Document.objects.bulk_create(documents, batch_size=BULK_SIZE)
            _audit_many(new_letters, "accepted", actor=sender.organisasjonsnummer)
            # The database task backend stores the tasks in this transaction: accepted means queued.
            _queue_routing([str(letter.pk) for letter in new_letters])
    except BaseException:
        _remove_files(written)
        raise
    return [accepted[item.idempotency_key] for item in letters]


def _already_accepted(sender: Organisation, idempotency_keys: list[str]) -> dict[str, Letter]:
    found = {}
    for start in range(0, len(idempotency_keys), BULK_SIZE):
        chunk = idempotency_keys[start : start + BULK_SIZE]
        found.update(
            (letter.idempotency_key, letter)
            for letter in Letter.objects.filter(sender=sender, idempotency_key__in=chunk)
        )
    return found


def _queue_routing(letter_ids: list[str]) -> None:
    from postkasse import tasks

    if len(letter_ids) == 1:
        tasks.route_letter.enqueue(letter_ids[0])
        return
    for start in range(0, len(letter_ids), ROUTE_CHUNK):
        tasks.route_letters.enqueue(letter_ids[start : start + ROUTE_CHUNK])


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


def _audit_many(letters: list[Letter], what: str, *, actor="felles", details=None) -> None:
    audit.record_many(
        f"postkasse.letter_{what}",
        actor=actor,
        object_type="postkasse.letter",
        events=[
            (
                str(letter.pk),
                {
                    "sender": letter.sender.organisasjonsnummer,
                    "recipient": letter.recipient,
                    **(details or {}),
                },
            )
            for letter in letters
        ],
    )


def _receipt(letter: Letter, kind: str, reason: str = "") -> Receipt | None:
    """One receipt of each kind per letter, so a step that runs twice reports once."""
    receipt, created = Receipt.objects.get_or_create(
        letter=letter, kind=kind, defaults={"sender_id": letter.sender_id, "reason": reason[:300]}
    )
    if created:
        _audit(letter, f"receipt_{kind}", reason=reason)
    return receipt if created else None


def _receipts(letters: list[Letter], kind: str, reason: str = "") -> None:
    """The receipt of a step just taken for these locked letters, which cannot have it yet."""
    Receipt.objects.bulk_create(
        [
            Receipt(letter=letter, kind=kind, sender_id=letter.sender_id, reason=reason[:300])
            for letter in letters
        ],
        batch_size=BULK_SIZE,
    )
    _audit_many(letters, f"receipt_{kind}", details={"reason": reason})


def price_of(channel: str, size: int) -> int | None:
    band = Price.objects.filter(channel=channel, max_bytes__gte=size).order_by("max_bytes").first()
    return band.price_ore if band else None


def _price_list(channel: str):
    """price_of for many letters, with one query."""
    bands = list(
        Price.objects.filter(channel=channel).order_by("max_bytes").values_list("max_bytes", "price_ore")
    )
    return lambda size: next((price for max_bytes, price in bands if max_bytes >= size), None)


def _fail(letter: Letter, reason: str) -> None:
    letter.status = Letter.Status.FAILED
    letter.failure_reason = reason
    letter.save(update_fields=["status", "failure_reason"])
    _receipt(letter, Receipt.Kind.FAILED, reason)


def route_letter(letter_id: str) -> str:
    """Decide the channel and deliver; returns the letter's status. Raises ProviderUnavailable
    (nothing changed) when the mailbox provider cannot take the letter now."""
    letter_id = str(letter_id)
    statuses, unavailable = route_letters([letter_id])
    if letter_id in unavailable:
        raise ProviderUnavailable(unavailable[letter_id])
    return statuses.get(letter_id, "missing")


def route_letters(letter_ids: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Route up to 1000 letters in one transaction, with one lookup in each register: decide each
    letter's channel by the contact register and the population register, and deliver it or hand
    it to print. Returns each letter's status by id, and the letters whose mailbox provider cannot
    take them now (left accepted, nothing changed) with the reason."""
    with transaction.atomic():
        # Only the letters' rows, in one order: a lock on the sender's row too would queue every
        # letter from one sender, and a common order keeps two chunks from deadlocking.
        letters = list(
            Letter.objects.select_for_update(of=("self",))
            .select_related("sender")
            .filter(pk__in=letter_ids)
            .order_by("pk")
        )
        statuses = {str(letter.pk): letter.status for letter in letters}
        letters = [letter for letter in letters if letter.status == Letter.Status.ACCEPTED]
        expired = [letter for letter in letters if _expired(letter)]
        _expire(expired)
        statuses.update((str(letter.pk), letter.status) for letter in expired)
        letters = [letter for letter in letters if letter.status == Letter.Status.ACCEPTED]
        if not letters:
            return statuses, {}
        numbers = sorted({letter.recipient for letter in letters})
        persons = folkeregister.lookup_persons(numbers, requested_by="postkasse").persons
        contacts = {contact.identity_number: contact for contact in kontaktregister.lookup(numbers)}
        digital, printed, held = [], [], []
        for letter in letters:
            person, contact = persons.get(letter.recipient), contacts[letter.recipient]
            if letter.paper_only and letter.print_address:
                # The sender gave the address (eFormidling's print): it goes there, as the sender wrote it.
                printed.append((letter, person))
            elif person is None:
                _fail(letter, _("The recipient is not in the population register."))
            elif not letter.paper_only and has_mailbox(person, contact):
                digital.append((letter, contact))
            elif not (letter.print_fallback or letter.paper_only):
                _fail(letter, _no_digital_reason(person, contact))
            elif not can_print_to(person):
                held.append((letter, person))
            else:
                printed.append((letter, person))
        unavailable = _deliver_digital(digital)
        _hold(held)
        if printed:
            from postkasse.services import printing

            printing.queue_for_print_many(printed)
        statuses.update((str(letter.pk), letter.status) for letter in letters)
        return statuses, unavailable


def _expired(letter: Letter) -> bool:
    return letter.expires_at is not None and letter.expires_at <= timezone.now()


def _expire(letters: list[Letter]) -> None:
    """Locked letters whose deadline passed before they reached the mailbox or print: never delivered."""
    if not letters:
        return
    reason = _("The letter was not delivered before its deadline.")
    for letter in letters:
        letter.status = Letter.Status.EXPIRED
        letter.failure_reason = reason
    Letter.objects.bulk_update(letters, ["status", "failure_reason"], batch_size=BULK_SIZE)
    _receipts(letters, Receipt.Kind.EXPIRED, reason)


def expire_overdue(letter_ids: list) -> list[str]:
    """Of these letters, the ones still waiting for routing whose deadline has passed are expired
    now (never delivered later; an expired receipt each), under the same row locks as routing, so
    that a letter is either routed or expired, never both. Returns the expired letters' ids."""
    with transaction.atomic():
        letters = list(
            Letter.objects.select_for_update(of=("self",))
            .select_related("sender")
            .filter(
                pk__in=letter_ids,
                status=Letter.Status.ACCEPTED,
                expires_at__isnull=False,
                expires_at__lte=timezone.now(),
            )
            .order_by("pk")
        )
        _expire(letters)
    return [str(letter.pk) for letter in letters]


def _no_digital_reason(person, contact) -> str:
    if person.status == Status.DOED:
        return _("The recipient is deceased, and print was not allowed.")
    if contact.status != "AKTIV":
        return _("The recipient is not in the contact register, and print was not allowed.")
    if contact.reserved:
        return _("The recipient is reserved against digital post, and print was not allowed.")
    return _("The recipient has no digital mailbox, and print was not allowed.")


def _hold(held: list) -> None:
    """Deceased recipients and protected addresses: never on an envelope a case handler sees."""
    for letter, _person in held:
        letter.status = Letter.Status.HELD
        letter.channel = Letter.Channel.PRINT
    Letter.objects.bulk_update([letter for letter, _person in held], ["status", "channel"])
    for letter, person in held:
        _audit(
            letter, "held", reason="deceased" if person.status == Status.DOED else person.address_protection
        )


def _mailboxes(wanted: list[tuple[Provider, str, str]]) -> dict[tuple[int, str], Mailbox]:
    """Each (provider, address, owner)'s mailbox by (provider id, address), made on first delivery."""
    providers = {provider.pk for provider, _address, _owner in wanted}

    def existing(addresses):
        boxes = Mailbox.objects.filter(provider__in=providers, address__in=addresses)
        return {(box.provider_id, box.address): box for box in boxes}

    found = existing({address for _provider, address, _owner in wanted})
    missing = {
        (provider.pk, address): Mailbox(provider=provider, address=address, identity_number=owner)
        for provider, address, owner in wanted
        if (provider.pk, address) not in found
    }
    if missing:
        Mailbox.objects.bulk_create(missing.values(), ignore_conflicts=True)
        found.update(existing({address for _provider, address in missing}))
    return found


def _deliver_digital(deliveries: list) -> dict[str, str]:
    """Re-encrypt each letter to its mailbox provider and deliver it; returns the letters whose
    provider is unavailable now, with the reason."""
    providers = {
        provider.identifier: provider
        for provider in Provider.objects.filter(identifier__in={c.mailbox_provider for _l, c in deliveries})
    }
    unavailable, ready = {}, []
    for letter, contact in deliveries:
        provider = providers.get(contact.mailbox_provider)
        if provider is None:
            _fail(letter, _("The recipient's mailbox provider is not known."))
        elif not provider.available:
            unavailable[str(letter.pk)] = _("%(provider)s is not available.") % {"provider": provider.name}
        else:
            ready.append((letter, contact, provider))
    if not ready:
        return unavailable
    mailboxes = _mailboxes(
        [(provider, contact.mailbox_address, letter.recipient) for letter, contact, provider in ready]
    )
    documents: dict = {}
    for document in Document.objects.filter(letter__in=[letter for letter, _c, _p in ready]).order_by(
        "position"
    ):
        documents.setdefault(document.letter_id, []).append(document)
    price = _price_list(Letter.Channel.DIGITAL)
    now = timezone.now()
    old_files, encrypted = [], []
    for letter, contact, provider in ready:
        certificate = (contact.mailbox_certificate or provider.certificate).encode()
        for document in documents.get(letter.pk, []):
            plaintext = keys.unseal(document.envelope.read())
            document.envelope.close()
            old_files.append(document.envelope.name)
            document.envelope.save(
                f"{letter.pk}-{document.position}.p7m",
                ContentFile(crypto.encrypt_for(certificate, plaintext)),
                save=False,
            )
            encrypted.append(document)
        letter.mailbox = mailboxes[(provider.pk, contact.mailbox_address)]
        letter.channel = Letter.Channel.DIGITAL
        letter.status = Letter.Status.DELIVERED
        letter.delivered_at = now
        letter.price_ore = price(letter.size)
    delivered = [letter for letter, _c, _p in ready]
    Document.objects.bulk_update(encrypted, ["envelope"], batch_size=BULK_SIZE)
    Letter.objects.bulk_update(
        delivered, ["mailbox", "channel", "status", "delivered_at", "price_ore"], batch_size=BULK_SIZE
    )
    # The intake copies go once the new envelopes are committed; a rollback keeps them for the retry.
    transaction.on_commit(lambda: _remove_files(old_files))
    _receipts(delivered, Receipt.Kind.DELIVERED)
    from postkasse import tasks

    notify_now = []
    for letter in delivered:
        visible_from = letter.virkningsdato if letter.virkningsdato and letter.virkningsdato > now else now
        if visible_from > now:
            tasks.schedule(tasks.notify_recipient, str(letter.pk), at=visible_from)
        else:
            notify_now.append(str(letter.pk))
        for day in letter.reminder_days:
            tasks.schedule(tasks.remind_recipient, str(letter.pk), at=visible_from + timedelta(days=day))
    if notify_now:  # queued in this transaction: the notice is as exactly-once as the delivery
        tasks.notify_recipients.enqueue(notify_now)
    return unavailable


def give_up(letter_id: str, reason: str) -> None:
    """After the last retry: print if allowed, otherwise a failed receipt. Never silently."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
        if letter is None or letter.status != Letter.Status.ACCEPTED:
            return
        if _expired(letter):
            _expire([letter])
            return
        if letter.paper_only and letter.print_address:
            from postkasse.services import printing

            printing.queue_for_print(letter, None)
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
    return notify_recipients([str(letter_id)], reminder=reminder)[str(letter_id)]


def notify_recipients(letter_ids: list[str], *, reminder: bool = False) -> dict[str, bool]:
    """Tell each recipient about a delivered letter by SMS and/or e-mail, with the non-sensitive
    title only. Returns for each letter whether anything was sent; a first notice goes out once."""
    from core.tasks import deliver_email, deliver_sms

    sent = dict.fromkeys(map(str, letter_ids), False)
    with transaction.atomic():
        letters = [
            letter
            for letter in Letter.objects.select_for_update(of=("self",))
            .select_related("sender", "mailbox")
            .filter(pk__in=letter_ids, status=Letter.Status.DELIVERED, deleted_at__isnull=True)
            .order_by("pk")
            if not ((letter.notified_at and not reminder) or (reminder and letter.opened_at))
        ]
        if not letters:
            return sent
        contacts = {
            c.identity_number: c
            for c in kontaktregister.lookup(sorted({letter.recipient for letter in letters}))
        }
        now, unreached = timezone.now(), []
        for letter in letters:
            contact, mailbox, letter_id = contacts[letter.recipient], letter.mailbox, str(letter.pk)
            with override(_notice_language(letter, contact)):
                text = _(
                    "You have a letter from %(sender)s in your digital mailbox: %(title)s. Log in at %(url)s to read it."
                ) % {
                    "sender": letter.sender.display_name(),
                    "title": letter.title,
                    "url": settings.POSTKASSE_URL,
                }
                subject = _("New letter from %(sender)s") % {"sender": letter.sender.display_name()}
                # The sender's own texts, as DPI's varsler: the SMS as written (at most 160 characters),
                # the e-mail with where to read the letter after it.
                sms_text = letter.notice_sms_text or text
                email_text = (
                    letter.notice_email_text
                    + "\n\n"
                    + _("Log in at %(url)s to read it.") % {"url": settings.POSTKASSE_URL}
                    if letter.notice_email_text
                    else text
                )
            if letter.notify_sms and mailbox.notify_sms and contact.mobile:
                deliver_sms.enqueue(contact.mobile, sms_text)
                sent[letter_id] = True
            if letter.notify_email and mailbox.notify_email and contact.email:
                deliver_email.enqueue(contact.email, subject, email_text)
                sent[letter_id] = True
            if not reminder:
                letter.notified_at = now
                if not sent[letter_id] and (letter.notify_sms or letter.notify_email):
                    unreached.append(letter)
        if not reminder:
            Letter.objects.bulk_update(letters, ["notified_at"], batch_size=BULK_SIZE)
            _receipts(unreached, Receipt.Kind.NOTIFICATION_FAILED, _("No contact information to notify."))
        return sent


def _notice_language(letter: Letter, contact) -> str:
    """The letter's own language where Felles writes notices in it, else the recipient's, else Bokmål."""
    for language in (letter.language, contact.language):
        if language and language.lower() in NOTICE_LANGUAGES:
            return NOTICE_LANGUAGES[language.lower()]
    return "nb"


def register_receipt(letter: Letter, kind: str, reason: str = "") -> Receipt | None:
    return _receipt(letter, kind, reason)


def receipts_for(letter_ids: list) -> dict:
    """The receipts of the given letters, oldest first, by letter id (for the case archive)."""
    found: dict = {}
    for receipt in Receipt.objects.filter(letter_id__in=letter_ids).order_by("created", "pk"):
        found.setdefault(receipt.letter_id, []).append(receipt)
    return found
