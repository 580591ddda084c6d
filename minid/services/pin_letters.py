"""PIN-code letters: ordering, the printed letter, blocking ("sperring") and using codes.

A letter holds 25 numbered five-digit codes. Only a person's newest letter is
valid, and only while it is not blocked; each code works once. Letters go on paper
through the digital post's print channel, which puts its address page in front; a
letter to a person with a protected address is never addressed by Felles: it is held
for manual handling.
"""

import contextlib
import random
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from core import audit, throttle
from core.net import client_address
from core.pdf import Letter, LetterSender, render_letter_pdf
from folkeregister import services as folkeregister
from folkeregister.models import Person
from minid.models import PinCode, PinLetter
from minid.services.actions import AuditAction
from minid.services.codes import code_matches, hash_code, new_pin_code
from minid.services.errors import CodeRejected, LetterOrdersLimited, NotEligible, NoValidLetter, RateLimited
from minid.services.ratelimit import check_not_limited, record_failure
from postkasse import services as postkasse
from virksomheter import services as virksomheter

OBJECT_TYPE = "minid.person"
CODE_COLUMNS = 5
LETTERS_PER_PERSON = "minid.letters.person"
ORDERS_PER_ADDRESS = "minid.letters.address"
BLOCK_ATTEMPTS_PER_PERSON = "minid.block.person"
DAY = 24 * 3600
# The idempotency key of a PIN letter in the print channel: this prefix and the letter's serial.
PRINT_KEY_PREFIX = "minid-pin-"


def eligible_person(
    identity_number: str, *, requested_by: Any = "MinID", request=None
) -> tuple[Person, folkeregister.PersonRecord]:
    try:
        person = folkeregister.get_person(identity_number)
        record = folkeregister.lookup_person(identity_number, requested_by=requested_by, request=request)
    except folkeregister.InvalidIdentityNumber as error:
        raise NotEligible(error.message) from None
    except folkeregister.PersonNotFound:
        raise NotEligible(
            _("We cannot find a person with this fødselsnummer in the population register.")
        ) from None
    if record.status == "doed":
        raise NotEligible(_("The population register says this person is deceased."))
    if not record.is_address_protected and record.mailing_address is None:
        raise NotEligible(_("The population register has no address where we can send a letter to you."))
    return person, record


def _letter_body(codes: list[tuple[int, str]]) -> str:
    rows = [codes[start : start + CODE_COLUMNS] for start in range(0, len(codes), CODE_COLUMNS)]
    table = format_html(
        '<table class="codes">{}</table>',
        format_html_join(
            "",
            "<tr>{}</tr>",
            ((format_html_join("", "<td><b>{}.</b> {}</td>", row),) for row in rows),
        ),
    )
    return format_html(
        "<p>{}</p><p>{}</p>{}<p>{}</p>",
        _(
            "Here are your new PIN codes for MinID. You use them to register, to log in with a "
            "PIN code, and when you have forgotten your password. Each code can be used once."
        ),
        _("Your earlier PIN letter works until you use a code from this one; then it stops working."),
        table,
        _(
            "Keep this letter safe. If you did not order it, or it has been lost, block the codes "
            "at once on the MinID page 'Block PIN codes'."
        ),
    )


def order_pin_letter(identity_number: str, *, ordered_by: Any, request=None) -> PinLetter:
    """Make a new letter of codes for a person and queue it for printing."""
    person, record = eligible_person(identity_number, requested_by=ordered_by, request=request)
    # More letters than this in a day is someone ordering letters to annoy a person, not a citizen.
    rate = throttle.Rate(settings.MINID_LETTERS_PER_PERSON_PER_DAY, DAY)
    if not throttle.hit(LETTERS_PER_PERSON, person.identity_number, rate):
        _audit_refused_order(
            identity_number, ordered_by=ordered_by, reason="letters_per_person", request=request
        )
        raise NotEligible(
            _("Several PIN letters have been ordered in the last day. Wait for them to arrive.")
        )
    codes = [(number, new_pin_code()) for number in range(1, settings.MINID_PIN_CODES_PER_LETTER + 1)]
    held = record.is_address_protected
    with transaction.atomic():
        letter = PinLetter.objects.create(
            person=person, print_status=PinLetter.PrintStatus.HELD if held else PinLetter.PrintStatus.QUEUED
        )
        PinCode.objects.bulk_create(
            [PinCode(letter=letter, number=number, **dict(zip(("salt", "code_hash"), hash_code(code), strict=True)))
             for number, code in codes]
        )  # fmt: skip
        sender = LetterSender(**settings.MINID_LETTER_SENDER)
        pdf = render_letter_pdf(
            Letter(
                sender=sender,
                # The print channel's address page carries the address: none here, never twice.
                recipient_lines=[],
                subject=_("Your PIN codes for MinID"),
                body_html=_letter_body(codes),
                our_reference=_("PIN letter %(serial)s") % {"serial": letter.serial},
            )
        )
        letter.pdf.save(f"pinbrev-{letter.serial}.pdf", ContentFile(pdf), save=False)
        try:  # a failure from here must not leave the codes in clear behind in storage
            letter.save(update_fields=["pdf"])
            postkasse.submit_paper_letter(
                virksomheter.operator_organisation(),
                recipient=person.identity_number,
                pdf=pdf,
                title=_("Your PIN codes for MinID"),
                idempotency_key=print_key(letter),
                post_class="A",
                return_address=[sender.name, *sender.address_lines],
            )
            _audit_order(letter, held=held, ordered_by=ordered_by, request=request)
        except Exception:
            letter.pdf.delete(save=False)
            raise
    return letter


def order_pin_letter_public(identity_number: str, *, request=None) -> None:
    """The order page without login. It answers alike whether or not a letter goes (unknown person,
    deceased, no address, letters enough already), so that it does not tell who exists: a letter only
    ever goes to the person's own address in the register, and that is where they learn the rest.
    The letter is made by a background task: rendering it takes long enough that the time of the
    answer would tell who exists. The request is audited here, with the address it came from."""
    from minid.tasks import make_ordered_letter  # here: the task module imports this one

    address = client_address(request)
    rate = throttle.Rate(settings.MINID_LETTER_ORDERS_PER_ADDRESS_PER_DAY, DAY)
    if address is not None and not throttle.hit(ORDERS_PER_ADDRESS, address, rate):
        _audit_refused_order(
            identity_number, ordered_by=identity_number, reason="orders_per_address", request=request
        )
        raise LetterOrdersLimited()
    audit.record(
        AuditAction.PIN_LETTER_REQUESTED,
        actor=identity_number,
        request=request,
        object_type=OBJECT_TYPE,
        object_id=identity_number,
    )
    make_ordered_letter.enqueue(identity_number)


def order_pin_letter_quietly(identity_number: str) -> PinLetter | None:
    """An order from the public page, made in the background: None where no letter can go."""
    with contextlib.suppress(NotEligible):
        return order_pin_letter(identity_number, ordered_by=identity_number)
    return None


def _audit_refused_order(identity_number: str, *, ordered_by: Any, reason: str, request) -> None:
    audit.record(
        AuditAction.PIN_LETTER_REFUSED,
        actor=ordered_by,
        request=request,
        object_type=OBJECT_TYPE,
        object_id=identity_number,
        outcome=audit.Outcome.DENIED,
        details={"reason": reason},
    )


def print_key(letter: PinLetter) -> str:
    return f"{PRINT_KEY_PREFIX}{letter.serial}"


def _audit_order(letter: PinLetter, *, held: bool, ordered_by: Any, request) -> None:
    audit.record(
        AuditAction.PIN_LETTER_HELD if held else AuditAction.PIN_LETTER_ORDERED,
        actor=ordered_by,
        request=request,
        object_type=OBJECT_TYPE,
        object_id=letter.person.identity_number,
        details={"letter": letter.serial, "held_for_manual_handling": held},
    )


def letters_in_force(person: Person) -> list[PinLetter]:
    """The letters whose codes work, the one in use first.

    Ordering a letter must not cancel the codes a person holds (anyone can order a letter for anyone):
    the letter in use, the newest one a code has been used from, stays valid until a code from a newer
    letter is used. Newer letters not yet used are valid beside it, newest first; blocked ones are not.
    """
    used = PinCode.objects.filter(letter=OuterRef("pk"), used_at__isnull=False)
    letters = (
        PinLetter.objects.filter(person=person).annotate(in_use=Exists(used)).order_by("-created", "-id")
    )
    newer = []
    for letter in letters.iterator():
        if letter.in_use:
            return ([] if letter.is_blocked else [letter]) + newer
        if not letter.is_blocked:
            newer.append(letter)
    return newer


def current_letter(person: Person) -> PinLetter | None:
    """The letter in use, or else the newest valid one."""
    letters = letters_in_force(person)
    return letters[0] if letters else None


def require_current_letter(person: Person) -> PinLetter:
    letter = current_letter(person)
    if letter is None:
        raise NoValidLetter()
    return letter


def unused_numbers(letter: PinLetter) -> list[int]:
    return list(letter.codes.filter(used_at__isnull=True).values_list("number", flat=True))


def pick_numbers(letter: PinLetter, count: int) -> list[int]:
    """Numbers unused in every letter in force where there are enough, so that the citizen can answer
    from whichever of them they hold."""
    numbers = unused_numbers(letter)
    shared = set(numbers)
    for other in letters_in_force(letter.person):
        shared &= set(unused_numbers(other))
    if len(shared) >= count:
        numbers = sorted(shared)
    if len(numbers) < count:
        raise NoValidLetter(_("Your PIN letter has no unused codes left. Order a new PIN letter."))
    return random.SystemRandom().sample(numbers, count)


def numbers_to_ask(letter: PinLetter | None, count: int) -> list[int]:
    """The code numbers a public page asks for: from the letter, or drawn at random when there is
    no letter with enough unused codes, so that the page looks the same either way."""
    if letter is not None and len(unused_numbers(letter)) >= count:
        return pick_numbers(letter, count)
    return random.SystemRandom().sample(range(1, settings.MINID_PIN_CODES_PER_LETTER + 1), count)


def use_pin_codes(letter: PinLetter, answers: dict[int, str]) -> bool:
    """Check codes by number against the letter, or a newer letter in force, and use them up, all or
    none. Returns False on any wrong code. A code from a newer letter makes that letter the one in use."""
    candidates = [letter, *(other for other in letters_in_force(letter.person) if other.pk > letter.pk)]
    return any(_use_codes_of(candidate, answers) for candidate in candidates)


def _use_codes_of(letter: PinLetter, answers: dict[int, str]) -> bool:
    with transaction.atomic():
        codes = {c.number: c for c in letter.codes.select_for_update().filter(number__in=answers.keys())}
        if len(codes) != len(answers) or not all(
            code.used_at is None and code_matches(code.salt, code.code_hash, answers[number])
            for number, code in codes.items()
        ):
            return False
        PinCode.objects.filter(pk__in=[c.pk for c in codes.values()], used_at__isnull=True).update(
            used_at=timezone.now()
        )
    return True


def record_wrong_code(letter: PinLetter, *, request=None) -> None:
    """Count a wrong code against the letter; too many block it."""
    PinLetter.objects.filter(pk=letter.pk).update(failed_attempts=F("failed_attempts") + 1)
    letter.refresh_from_db(fields=["failed_attempts"])
    if letter.failed_attempts >= settings.MINID_MAX_FAILED_ATTEMPTS and not letter.is_blocked:
        block_letter(letter, blocked_by="MinID", reason="too_many_wrong_codes", request=request)


def block_letter(letter: PinLetter, *, blocked_by: Any, reason: str, request=None) -> PinLetter:
    if letter.is_blocked:
        return letter
    letter.blocked_at = timezone.now()
    letter.save(update_fields=["blocked_at"])
    audit.record(
        AuditAction.PIN_LETTER_BLOCKED,
        actor=blocked_by,
        request=request,
        object_type=OBJECT_TYPE,
        object_id=letter.person.identity_number,
        details={"letter": letter.serial, "reason": reason},
    )
    return letter


def block_letters_in_force(person: Person, *, blocked_by: Any, reason: str, request=None) -> list[PinLetter]:
    """Block every letter whose codes work: the one in use and any newer one (perhaps one a stranger
    ordered, or one lost in the post), so that no code of the person's is left in circulation."""
    return [
        block_letter(letter, blocked_by=blocked_by, reason=reason, request=request)
        for letter in letters_in_force(person)
    ]


def block_letter_with_code(identity_number: str, code: str, *, request=None) -> list[PinLetter]:
    """The citizen's own blocking, without logging in: fødselsnummer + one unused code from a letter
    in force. The answer for an unknown person is the same as for a wrong code.

    Wrong codes here do not count against the letter, or anyone could block a stranger's letter with
    five guesses; they are limited per person and day instead (and per address, as every failure)."""
    rate = throttle.Rate(settings.MINID_BLOCK_ATTEMPTS_PER_PERSON_PER_DAY, DAY)
    if throttle.exceeded(BLOCK_ATTEMPTS_PER_PERSON, identity_number, rate):
        raise RateLimited()
    check_not_limited(request)
    try:
        person = folkeregister.get_person(identity_number)
    except folkeregister.FolkeregisterError:
        person = None
    for letter in letters_in_force(person) if person is not None else []:
        if any(code_matches(c.salt, c.code_hash, code) for c in letter.codes.filter(used_at__isnull=True)):
            return block_letters_in_force(
                person, blocked_by=person.identity_number, reason="citizen", request=request
            )
    throttle.hit(BLOCK_ATTEMPTS_PER_PERSON, identity_number, rate)
    record_failure(request)
    raise CodeRejected()


def mark_printed(letter: PinLetter, *, printed_by: Any, request=None) -> PinLetter:
    """The letter is printed and posted: the PDF with codes in clear is deleted."""
    with transaction.atomic():
        letter = PinLetter.objects.select_for_update().select_related("person").get(pk=letter.pk)
        if letter.print_status == PinLetter.PrintStatus.PRINTED:
            return letter
        pdf_name = letter.pdf.name
        letter.pdf = ""
        letter.print_status = PinLetter.PrintStatus.PRINTED
        letter.printed_at = timezone.now()
        letter.save(update_fields=["pdf", "print_status", "printed_at"])
        audit.record(
            AuditAction.PIN_LETTER_PRINTED,
            actor=printed_by,
            request=request,
            object_type=OBJECT_TYPE,
            object_id=letter.person.identity_number,
            details={"letter": letter.serial},
        )
    # The file goes once the row says the letter is printed, never before.
    if pdf_name:
        letter.pdf.storage.delete(pdf_name)
    return letter


def mark_sent_manually(letter: PinLetter, *, handled_by: Any, request=None) -> PinLetter:
    """A held letter (protected address) was addressed and posted by hand: printed here and in
    the print channel, which reports it to the sender like any printed letter."""
    with transaction.atomic():
        letter = mark_printed(letter, printed_by=handled_by, request=request)
        in_print = postkasse.find_letter(virksomheter.operator_organisation(), print_key(letter))
        if in_print is not None:
            postkasse.mark_sent_manually(in_print, handled_by=handled_by)
    return letter


def on_letter_printed(sender, *, letter, **kwargs) -> None:
    """The print channel printed a letter (connected in MinidConfig.ready): if it is a PIN letter,
    it is printed here too, and its PDF with the codes in clear goes."""
    if letter.sender.organisasjonsnummer != settings.FELLES_OPERATOR["organisasjonsnummer"]:
        return
    if not letter.idempotency_key.startswith(PRINT_KEY_PREFIX):
        return
    serial = letter.idempotency_key.removeprefix(PRINT_KEY_PREFIX)
    pin_letter = PinLetter.objects.filter(pk=int(serial)).first() if serial.isdigit() else None
    if pin_letter is not None:
        mark_printed(pin_letter, printed_by="postkasse")
