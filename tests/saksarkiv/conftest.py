"""Fixtures the saksarkiv tests share."""

import pytest

from tests.saksarkiv.factories import handler


@pytest.fixture
def case_handler(client):
    """A case handler signed in to the admin."""
    found = handler()
    client.force_login(found.user)
    return found


@pytest.fixture
def leader():
    """The organisation's archive leader (not signed in)."""
    found = handler(first_name="Arne", last_name="Arkivar")
    found.arkivleder = True
    found.save()
    return found
