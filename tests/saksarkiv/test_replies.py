"""Replies filed in the case archive, as the public journal shows them: a reply is screened as
the letter it answers, and its public title never carries a screened title or name."""

import pytest

from folkeregister.models import AddressProtection, Person
from saksarkiv.models import Journalpost, Korrespondansepart, Saksmappe, Skjerming
from tests.postkasse.factories import citizen, providers
from tests.postkasse.test_mailbox import log_in
from tests.postkasse.test_replies import answer, dispatched, incoming
from tests.saksarkiv.factories import handler

pytestmark = pytest.mark.django_db
HJEMMEL = "Offl. § 13 jf. fvl. § 13"


@pytest.fixture
def kari(settings, tmp_path):
    return citizen(mailbox_provider=providers(settings, tmp_path)[0])


@pytest.fixture
def case_handler():
    return handler()


def screening(*fields) -> Skjerming:
    return Skjerming.objects.create(
        tilgangsrestriksjon="13", skjermingshjemmel=HJEMMEL, skjerming_metadata=list(fields)
    )


def replied(client, person, original, letter) -> tuple[Journalpost, str]:
    """The citizen answers; the filed reply and the organisation's public journal after it."""
    log_in(client, person)
    assert answer(client, letter).status_code == 302
    journal = client.get(f"/innsyn/{letter.sender.organisasjonsnummer}/").content.decode()
    return incoming(original), journal


def test_a_reply_to_a_screened_title_left_unblanked_publishes_nothing_of_it(client, kari, case_handler):
    original, letter = dispatched(case_handler, kari, skjerming=screening("tittel"))
    Journalpost.objects.filter(pk=original.pk).update(tittel="Vedtak om barnevern", offentlig_tittel="")
    original.refresh_from_db()

    filed, journal = replied(client, kari, original, letter)

    assert filed.tittel == "Svar fra Kari Nordmann: Vedtak om barnevern"
    assert filed.skjerming.screens("tittel")
    assert "barnevern" not in journal
    assert journal.count(f"Skjermet ({HJEMMEL})") == 2


def test_a_reply_to_a_blanked_out_title_publishes_the_blanked_out_version(client, kari, case_handler):
    original, letter = dispatched(case_handler, kari, skjerming=screening("tittel"))
    Journalpost.objects.filter(pk=original.pk).update(
        tittel="Vedtak om barnevern", offentlig_tittel="Vedtak om *****"
    )
    original.refresh_from_db()

    filed, journal = replied(client, kari, original, letter)

    assert filed.tittel == "Svar fra Kari Nordmann: Vedtak om barnevern"
    assert filed.offentlig_tittel == "Svar: Vedtak om *****"
    assert "Svar: Vedtak om *****" in journal and "barnevern" not in journal


def test_names_screened_on_the_case_keep_the_name_out_of_the_reply(client, kari, case_handler):
    original, letter = dispatched(case_handler, kari)
    Saksmappe.objects.filter(pk=original.saksmappe_id).update(skjerming=screening("korrespondansepart"))
    original.refresh_from_db()

    filed, journal = replied(client, kari, original, letter)

    assert filed.offentlig_tittel == "Svar: Vedtak om bostøtte"
    assert filed.skjerming.screens("korrespondansepart")
    assert "Svar: Vedtak om bostøtte" in journal and "Kari Nordmann" not in journal


def test_a_citizen_with_a_protected_address_is_not_named_in_the_public_title(client, kari, case_handler):
    Person.objects.filter(identity_number=kari.identity_number).update(
        address_protection=AddressProtection.STRENGT_FORTROLIG
    )
    original, letter = dispatched(case_handler, kari)

    filed, journal = replied(client, kari, original, letter)

    assert filed.tittel == "Svar fra Kari Nordmann: Vedtak om bostøtte"
    assert filed.offentlig_tittel == "Svar: Vedtak om bostøtte"
    assert "Kari Nordmann" not in journal


def test_a_reply_to_a_long_title_fits_the_title_column(client, kari, case_handler):
    longest = Journalpost._meta.get_field("tittel").max_length
    original, letter = dispatched(case_handler, kari)
    Journalpost.objects.filter(pk=original.pk).update(tittel="V" * longest, offentlig_tittel="V" * longest)
    original.refresh_from_db()

    filed, _journal = replied(client, kari, original, letter)

    assert filed.tittel == f"Svar fra Kari Nordmann: {'V' * longest}"[:longest]
    assert len(filed.offentlig_tittel) == longest


def test_the_public_title_of_a_reply_never_names_the_citizen(client, kari, case_handler):
    original, letter = dispatched(case_handler, kari)

    filed, journal = replied(client, kari, original, letter)

    assert filed.tittel == "Svar fra Kari Nordmann: Vedtak om bostøtte"
    assert filed.offentlig_tittel == "Svar: Vedtak om bostøtte"
    assert "Svar fra Kari Nordmann" not in journal


def test_a_reply_to_a_mass_dispatch_does_not_name_its_sender(client, kari, case_handler):
    original, letter = dispatched(case_handler, kari)
    for name, number in (("Ola Hansen", "01010150061"), ("Per Berg", "02020250085")):
        Korrespondansepart.objects.create(
            journalpost=original, korrespondanseparttype="EM", navn=name, foedselsnummer=number
        )

    filed, journal = replied(client, kari, original, letter)

    assert filed.offentlig_med_navn is False
    assert filed.korrespondanseparter.get().navn == "Kari Nordmann"
    assert "Kari Nordmann" not in journal and "Ola Hansen" not in journal
