"""The smartcard test stack (pcscd, the virtual reader and card, the card agent) for these tests."""

from tests.cardstack import card_agent, virtual_card  # noqa: F401
