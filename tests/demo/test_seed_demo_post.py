"""The demo's digital post: providers, a contact register for the population, and letters to the
demo citizen that the chain delivers to their mailbox."""

import pytest
from django.core.management import call_command

from folkeregister.seeding import seed_population
from kontaktregister import services as kontaktregister
from postkasse.models import Letter
from virksomheter.demo import seed_demo_organisations

pytestmark = pytest.mark.django_db


def test_demo_post_delivers_three_letters_to_the_demo_citizen(settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    seed_population(300, seed=3)
    seed_demo_organisations()
    call_command("seed_demo_citizen", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo_post", stdout=open("/dev/null", "w"))  # noqa: SIM115
    letters = Letter.objects.filter(idempotency_key__startswith="demo-post-")  # not the PIN letter
    assert letters.count() == 3
    assert {letter.status for letter in letters} == {Letter.Status.DELIVERED}
    recipient = letters[0].recipient
    assert kontaktregister.contact_record(recipient).mailbox_provider == "921000006"
    registered = kontaktregister.lookup([letter.recipient for letter in letters])
    assert registered[0].status == "AKTIV"
    call_command("seed_demo_post", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert letters.count() == 3  # sent once


def test_demo_archive_gives_the_case_handler_cases_and_a_letter_ready_to_dispatch(settings, tmp_path, client):
    from saksarkiv.models import Journalpost, Saksbehandler, Saksmappe

    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    seed_population(300, seed=3)
    seed_demo_organisations()
    call_command("seed_demo_admin", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo_citizen", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo_archive", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo_archive", stdout=open("/dev/null", "w"))  # noqa: SIM115  (once)
    handler = Saksbehandler.objects.get(user__username="saksbehandler")
    assert Journalpost.objects.filter(saksbehandler=handler).count() == 2
    vedtak = Journalpost.objects.get(tittel="Vedtak om bostøtte")
    assert vedtak.brevmal and vedtak.korrespondanseparter.count() == 1
    client.login(username="saksbehandler", password="felles-demo")
    assert client.get(f"/admin/saksarkiv/journalpost/{vedtak.pk}/change/").status_code == 200
    # The child-welfare case carries the access code BV: hidden from saksbehandler, open to Kari
    # Nilsen in Barnevernstjenesten.
    barnevern = Saksmappe.objects.get(tittel__startswith="Bekymringsmelding")
    assert barnevern.tilgangskode.kode == "BV" and barnevern.skjerming is not None
    assert client.get(f"/admin/saksarkiv/saksmappe/{barnevern.pk}/change/").status_code == 404
    public = client.get("/innsyn/965302026/").content.decode()
    assert "Bekymringsmelding fra skole" not in public and "Bekymringsmelding fra *****" in public
    client.login(username="barnevern", password="felles-demo")
    assert client.get(f"/admin/saksarkiv/saksmappe/{barnevern.pk}/change/").status_code == 200
