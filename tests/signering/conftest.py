"""The smartcard stack's fixtures (virtual_card, card_agent) for the signing tests."""

from tests.cardstack import card_agent, require_smartcard_stack, virtual_card  # noqa: F401
