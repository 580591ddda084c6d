"""Providers, citizens with mailboxes and PDFs for the digital post tests."""

import uuid

from django.utils import timezone

from core.pdf import render_pdf
from kontaktregister import services as kontaktregister
from kontaktregister.models import ContactRecord
from postkasse import services
from tests.folkeregister.factories import make_person
from virksomheter.models import Organisation

_PDF = {}


def pdf(text: str = "Vedtak om bostøtte") -> bytes:
    if text not in _PDF:
        _PDF[text] = render_pdf(
            f"<html><body><h1>{text}</h1><p>Du har fått innvilget bostøtte.</p></body></html>"
        )
    return _PDF[text]


def providers(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return services.seed_demo_providers()


def sender() -> Organisation:
    organisation, _created = Organisation.objects.get_or_create(
        organisasjonsnummer="974312344", defaults={"name_nb": "Velferdsetaten", "kind": "state_agency"}
    )
    return organisation


def citizen(
    *, mailbox_provider=None, reserved=False, mobile="+4791234567", email="kari@example.no", **person
):
    """A person in the register; with a contact record, and a mailbox at the given provider."""
    person = make_person(**person)
    now = timezone.now()
    ContactRecord.objects.create(
        person=person,
        mobile=mobile,
        mobile_verified_at=now,
        email=email,
        email_verified_at=now,
        reserved=reserved,
    )
    if mailbox_provider is not None:
        kontaktregister.choose_mailbox(person.identity_number, mailbox_provider.identifier)
    return person


def send(recipient, *, key=None, documents=None, **options):
    return services.accept_letter(
        sender(),
        idempotency_key=key or str(uuid.uuid4()),
        recipient=recipient.identity_number if hasattr(recipient, "identity_number") else recipient,
        title=options.pop("title", "Vedtak"),
        documents=documents or [services.DocumentIn("Vedtak", "vedtak.pdf", pdf())],
        **options,
    )
