"""What the print channel tells the apps that hand it letters (MinID's PIN letters), without
postkasse knowing them: they connect to these signals in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent with `letter` (a postkasse Letter) inside the transaction that marks it printed, whether in
# a batch or after manual handling; a receiver that raises rolls the marking back.
letter_printed = Signal()
