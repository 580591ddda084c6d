"""What a sender sees after handing over a letter: the letter's state with its receipts, and the
receipt feed (kvitteringer) it polls and acknowledges, as in DPI's receipt queue."""

import uuid

from django.db import transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from postkasse.models import Letter, Receipt
from postkasse.services.errors import PostkasseError
from postkasse.services.mailbox import LetterNotFound
from virksomheter.models import Organisation

MAX_RECEIPTS_PER_CALL = 100


class ReceiptNotFound(PostkasseError):
    code = "receipt_not_found"


def sent_letter(organisation: Organisation, letter_id: uuid.UUID | str) -> Letter:
    """One of the organisation's letters with its receipts; another sender's letter is not found."""
    letter = Letter.objects.prefetch_related("receipts").filter(sender=organisation, pk=letter_id).first()
    if letter is None:
        raise LetterNotFound(_("No letter with this id was sent by your organisation."))
    return letter


def accepted_letter(letter: Letter) -> Letter:
    """A letter accept_letter has just made, as its answer shows it: the state it was accepted in,
    without receipts (a new letter has none), so answering it reads nothing again."""
    prefetch_related_objects([letter], Prefetch("receipts", queryset=Receipt.objects.none()))
    return letter


def sent_letters(organisation: Organisation, letter_ids: list) -> dict:
    """The organisation's letters among these ids, by id, with their mailbox's provider, in one query
    (for the integrasjonspunkt, which follows many letters at once). Another sender's are left out."""
    letters = Letter.objects.select_related("sender", "mailbox__provider").filter(
        sender=organisation, pk__in=letter_ids
    )
    return {letter.pk: letter for letter in letters}


def letters_with_news(organisation: Organisation, letter_ids, receipt_kinds) -> dict:
    """Of the organisation's letters among `letter_ids` (a list, or a subquery of ids), the ones opened
    or with a receipt of one of `receipt_kinds`, by id, with their receipts. For the integrasjonspunkt,
    which stops following a letter once it has seen it opened or failed: the database picks out the
    few letters with news in one query, however many delivered letters are still followed."""
    letters = (
        Letter.objects.select_related("sender", "mailbox__provider")
        .filter(sender=organisation, pk__in=letter_ids)
        .filter(Q(opened_at__isnull=False) | Q(receipts__kind__in=list(receipt_kinds)))
        .distinct()
        .prefetch_related("receipts")
    )
    return {letter.pk: letter for letter in letters}


def pending_receipts(organisation: Organisation, limit: int = MAX_RECEIPTS_PER_CALL) -> list[Receipt]:
    """The organisation's unacknowledged receipts, oldest first, at most MAX_RECEIPTS_PER_CALL."""
    limit = max(0, min(limit, MAX_RECEIPTS_PER_CALL))
    return list(
        Receipt.objects.filter(sender=organisation, acknowledged_at__isnull=True).order_by("created", "pk")[
            :limit
        ]
    )


def acknowledge_receipt(organisation: Organisation, receipt_id: int) -> Receipt:
    """Take a receipt off the feed. Acknowledging it again changes nothing and returns it as it is."""
    with transaction.atomic():
        Receipt.objects.filter(pk=receipt_id, sender=organisation, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now()
        )
        receipt = Receipt.objects.filter(pk=receipt_id, sender=organisation).first()
    if receipt is None:
        raise ReceiptNotFound(_("No receipt with this id belongs to your organisation."))
    return receipt
