"""The synthetic contact register for demos and benchmarks."""

import pytest

from folkeregister.seeding import seed_population
from kontaktregister import services
from kontaktregister.models import ContactRecord
from kontaktregister.seeding import seed_contact_register

pytestmark = pytest.mark.django_db


def test_most_adults_are_registered_some_reserved_many_with_a_mailbox():
    services.register_provider("921000006", name="Posthylla", certificate_pem="CERT")
    seed_population(2000, seed=5)
    made = seed_contact_register(seed=5)
    records = ContactRecord.objects.all()
    assert made == records.count() > 1000
    assert 0 < records.filter(reserved=True).count() < made * 0.1
    with_mailbox = records.filter(mailbox_provider="921000006")
    assert made * 0.4 < with_mailbox.count() < made * 0.75
    assert not with_mailbox.filter(reserved=True).exists()
    assert all(r.mailbox_certificate == "CERT" for r in with_mailbox)
    assert seed_contact_register(seed=5, only_if_empty=True) == 0
