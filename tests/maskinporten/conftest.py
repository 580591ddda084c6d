import pytest

from tests.idporten.factories import Browser


@pytest.fixture
def client():
    """pytest-django's client, posting urlencoded forms as OAuth clients must."""
    return Browser()


@pytest.fixture(autouse=True)
def revocation_checked_every_time(settings):
    """Each request asks the database whether its token is still in force, unless a test says not."""
    settings.MASKINPORTEN_REVOCATION_CHECK_SECONDS = 0
