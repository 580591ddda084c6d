import pytest

from tests.idporten.factories import Browser


@pytest.fixture
def client():
    """pytest-django's client, posting urlencoded forms as OAuth clients must."""
    return Browser()
