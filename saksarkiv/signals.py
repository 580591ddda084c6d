"""What the archive asks of the exchange between organisations' archives without knowing it (eformidling,
the integrasjonspunkt, sits above the archive and connects to this in its AppConfig.ready)."""

from django.dispatch import Signal

# Sent by dispatch for an outgoing journal post to an organisation in Felles, with `organisation` (the
# sending Organisation), `receiver` (the receiving organisation number), `message_id`, `conversation_id`
# (UUIDs), `arkivmelding` (the bytes of arkivmelding.xml), `documents` ([(title, file name, PDF bytes)]) and
# `actor`. The exchange sends it and returns the delivery (with `message_id` and `receipt_ok`), or raises
# saksarkiv.services.DispatchRefused (nothing was sent). Exactly one exchange must answer.
arkivmelding_to_send = Signal()
