"""The public journal (offentlig journal) at /innsyn/: the listing, paging, search and filters,
requests for access, and that no screened title or name ever reaches the page."""

import itertools
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEvent
from saksarkiv import services
from saksarkiv.models import Innsynskrav, Journalpost, Korrespondansepart, Skjerming
from saksarkiv.services import public
from tests.saksarkiv.factories import handler, organisation

pytestmark = pytest.mark.django_db

ORGNR = "965302026"
HJEMMEL = "Offl. § 13 jf. fvl. § 13"
SCREENINGS = {
    "none": [],
    "title": ["tittel"],
    "names": ["korrespondansepart"],
    "both": ["tittel", "korrespondansepart"],
}


@pytest.fixture
def case_handler():
    return handler(organisation(ORGNR, "Fjordvik kommune"))


def journal_url(**query):
    url = reverse("innsyn:journal", kwargs={"organisasjonsnummer": ORGNR})
    return url if not query else f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}"


def screening(fields, hjemmel=HJEMMEL):
    return Skjerming.objects.create(
        tilgangsrestriksjon="13", skjermingshjemmel=hjemmel, skjerming_metadata=fields
    )


def post(
    case_handler, case=None, *, tittel="Søknad om byggetillatelse", offentlig_tittel="", type="I", **fields
):
    case = case or services.create_saksmappe(case_handler, tittel="Byggesak Storgata 1")
    journalpost = services.add_journalpost(
        case, case_handler, journalposttype=type, tittel=tittel, offentlig_tittel=offentlig_tittel
    )
    if fields:
        Journalpost.objects.filter(pk=journalpost.pk).update(**fields)
        journalpost.refresh_from_db()
    return journalpost


def party(journalpost, navn, kind=Korrespondansepart.Type.AVSENDER, *, person=True):
    number = {"foedselsnummer": "13097248022"} if person else {"organisasjonsnummer": "974760673"}
    return Korrespondansepart.objects.create(
        journalpost=journalpost, korrespondanseparttype=kind, navn=navn, **number
    )


def test_the_front_lists_organisations_that_keep_an_archive(client, case_handler):
    services.ensure_arkiv(case_handler.organisation)
    organisation("974760673", "Registerenheten i Brønnøysund")  # no archive: not listed
    response = client.get(reverse("innsyn:organisations"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Offentlige journaler" in page and "Fjordvik kommune" in page
    assert journal_url() in page
    assert "Registerenheten" not in page


def test_an_organisation_without_an_archive_has_no_journal(client):
    organisation("974760673", "Registerenheten i Brønnøysund")
    assert (
        client.get(reverse("innsyn:journal", kwargs={"organisasjonsnummer": "974760673"})).status_code == 404
    )


def test_the_journal_lists_posts_newest_first_with_number_type_and_parties(client, case_handler):
    case = services.create_saksmappe(
        case_handler, tittel="Byggesak Storgata 1 – Ola Hansen", offentlig_tittel="Byggesak Storgata 1"
    )
    older = post(case_handler, case, tittel="Søknad om byggetillatelse", journaldato=date(2025, 3, 1))
    newer = post(
        case_handler, case, type="U", tittel="Vedtak om byggetillatelse", journaldato=date(2025, 3, 5)
    )
    party(older, "Ola Hansen")
    party(newer, "Ola Hansen", Korrespondansepart.Type.MOTTAKER)
    party(newer, "Fjordvik kommune, byggesak", Korrespondansepart.Type.AVSENDER, person=False)

    page = client.get(journal_url()).content.decode()

    assert "Offentlig journal for Fjordvik kommune" in page
    assert page.index("Vedtak om byggetillatelse") < page.index("Søknad om byggetillatelse")
    assert f"{case.saksaar}/{case.sakssekvensnummer}-2" in page and "Utgående dokument" in page
    assert f"løpenr. {newer.journalaar}/{newer.journalsekvensnummer}" in page
    assert "Inngående dokument" in page and "Byggesak Storgata 1" in page and "Ola Hansen" in page
    assert "Avsender" in page and "Mottaker" in page
    # The sender of an outgoing letter is the organisation itself: only the recipients are listed.
    assert "Fjordvik kommune, byggesak" not in page
    assert "13097248022" not in page


def test_only_registered_posts_are_published(client, case_handler):
    for status in Journalpost.Status:
        post(case_handler, tittel=f"Status {status.label} X", journalstatus=status)
    page = client.get(journal_url()).content.decode()
    for status in public.PUBLIC_STATUSES:
        assert f"Status {status.label} X" in page
    for status in (Journalpost.Status.RESERVERT, Journalpost.Status.MIDLERTIDIG, Journalpost.Status.UTGAAR):
        assert f"Status {status.label} X" not in page


def test_another_organisations_posts_are_not_in_the_journal(client, case_handler):
    other = handler(organisation("974760673", "Registerenheten i Brønnøysund"))
    post(other, tittel="Brønnøysund sin post")
    post(case_handler, tittel="Fjordviks post")
    page = client.get(journal_url()).content.decode()
    assert "Fjordviks post" in page and "Brønnøysund sin post" not in page


def test_the_journal_is_paged_fifty_at_a_time(client, case_handler):
    case = services.create_saksmappe(case_handler, tittel="Mange brev")
    for number in range(public.PAGE_SIZE + 3):
        post(
            case_handler,
            case,
            tittel=f"Brev nummer {number:03d}",
            journaldato=date(2025, 1, 1) + timedelta(days=number),
        )

    first = client.get(journal_url()).content.decode()
    second = client.get(journal_url(side=2)).content.decode()

    assert "Journalposter funnet: 53" in first
    assert "Brev nummer 052" in first and "Brev nummer 003" in first and "Brev nummer 002" not in first
    assert "Brev nummer 002" in second and "Brev nummer 000" in second and "Brev nummer 003" not in second
    assert 'href="?side=2"' in first


def test_paging_keeps_the_search(client, case_handler):
    case = services.create_saksmappe(case_handler, tittel="Mange brev")
    for number in range(public.PAGE_SIZE + 1):
        post(case_handler, case, tittel=f"Brev nummer {number:03d}")
    page = client.get(journal_url(q="Brev", type="I")).content.decode()
    assert 'href="?q=Brev&amp;type=I&amp;side=2"' in page


def test_search_finds_words_in_the_public_titles_of_post_and_case(client, case_handler):
    bygg = services.create_saksmappe(case_handler, tittel="Byggesak Storgata 1")
    skole = services.create_saksmappe(case_handler, tittel="Skoleskyss 2025")
    post(case_handler, bygg, tittel="Nabovarsel")
    post(case_handler, skole, tittel="Søknad om skoleskyss")
    post(case_handler, skole, tittel="Klage på vedtak")

    by_post = client.get(journal_url(q="nabovarsel")).content.decode()
    by_case = client.get(journal_url(q="skoleskyss")).content.decode()
    two_words = client.get(journal_url(q="klage+skoleskyss")).content.decode()

    assert "Nabovarsel" in by_post and "Journalposter funnet: 1" in by_post
    assert "Søknad om skoleskyss" in by_case and "Klage på vedtak" in by_case and "Nabovarsel" not in by_case
    assert "Klage på vedtak" in two_words and "Journalposter funnet: 1" in two_words


def test_search_never_matches_the_screened_real_title(client, case_handler):
    secret = screening(["tittel"])
    case = services.create_saksmappe(
        case_handler, tittel="Barnevern Kari Nordmann", offentlig_tittel="Barnevern *****", skjerming=secret
    )
    post(case_handler, case, tittel="Melding om Kari Nordmann", offentlig_tittel="Melding om *****")
    page = client.get(journal_url(q="Nordmann")).content.decode()
    assert "Journalposter funnet: 0" in page and "Ingen journalposter passer til søket." in page


def test_filters_by_journal_date_and_type(client, case_handler):
    case = services.create_saksmappe(case_handler, tittel="Sak")
    post(case_handler, case, tittel="Tidlig brev inn", journaldato=date(2025, 1, 10))
    post(case_handler, case, tittel="Midt brev inn", journaldato=date(2025, 2, 10))
    post(case_handler, case, tittel="Midt brev ut", type="U", journaldato=date(2025, 2, 11))
    post(case_handler, case, tittel="Sent brev inn", journaldato=date(2025, 3, 10))

    by_date = client.get(journal_url(fra="2025-02-01", til="2025-02-28")).content.decode()
    by_type = client.get(journal_url(type="U")).content.decode()

    assert "Midt brev inn" in by_date and "Midt brev ut" in by_date
    assert "Tidlig brev inn" not in by_date and "Sent brev inn" not in by_date
    assert "Midt brev ut" in by_type and "Journalposter funnet: 1" in by_type


def test_a_reversed_date_range_is_a_clear_error(client, case_handler):
    post(case_handler, tittel="Brev")
    page = client.get(journal_url(fra="2025-03-01", til="2025-02-01")).content.decode()
    assert "Til-datoen kan ikke være før fra-datoen." in page
    assert "Brev" in page  # the valid parts of the search still apply


def test_the_valid_filters_still_apply_beside_an_invalid_one(client, case_handler):
    case = services.create_saksmappe(case_handler, tittel="Sak")
    post(case_handler, case, tittel="Nabovarsel Storgata 1")
    post(case_handler, case, tittel="Vedtak om byggetillatelse")
    page = client.get(journal_url(q="nabovarsel", fra="2025-03-01", til="2025-02-01")).content.decode()
    assert "Til-datoen kan ikke være før fra-datoen." in page
    assert "Journalposter funnet: 1" in page
    assert "Nabovarsel Storgata 1" in page and "Vedtak om byggetillatelse" not in page


def test_a_search_of_many_words_is_refused_with_a_message_and_the_service_reads_ten(client, case_handler):
    case = services.create_saksmappe(case_handler, tittel="Sak")
    post(case_handler, case, tittel="Nabovarsel Storgata 1")
    page = client.get(journal_url(q=" ".join(["nabovarsel"] * 11))).content.decode()
    assert "Søk med høyst 10 ord." in page
    found = public.public_journal(
        case_handler.organisation, query=" ".join(["storgata"] * 10 + ["finnes-ikke"])
    )
    assert [entry.tittel for entry in found.object_list] == [
        "Nabovarsel Storgata 1"
    ]  # the 11th word is not read


def test_a_page_takes_the_same_few_queries_however_many_rows(
    client, case_handler, django_assert_max_num_queries
):
    case = services.create_saksmappe(case_handler, tittel="Sak", skjerming=screening(["tittel"]))
    for number in range(3):
        party(
            post(case_handler, case, tittel=f"Brev {number}", skjerming=screening(["korrespondansepart"])),
            "Ola",
        )

    with CaptureQueriesContext(connection) as few:
        client.get(journal_url())
    for number in range(60):
        journalpost = post(case_handler, case, tittel=f"Brev {number}", type="IU"[number % 2])
        party(journalpost, "Kari", Korrespondansepart.Type.MOTTAKER)
        party(journalpost, "Per")
    with django_assert_max_num_queries(len(few)) as many:
        client.get(journal_url(q="Brev", fra="2025-01-01"))

    # The organisation, the count, the page (posts with cases and screenings), the parties, the session.
    assert len(many) <= 6


@pytest.mark.parametrize(
    ("post_screening", "case_screening"), list(itertools.product(SCREENINGS, SCREENINGS))
)
def test_no_screened_field_reaches_the_page(client, case_handler, post_screening, case_screening):
    """Every combination of screening on the post and on its case, with the public titles both
    blanked out properly and left equal to the real titles: what is screened is never shown."""
    rows = []
    for blanked in (True, False):
        tag = f"{post_screening}{case_screening}{'B' if blanked else 'U'}"
        case_secret, post_secret, name_secret = (
            f"SAKHEMMELIG{tag}X",
            f"POSTHEMMELIG{tag}X",
            f"NAVNHEMMELIG{tag}X",
        )
        case = services.create_saksmappe(
            case_handler,
            tittel=f"Byggesak {case_secret}",
            offentlig_tittel="Byggesak *****" if blanked else "",
            skjerming=screening(SCREENINGS[case_screening], "Offl. § 13 sak")
            if SCREENINGS[case_screening]
            else None,
        )
        journalpost = post(
            case_handler,
            case,
            tittel=f"Byggesak søknad {post_secret}",
            offentlig_tittel="Byggesak søknad *****" if blanked else "",
            skjerming=screening(SCREENINGS[post_screening]) if SCREENINGS[post_screening] else None,
        )
        party(journalpost, name_secret)
        party(journalpost, f"Firma {name_secret}", person=False)
        rows.append((blanked, case_secret, post_secret, name_secret))

    fields = set(SCREENINGS[post_screening]) | set(SCREENINGS[case_screening])
    listing = client.get(journal_url()).content.decode()
    for blanked, case_secret, post_secret, name_secret in rows:
        titles_shown = not blanked and "tittel" not in fields
        assert (case_secret in listing) == titles_shown
        assert (post_secret in listing) == titles_shown
        assert (name_secret in listing) == ("korrespondansepart" not in fields)
    assert "13097248022" not in listing
    if fields:
        assert "Skjermet (Offl. § 13" in listing or "Skjermingshjemmel" in listing

    results = client.get(journal_url(q="Byggesak")).content.decode()
    assert "Journalposter funnet: 0" not in results
    for _blanked, case_secret, post_secret, name_secret in rows:
        assert "tittel" not in fields or (case_secret not in results and post_secret not in results)
        assert "korrespondansepart" not in fields or name_secret not in results

    # Searching for a screened word finds nothing, so a hit cannot betray what is screened.
    for blanked, case_secret, post_secret, name_secret in rows:
        titles_searchable = not blanked and "tittel" not in fields
        for secret, hits in (
            (case_secret, int(titles_searchable)),
            (post_secret, int(titles_searchable)),
            (name_secret, 0),
        ):
            found = client.get(journal_url(q=secret)).content.decode()
            assert f"Journalposter funnet: {hits}" in found


def test_screened_names_show_the_legal_basis_instead(client, case_handler):
    journalpost = post(case_handler, skjerming=screening(["korrespondansepart"]))
    party(journalpost, "Kari Nordmann")
    page = client.get(journal_url()).content.decode()
    assert f"Skjermet ({HJEMMEL})" in page and "Kari Nordmann" not in page


def test_a_person_with_a_protected_address_is_not_named(client, case_handler):
    journalpost = post(case_handler, type="U", tittel="Vedtak om barnehageplass")
    protected = party(journalpost, "Kari Nordmann", Korrespondansepart.Type.MOTTAKER)
    Korrespondansepart.objects.filter(pk=protected.pk).update(adresse_beskyttet=True)
    party(journalpost, "Ola Nordmann", Korrespondansepart.Type.KOPIMOTTAKER)
    page = client.get(journal_url()).content.decode()
    assert "Kari Nordmann" not in page
    assert "Navn skjermet, Ola Nordmann" in page
    assert "Vedtak om barnehageplass" in page


def test_a_screened_title_left_unblanked_is_withheld(client, case_handler):
    secret = screening(["tittel"])
    case = services.create_saksmappe(case_handler, tittel="Sak om Kari", skjerming=secret)
    post(case_handler, case, tittel="Brev om Kari", skjerming=secret)
    Journalpost.objects.update(offentlig_tittel="")
    page = client.get(journal_url()).content.decode()
    assert "Kari" not in page
    assert page.count(f"Skjermet ({HJEMMEL})") == 2


def test_a_visitor_requests_access_and_gets_a_receipt(client, case_handler):
    journalpost = post(case_handler, tittel="Nabovarsel")
    url = reverse(
        "innsyn:request_access", kwargs={"organisasjonsnummer": ORGNR, "journalpost_id": journalpost.pk}
    )

    form = client.get(url).content.decode()
    assert "Be om innsyn" in form and "Nabovarsel" in form

    response = client.post(
        url, {"epost": " journalist@avis.no ", "begrunnelse": "Til en artikkel"}, follow=True
    )

    krav = Innsynskrav.objects.get()
    assert (krav.journalpost, krav.epost, krav.begrunnelse) == (
        journalpost,
        "journalist@avis.no",
        "Til en artikkel",
    )
    assert response.redirect_chain[-1][0] == journal_url()
    number = f"{journalpost.saksmappe.saksnummer}-{journalpost.journalpostnummer}"
    assert (
        f"Innsynskravet ditt for {number} er sendt til Fjordvik kommune. "
        "Svaret kommer på e-post til journalist@avis.no."
    ) in response.content.decode()
    event = AuditEvent.objects.get(action=public.REQUEST_ACTION)
    assert event.object_id == str(krav.pk) and event.details["organisation"] == ORGNR


def test_an_invalid_email_is_a_clear_error_and_files_nothing(client, case_handler):
    journalpost = post(case_handler)
    url = reverse(
        "innsyn:request_access", kwargs={"organisasjonsnummer": ORGNR, "journalpost_id": journalpost.pk}
    )
    invalid = client.post(url, {"epost": "ikke-en-adresse", "begrunnelse": "Hvorfor"}).content.decode()
    empty = client.post(url, {"epost": ""}).content.decode()
    assert "Du må rette opp dette" in invalid
    assert "Skriv inn en gyldig e-postadresse, for eksempel navn@eksempel.no." in invalid
    assert "Dette feltet er påkrevd." in empty
    assert not Innsynskrav.objects.exists()
    assert not AuditEvent.objects.filter(action=public.REQUEST_ACTION).exists()


@pytest.mark.parametrize("status", [Journalpost.Status.RESERVERT, Journalpost.Status.UTGAAR])
def test_unpublished_posts_cannot_be_requested(client, case_handler, status):
    journalpost = post(case_handler, journalstatus=status)
    url = reverse(
        "innsyn:request_access", kwargs={"organisasjonsnummer": ORGNR, "journalpost_id": journalpost.pk}
    )
    assert client.post(url, {"epost": "a@b.no"}).status_code == 404
    assert not Innsynskrav.objects.exists()


def test_another_organisations_post_cannot_be_requested_through_this_journal(client, case_handler):
    other = post(handler(organisation("974760673", "Registerenheten i Brønnøysund")))
    url = reverse("innsyn:request_access", kwargs={"organisasjonsnummer": ORGNR, "journalpost_id": other.pk})
    assert client.get(url).status_code == 404


def test_too_many_requests_from_one_address_are_refused(client, case_handler, monkeypatch):
    monkeypatch.setattr(public, "REQUESTS_PER_WINDOW", 2)
    journalpost = post(case_handler)
    url = reverse(
        "innsyn:request_access", kwargs={"organisasjonsnummer": ORGNR, "journalpost_id": journalpost.pk}
    )
    for _attempt in range(2):
        assert client.post(url, {"epost": "journalist@avis.no"}).status_code == 302
    response = client.post(url, {"epost": "journalist@avis.no"})
    assert response.status_code == 429
    assert (
        "Du har sendt mange innsynskrav på kort tid. Vent en time og prøv igjen." in response.content.decode()
    )
    assert Innsynskrav.objects.count() == 2
    other_address = client.post(url, {"epost": "journalist@avis.no"}, REMOTE_ADDR="192.0.2.7")
    assert other_address.status_code == 302


def test_a_refused_flood_of_requests_is_in_the_audit_trail(client, case_handler, monkeypatch):
    monkeypatch.setattr(public, "REQUESTS_PER_WINDOW", 1)
    journalpost = post(case_handler)
    url = reverse(
        "innsyn:request_access", kwargs={"organisasjonsnummer": ORGNR, "journalpost_id": journalpost.pk}
    )
    assert client.post(url, {"epost": "journalist@avis.no"}).status_code == 302
    for _attempt in range(2):
        assert client.post(url, {"epost": "robot@avis.no"}).status_code == 429
    refused = AuditEvent.objects.filter(action=public.REFUSED_ACTION)
    assert refused.count() == 2
    event = refused.first()
    assert event.outcome == AuditEvent.Outcome.FAILURE and event.actor == "robot@avis.no"
    assert event.ip_address == "127.0.0.1" and event.object_id == str(journalpost.pk)
    assert Innsynskrav.objects.count() == 1


def test_case_handlers_see_their_own_organisations_requests_read_only(client, case_handler):
    mine = post(case_handler, tittel="Vår post")
    theirs = post(handler(organisation("974760673", "Registerenheten i Brønnøysund")), tittel="Deres post")
    services.public.request_access(mine, email="til-oss@avis.no")
    services.public.request_access(theirs, email="til-dem@avis.no")
    client.force_login(case_handler.user)

    listing = client.get(reverse("admin:saksarkiv_innsynskrav_changelist")).content.decode()

    assert "til-oss@avis.no" in listing and "til-dem@avis.no" not in listing
    other = Innsynskrav.objects.get(epost="til-dem@avis.no")
    assert client.get(reverse("admin:saksarkiv_innsynskrav_change", args=[other.pk])).status_code in (
        302,
        404,
    )
    assert client.get(reverse("admin:saksarkiv_innsynskrav_add")).status_code == 403


def test_a_case_handler_marks_requests_handled_and_only_their_own(client, case_handler):
    mine = services.public.request_access(post(case_handler, tittel="Vår post"), email="til-oss@avis.no")
    other_handler = handler(organisation("974760673", "Registerenheten i Brønnøysund"))
    theirs = services.public.request_access(post(other_handler, tittel="Deres post"), email="til-dem@avis.no")
    client.force_login(case_handler.user)

    response = client.post(
        reverse("admin:saksarkiv_innsynskrav_changelist"),
        {"action": "mark_handled", "_selected_action": [mine.pk, theirs.pk]},
        follow=True,
    )

    assert "1 innsynskrav er markert som behandlet." in response.content.decode()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.behandlet is not None and theirs.behandlet is None
    assert AuditEvent.objects.filter(action="saksarkiv.innsynskrav_handled", object_id=str(mine.pk)).exists()


def mass_dispatch(case_handler, names=("Kari Nordmann", "Ola Hansen", "Per Berg")):
    journalpost = post(case_handler, type="U", tittel="Varsel om eiendomsskatt")
    for name in names:
        party(journalpost, name, Korrespondansepart.Type.MOTTAKER)
    party(journalpost, "Fjordvik Eiendom AS", Korrespondansepart.Type.MOTTAKER, person=False)
    return journalpost


def test_a_mass_dispatch_counts_its_persons_and_names_its_organisations(client, case_handler):
    mass_dispatch(case_handler)
    page = client.get(journal_url()).content.decode()
    assert "Varsel om eiendomsskatt" in page and "Fjordvik Eiendom AS" in page
    assert not any(name in page for name in ("Kari Nordmann", "Ola Hansen", "Per Berg"))


def test_a_letter_to_two_persons_names_them(client, case_handler):
    mass_dispatch(case_handler, names=("Kari Nordmann", "Ola Hansen"))
    page = client.get(journal_url()).content.decode()
    assert "Kari Nordmann" in page and "Ola Hansen" in page


def test_a_mass_dispatch_marked_public_with_names_lists_them(client, case_handler):
    journalpost = mass_dispatch(case_handler)
    public.set_public_names(journalpost, case_handler, named=True)
    page = client.get(journal_url()).content.decode()
    assert "Kari Nordmann" in page and "Per Berg" in page
    assert AuditEvent.objects.filter(action="saksarkiv.journalpost_public_names").exists()

    public.set_public_names(journalpost, case_handler, named=False)
    assert "Kari Nordmann" not in client.get(journal_url()).content.decode()


def test_first_line_screening_shows_only_the_first_line_of_each_title(client, case_handler):
    """TM1 and TR1 (Noark 5's "unntatt første linje"): the public journal shows the title up to its
    first line break, and a search cannot find a word after it."""
    case = services.create_saksmappe(
        case_handler,
        tittel="Barnevernssak\nOla HEMMELIGSAK, født 2015",
        skjerming=screening([Skjerming.Metadata.TITTEL_MAPPE_FOERSTE_LINJE]),
    )
    post(
        case_handler,
        case,
        tittel="Bekymringsmelding\nfra skolen om HEMMELIGPOST",
        skjerming=screening([Skjerming.Metadata.TITTEL_REGISTRERING_FOERSTE_LINJE], "Offl. § 13 post"),
    )
    page = client.get(journal_url()).content.decode()
    assert "Barnevernssak" in page and "Bekymringsmelding" in page
    assert "HEMMELIG" not in page
    assert "Offl. § 13 post" in page
    assert "Journalposter funnet: 0" in client.get(journal_url(q="HEMMELIGPOST")).content.decode()
    assert "Journalposter funnet: 0" in client.get(journal_url(q="HEMMELIGSAK")).content.decode()
    assert "Journalposter funnet: 1" in client.get(journal_url(q="Bekymringsmelding")).content.decode()


def test_the_standards_codes_screen_as_their_aliases_do(client, case_handler):
    """TRO (selected words of the title) with an unblanked public title withholds it; NA withholds
    the sender's name; the legal basis is shown for both."""
    journalpost = post(case_handler, tittel="Klage fra HEMMELIGNAVN", skjerming=screening(["TRO", "NA"]))
    party(journalpost, "Kari HEMMELIGPART")
    page = client.get(journal_url()).content.decode()
    assert "HEMMELIG" not in page
    # The post's title, its case's (a title screening on either withholds both, as the aliases
    # always have) and the sender.
    assert page.count(f"Skjermet ({HJEMMEL})") == 3
    blanked = post(case_handler, tittel="Klage fra Ola Nordmann", offentlig_tittel="Klage fra *****",
                   skjerming=screening(["TRO"]))  # fmt: skip
    assert blanked.offentlig_tittel in client.get(journal_url()).content.decode()


def test_public_entries_give_each_post_as_public_entry_does_in_the_order_asked(case_handler):
    screened = post(case_handler, tittel="Søknad fra Kari", offentlig_tittel="Søknad fra *****")
    screened.skjerming = screening(["tittel", "korrespondansepart"])
    screened.save(update_fields=["skjerming"])
    party(screened, "Kari Nordmann")
    plain = post(case_handler, tittel="Nabovarsel")
    org = organisation(ORGNR)

    entries = list(public.public_entries(org, [plain.pk, screened.pk]))

    assert [journalpost.pk for journalpost, _entry in entries] == [plain.pk, screened.pk]
    assert [entry for _journalpost, entry in entries] == [
        public.public_entry(org, plain.pk)[1],
        public.public_entry(org, screened.pk)[1],
    ]


def test_public_entries_refuse_a_post_the_public_journal_does_not_show(case_handler):
    reserved = post(case_handler, journalstatus=Journalpost.Status.RESERVERT)
    with pytest.raises(services.NotFound):
        list(public.public_entries(organisation(ORGNR), [reserved.pk]))
