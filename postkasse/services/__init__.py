"""What Sikker digital post does, for its API, the mailbox pages, the admin, its tasks and the case
archive. Import from here."""

from postkasse.services.errors import InvalidLetter, PostkasseError, ProviderUnavailable
from postkasse.services.providers import register_provider, seed_demo_providers
from postkasse.services.sending import (
    DocumentIn,
    accept_letter,
    notify_recipient,
    price_of,
    receipts_for,
    route_letter,
)

__all__ = [
    "DocumentIn", "InvalidLetter", "PostkasseError", "ProviderUnavailable", "accept_letter", "notify_recipient",
    "price_of", "receipts_for", "register_provider", "route_letter", "seed_demo_providers",
]  # fmt: skip
