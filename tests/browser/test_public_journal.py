"""A visitor reads an organisation's public journal, searches it, and requests access to a
journal post; screened names stay screened in the browser too."""

import pytest
from playwright.sync_api import expect

from saksarkiv import services
from saksarkiv.models import Innsynskrav, Korrespondansepart, Skjerming
from tests.saksarkiv.factories import handler, organisation

pytestmark = pytest.mark.django_db(transaction=True)


def test_visitor_browses_searches_and_requests_access(page):
    case_handler = handler(organisation("965302026", "Fjordvik kommune"))
    bygg = services.create_saksmappe(case_handler, tittel="Byggesak Storgata 1")
    services.add_journalpost(bygg, case_handler, journalposttype="I", tittel="Nabovarsel Storgata 1")
    skjerming = Skjerming.objects.create(
        tilgangsrestriksjon="13",
        skjermingshjemmel="Offl. § 13 jf. fvl. § 13",
        skjerming_metadata=["korrespondansepart"],
    )
    bostotte = services.create_saksmappe(
        case_handler, tittel="Bostøtte Kari Nordmann", offentlig_tittel="Bostøtte *****", skjerming=skjerming
    )
    vedtak = services.add_journalpost(
        bostotte,
        case_handler,
        journalposttype="U",
        tittel="Vedtak til Kari Nordmann",
        offentlig_tittel="Vedtak",
    )
    Korrespondansepart.objects.create(
        journalpost=vedtak, korrespondanseparttype="EM", navn="Kari Nordmann", foedselsnummer="13097248022"
    )

    page.goto("/innsyn/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Offentlige journaler")
    page.follow(page.get_by_role("link", name="Fjordvik kommune"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Offentlig journal for Fjordvik kommune")
    expect(page.get_by_text("Journalposter funnet: 2")).to_be_visible()
    expect(page.get_by_text("Skjermet (Offl. § 13 jf. fvl. § 13)")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Kari Nordmann")

    page.get_by_label("Søk i titler").fill("nabovarsel")
    page.follow(page.get_by_role("button", name="Søk", exact=True))
    expect(page.get_by_text("Journalposter funnet: 1")).to_be_visible()
    expect(page.get_by_role("heading", name="Nabovarsel Storgata 1")).to_be_visible()

    number = f"{bygg.saksnummer}-1"
    page.follow(page.get_by_role("link", name=f"Be om innsyn i {number}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Be om innsyn")
    page.get_by_label("E-postadressen din").fill("journalist.no")
    page.follow(page.get_by_role("button", name="Send innsynskravet"))
    expect(page.get_by_role("alert")).to_contain_text("Skriv inn en gyldig e-postadresse")
    assert not Innsynskrav.objects.exists()

    page.get_by_label("E-postadressen din").fill("journalist@avis.no")
    page.get_by_label("Begrunnelse (valgfritt)").fill("Til en sak om utbygging")
    page.follow(page.get_by_role("button", name="Send innsynskravet"))
    expect(page.get_by_role("status").first).to_contain_text(
        f"Innsynskravet ditt for {number} er sendt til Fjordvik kommune."
    )
    krav = Innsynskrav.objects.get()
    assert krav.epost == "journalist@avis.no" and krav.journalpost.saksmappe == bygg
