"""Fixtures the digital post tests share: a demo mailbox provider, and a citizen with a mailbox there."""

import pytest

from tests.postkasse.factories import citizen, providers


@pytest.fixture
def digipost(settings, tmp_path):
    return providers(settings, tmp_path)[0]


@pytest.fixture
def kari(digipost):
    return citizen(mailbox_provider=digipost)
