"""What the integrasjonspunkt tells the archive without knowing it: the case archive connects to
these signals (saksarkiv.services.arkivmelding)."""

from django.dispatch import Signal

# Sent with `receiver` (the Organisation the message is to), `from_organisation` (the Organisation
# that sent it), `message_id`, `arkivmelding` (the bytes of arkivmelding.xml) and `files` (every other
# file of the message, name -> bytes), inside the transaction of the send. The receiver's archive files
# it and returns what it filed, or raises a core.errors.DomainError (and so the send is refused and
# rolled back). Exactly one must file it: a message nobody filed would be lost.
arkivmelding_received = Signal()
