"""A realistic contact register for the synthetic population (development, demos, benchmarks):
most living adults registered, with mobile and often e-mail, a few reserved, and many with a
mailbox at one of the registered providers. The same seed gives the same register."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from folkeregister.models import Person, Status
from kontaktregister.models import ContactRecord, MailboxProvider

BATCH_SIZE = 5_000
SHARE_REGISTERED = 0.9
SHARE_EMAIL = 0.75
SHARE_RESERVED = 0.04
SHARE_MAILBOX = 0.6


def _record(person_id: int, given: str, family: str, rng: random.Random, providers, now) -> ContactRecord:
    verified = now - timedelta(days=rng.randint(0, 900))  # some older than 18 months
    has_email = rng.random() < SHARE_EMAIL
    reserved = rng.random() < SHARE_RESERVED
    provider = rng.choice(providers) if providers and not reserved and rng.random() < SHARE_MAILBOX else None
    ascii_name = f"{given}.{family}".lower().encode("ascii", "ignore").decode()
    return ContactRecord(
        person_id=person_id,
        mobile=f"+479{rng.randint(0, 9_999_999):07d}",
        mobile_updated_at=verified,
        mobile_verified_at=verified,
        email=f"{ascii_name}{person_id}@example.no" if has_email else "",
        email_updated_at=verified if has_email else None,
        email_verified_at=verified if has_email else None,
        reserved=reserved,
        reserved_changed_at=verified if reserved else None,
        mailbox_provider=provider.identifier if provider else "",
        mailbox_address=f"{ascii_name}#{person_id:X}" if provider else "",
        mailbox_certificate=provider.certificate if provider else "",
    )


def seed_contact_register(*, seed: int = 1, only_if_empty: bool = False, on_progress=None) -> int:
    """Contact records for living persons aged 16 or more who have none; returns how many were made."""
    if only_if_empty and ContactRecord.objects.exists():
        return 0
    rng = random.Random(seed)
    providers = list(MailboxProvider.objects.filter(active=True).order_by("identifier"))
    now = timezone.now()
    adults_born_before = now.date().replace(year=now.year - 16)
    persons = (
        Person.objects.filter(
            status__in=(Status.BOSATT, Status.MIDLERTIDIG), birth_date__lte=adults_born_before
        )
        .exclude(pk__in=ContactRecord.objects.values("person_id"))
        .order_by("pk")
        .values_list("pk", "given_name", "family_name")
    )
    made, batch = 0, []
    for person_id, given, family in persons.iterator(chunk_size=BATCH_SIZE):
        if rng.random() >= SHARE_REGISTERED:
            continue
        batch.append(_record(person_id, given, family, rng, providers, now))
        if len(batch) == BATCH_SIZE:
            made += _flush(batch, on_progress)
            batch = []
    return made + _flush(batch, on_progress)


def _flush(batch: list[ContactRecord], on_progress) -> int:
    with transaction.atomic():
        ContactRecord.objects.bulk_create(batch)
    if on_progress:
        on_progress(len(batch))
    return len(batch)


@transaction.atomic
def register_demo_citizen(
    identity_number: str, *, mobile: str, email: str, provider_identifier: str
) -> ContactRecord:
    """The demo citizen's contact information, verified now, with a mailbox at the given provider."""
    from kontaktregister import services

    now = timezone.now()
    record = ContactRecord.objects.filter(person__identity_number=identity_number).first() or ContactRecord(
        person=Person.objects.get(identity_number=identity_number)
    )
    record.status = ContactRecord.Status.ACTIVE
    record.mobile, record.mobile_updated_at, record.mobile_verified_at = mobile, now, now
    record.email, record.email_updated_at, record.email_verified_at = email, now, now
    record.reserved = False
    record.save()
    return services.choose_mailbox(identity_number, provider_identifier)
