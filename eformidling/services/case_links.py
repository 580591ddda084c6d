"""Which case of the receiver's archive an arkivmelding belongs on, from the messages before it: a
mappe systemID is the sender's own, so the first message about a case gets a new case at the
receiver, and the link between the two cases sends the next one, and the receiver's answer back,
to the case already there."""

import uuid

from eformidling.models import CaseLink
from virksomheter.models import Organisation

MAX_REFERENCE = 40


def _normal(reference: str) -> str:
    """A systemID as one spelling: a GUID in lower case without braces; anything else as it is."""
    try:
        return str(uuid.UUID(reference.strip().strip("{}")))
    except ValueError:
        return reference.strip()[:MAX_REFERENCE]


def linked_case(sender: Organisation, receiver: Organisation, reference: str) -> uuid.UUID | None:
    """The receiver's case for the sender's case `reference`: the one an earlier message about it was
    filed on, or the receiver's own case that the sender filed a message from the receiver on."""
    reference = _normal(reference)
    earlier = CaseLink.objects.filter(sender=sender, receiver=receiver, sender_case=reference).first()
    if earlier is not None:
        return earlier.receiver_case
    try:
        as_receiver = uuid.UUID(reference)
    except ValueError:
        return None
    answered = (
        CaseLink.objects.filter(sender=receiver, receiver=sender, receiver_case=as_receiver)
        .order_by("-pk")
        .first()
    )
    if answered is None:
        return None
    try:
        return uuid.UUID(answered.sender_case)
    except ValueError:
        return None


def remember(sender: Organisation, receiver: Organisation, cases: dict[str, uuid.UUID]) -> None:
    """The sender's cases (reference -> the receiver's case each was filed on) for the next message."""
    for reference, receiver_case in cases.items():
        CaseLink.objects.update_or_create(
            sender=sender, receiver=receiver, sender_case=_normal(reference),
            defaults={"receiver_case": receiver_case},
        )  # fmt: skip
