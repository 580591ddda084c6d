"""What the integrasjonspunkt tells the archive without knowing it: the case archive connects to
these signals (saksarkiv.services.arkivmelding)."""

from django.dispatch import Signal

# Sent with `receiver` (the Organisation the message is to), `from_organisation` (the Organisation
# that sent it), `message_id`, `arkivmelding` (the bytes of arkivmelding.xml), `files` (every other
# file of the message, name -> bytes) and `linked_case` (a function from a mappe systemID of the
# sender's to the systemID of the receiver's case linked to it, or None), inside the transaction of
# the send. The receiver's archive files it and returns what it filed, with `cases` (the sender's
# mappe systemID -> the systemID of the case it was filed on), or raises a core.errors.DomainError
# (and so the send is refused and rolled back). Exactly one must file it: a message nobody filed
# would be lost.
arkivmelding_received = Signal()
