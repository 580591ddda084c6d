"""What postkasse tells the apps that hand it letters (MinID's PIN letters, the case archive's
letters) without knowing them: they connect to these signals in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent with `letter` (a postkasse Letter) inside the transaction that marks it printed, whether in
# a batch or after manual handling; a receiver that raises rolls the marking back.
letter_printed = Signal()

# Sent with `letter` (the letter answered), `identity_number` (its recipient, who answers), `reply`
# (a DocumentIn: the citizen's text as a PDF), `attachments` (DocumentIns, checked PDFs) and `request`,
# inside the transaction of the answer. The sender's archive files the answer and returns its journal
# reference; a receiver that does not know the letter returns None. Exactly one must file it, or the
# answer is refused and rolled back: an answer nobody filed would be lost.
reply_received = Signal()
