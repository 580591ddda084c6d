import pytest

from tests.cardstack import card_agent, fake_pinentry, self_signed_identity, virtual_card  # noqa: F401

ORIGIN = "https://felles.example"
PIN = "1234"


@pytest.fixture(scope="session")
def identity():
    """(certificate PEM, private key PEM) for the test card."""
    return self_signed_identity()


@pytest.fixture
def card(virtual_card, identity):  # noqa: F811 (the fixture imported above)
    return virtual_card(*identity, pin=PIN)
