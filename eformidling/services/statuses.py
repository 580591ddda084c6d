"""eFormidling statuses from postkasse's receipts, as Digdir's integrasjonspunkt maps DPI receipts
(efm-integrasjonspunkt post-til-private/.../dpi/json/MessageStatusMapper.java, DpiReceiptHandler,
DefaultConversationService):

    accepted by POST /api/messages/out          OPPRETTET
    handed to postkasse (send)                  SENDT
    routed by postkasse (mailbox or print)      MOTTATT   "Hjørne 3 har mottatt meldingen"
    receipt levert (digital)                    LEVERT    (MOTTATT one second before, if missing)
    receipt printet (print)                     LEVERT    mottakskvittering's text
    receipt aapnet, or the citizen opened it    LEST
    receipt varsling_feilet                     FEIL      varslingfeiletkvittering's text
    receipt returpost                           FEIL      returpostkvittering's text
    receipt feilet                              FEIL      feil's text
    receipt utlopt (not routed by the deadline) LEVETID_UTLOPT
    deadline passed, never sent                 LEVETID_UTLOPT

Each status at most once per conversation. Postkasse's receipts are read through its service
(receipts_for and sent_letters) when a case system asks for statuses, so nothing in postkasse
needs to know this app."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from eformidling.models import CLOSING_STATUSES, FINISHING_STATUSES, Conversation, MessageStatus, Status
from eformidling.services import receipts
from postkasse import services as postkasse
from virksomheter.models import Organisation
from virksomheter.services import operator_organisation

RECEIVED = "Hjørne 3 har mottatt meldingen"
DELIVERED = (
    "Kvittering på at digital post er tilgjengeliggjort eller at fysisk post er klargjort for utskrift"
)
PRINTED = "Kvittering fra utskrift og forsendelsestjenesten om at melding er mottatt og lagt til print"
OPENED = "Kvittering fra Innbygger for at digital post er åpnet"
NOTIFICATION_FAILED = "Kvittering for at en spesifisert varsling ikke har blitt sendt"
RETURNED = "Kvittering fra utskrift og forsendelsestjenesten om at posten ikke har blitt levert til Mottaker."
FAILED = "Generell melding om at det har skjedd en feil"
EXPIRED = "Levetiden for meldingen er utgått. Må sendes på nytt"

# postkasse's receipt kind -> (status, description)
RECEIPTS = {
    "levert": (Status.LEVERT, DELIVERED),
    "printet": (Status.LEVERT, PRINTED),
    "aapnet": (Status.LEST, OPENED),
    "varsling_feilet": (Status.FEIL, NOTIFICATION_FAILED),
    "returpost": (Status.FEIL, RETURNED),
    "feilet": (Status.FEIL, FAILED),
    "utlopt": (Status.LEVETID_UTLOPT, EXPIRED),
}
# The receipts that come as a DPI receipt document (rawReceipt); an expiry comes from the clock.
RAW_RECEIPT_KINDS = set(receipts.TYPES)
# postkasse's letter states after routing: the letter has reached the mailbox or the print channel.
REFRESH_CHUNK = 500
ROUTED = {"delivered", "awaiting_print", "held", "printed", "returned"}


def register(
    conversation: Conversation,
    status: str,
    description: str = "",
    *,
    at=None,
    raw_receipt: str = "",
    changed: tuple[str, ...] = (),
) -> MessageStatus | None:
    """Add a status unless the conversation has it already; returns the new status row. `changed`:
    fields of the conversation the caller has set, saved in the same UPDATE as the status's."""
    at = at or timezone.now()
    try:
        with transaction.atomic():
            row = MessageStatus.objects.create(
                conversation=conversation,
                status=status,
                description=description[:300],
                last_update=at,
                raw_receipt=raw_receipt,
            )
    except IntegrityError:
        if changed:
            conversation.save(update_fields=list(changed))
        return None
    fields = list(changed)
    if at > conversation.last_update:
        conversation.last_update = at
        fields.append("last_update")
    if status in FINISHING_STATUSES and not conversation.finished:
        conversation.finished, conversation.pollable = True, False
        fields += ["finished", "pollable"]
    if status in CLOSING_STATUSES and not conversation.closed:
        conversation.closed = True
        fields.append("closed")
    if status == Status.SENDT:
        conversation.pollable = True
        fields.append("pollable")
    if fields:
        conversation.save(update_fields=fields)
    return row


def refresh(organisation: Organisation) -> None:
    """Bring the organisation's open conversations up to date with postkasse and the clock.

    Two kinds are open. Letters on their way (not yet LEVERT) are few, bounded by what is sent and
    not yet routed, and are followed in full: a few queries per chunk. Delivered letters the citizen
    has not opened yet (LEVERT, waiting for LEST or FEIL) pile up over the months, since many are
    never opened; for them only two things can still happen, so postkasse picks out in one query
    the few that were opened or failed since (and those close): a status read costs the same
    whether an agency has 2 or 200,000 such letters. Chosen over a stored watermark (which needs a
    new field and misses an event committed after the watermark was read) and over refreshing at
    most every few seconds (which answers stale statuses and still costs O(history) when it runs)."""
    _follow_delivered(organisation)
    now = timezone.now()
    followed = (
        Conversation.objects.filter(organisation=organisation, closed=False, finished=False)
        .filter(Q(letter_id__isnull=False) | Q(expiry__lt=now))
        .order_by("pk")
    )
    last = 0
    while chunk := list(followed.filter(pk__gt=last)[:REFRESH_CHUNK]):
        last = chunk[-1].pk
        had: dict[int, set] = {c.pk: set() for c in chunk}
        for conversation_id, status in MessageStatus.objects.filter(conversation__in=chunk).values_list(
            "conversation_id", "status"
        ):
            had[conversation_id].add(status)
        letter_ids = [c.letter_id for c in chunk if c.letter_id]
        overdue = [c.letter_id for c in chunk if c.letter_id and c.expiry < now]
        if overdue:
            # Postkasse expires what it has not routed by the deadline (an expired receipt, read below),
            # under routing's own locks: a letter is routed in time or never.
            postkasse.expire_overdue(overdue)
        letters = postkasse.sent_letters(organisation, letter_ids) if letter_ids else {}
        receipts = postkasse.receipts_for(letter_ids) if letter_ids else {}
        for conversation in chunk:
            seen = had[conversation.pk]
            letter = letters.get(conversation.letter_id)
            if letter is not None:
                _follow(conversation, letter, receipts.get(letter.pk, []), seen)
            # Digdir expires what is not finished by its deadline; DPI's print service answers within
            # minutes, Felles' print room in its daily batch. So once postkasse has the letter in its
            # mailbox or print channel (MOTTATT), the deadline is met.
            if (
                conversation.letter_id is None
                and conversation.expiry < now
                and not (seen & (FINISHING_STATUSES | {Status.MOTTATT}))
            ):
                register(conversation, Status.LEVETID_UTLOPT, at=conversation.expiry)


# What can still follow LEVERT (the receipts and LEST, as _follow maps them).
AFTER_DELIVERY = [kind for kind, (status, _text) in RECEIPTS.items() if status in CLOSING_STATUSES]


def _follow_delivered(organisation: Organisation) -> None:
    waiting = Conversation.objects.filter(
        organisation=organisation, closed=False, finished=True, letter_id__isnull=False
    ).values("letter_id")
    letters = postkasse.letters_with_news(organisation, waiting, AFTER_DELIVERY)
    if not letters:
        return
    conversations = list(
        Conversation.objects.filter(organisation=organisation, closed=False, letter_id__in=list(letters))
    )
    had: dict[int, set] = {c.pk: set() for c in conversations}
    for conversation_id, status in MessageStatus.objects.filter(conversation__in=conversations).values_list(
        "conversation_id", "status"
    ):
        had[conversation_id].add(status)
    for conversation in conversations:
        letter = letters[conversation.letter_id]
        _follow(conversation, letter, list(letter.receipts.all()), had[conversation.pk])


def _follow(conversation: Conversation, letter, receipts: list, had: set) -> None:
    """Register what postkasse knows of the letter and the conversation lacks; `had` grows with it."""

    def add(status, description, at, raw=""):
        if status not in had and register(conversation, status, description, at=at, raw_receipt=raw):
            had.add(status)

    mapped = [(RECEIPTS[r.kind], r) for r in receipts if r.kind in RECEIPTS]
    delivered_at = next((r.created for (status, _text), r in mapped if status == Status.LEVERT), None)
    if letter.status in ROUTED or delivered_at:
        # Digdir registers MOTTATT one second before a LEVERT that came without it.
        add(
            Status.MOTTATT,
            RECEIVED,
            (delivered_at - timedelta(seconds=1)) if delivered_at else timezone.now(),
        )
    for (status, description), receipt in mapped:
        if status not in had:
            add(
                status,
                description,
                receipt.created,
                # Digdir's LEVETID_UTLOPT comes from its own clock, with no receipt behind it.
                _raw(conversation, letter, receipt.kind, receipt.created, receipt.reason)
                if receipt.kind in RAW_RECEIPT_KINDS
                else "",
            )
    if letter.opened_at is not None and Status.LEST not in had:
        # The citizen opened it: LEST, whether or not the sender asked for an opening receipt.
        add(Status.LEST, OPENED, letter.opened_at, _raw(conversation, letter, "aapnet", letter.opened_at))


def _raw(conversation: Conversation, letter, kind: str, at, reason: str = "") -> str:
    digital = letter.channel == "digital"
    issuer = (
        letter.mailbox.provider.identifier
        if digital and letter.mailbox_id
        else operator_organisation().organisasjonsnummer
    )
    document = receipts.document(
        kind,
        conversation_id=conversation.conversation_id,
        sender=letter.sender.organisasjonsnummer,
        issuer=issuer,
        at=at,
        digital=digital,
        reason=reason,
        channel="sms" if letter.notify_sms else "epost",
    )
    return receipts.raw(document)


def letter_key(conversation: Conversation) -> str:
    """The idempotency key of the message's letter in postkasse: one letter per messageId."""
    return f"eformidling:{conversation.message_id}"


def as_json(row: MessageStatus, conversation: Conversation | None = None) -> dict:
    from eformidling.services.sbd import moment

    conversation = conversation or row.conversation
    answer = {"id": row.pk, "lastUpdate": moment(row.last_update), "status": row.status}
    if row.description:
        answer["description"] = row.description
    if row.raw_receipt:
        answer["rawReceipt"] = row.raw_receipt
    answer.update(
        convId=conversation.pk,
        conversationId=str(conversation.conversation_id),
        messageId=str(conversation.message_id),
    )
    return answer


def statuses(organisation: Organisation):
    refresh(organisation)
    return MessageStatus.objects.filter(conversation__organisation=organisation).select_related(
        "conversation"
    )


def peek(organisation: Organisation) -> MessageStatus | None:
    return statuses(organisation).filter(queued=True).order_by("pk").first()


def dequeue(organisation: Organisation, status_id: int) -> bool:
    return bool(
        MessageStatus.objects.filter(
            pk=status_id, conversation__organisation=organisation, queued=True
        ).update(queued=False)
    )
