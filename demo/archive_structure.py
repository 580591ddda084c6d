"""The demo archive's structure (seed_demo_archive): KS's K-koder as the primary classification (an
extract, demo/data/k-koder-utdrag.csv), a gbnr system beside it, and a CLOSED previous period
«Sakarkiv 2025» with closed cases (archived posts with parties and PDF documents, a written-off incoming
letter, a remark, a cross-reference, a disposal decision), followed by the active «Sakarkiv 2026».
Everything goes through saksarkiv's services; only the dates are moved back to 2025 afterwards (the
services stamp «now»), in one clearly marked demo-only step, so that the 2025 period holds 2025 dates
and can be deposited (manage.py arkivuttrekk) as it would be in January 2026."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.db import transaction

from core.pdf import render_pdf
from saksarkiv import services
from saksarkiv.models import (
    Arkivdel,
    Avskrivning,
    Dokumentbeskrivelse,
    Journalpost,
    JournalSequence,
    Kassasjon,
    Klasse,
    Merknad,
    Saksbehandler,
    Saksmappe,
)
from saksarkiv.services import classification, entities, periods
from saksarkiv.services.archive import active_arkivdel
from saksarkiv.services.avskrivning import answer, write_off

K_KODER = Path(__file__).resolve().parent / "data" / "k-koder-utdrag.csv"
PREVIOUS_YEAR = 2025
ADDRESS = {"postadresse": ["Fjordveien 12"], "postnummer": "6800", "poststed": "Førde"}


def _pdf(title: str, text: str) -> bytes:
    return render_pdf(f"<html><body><h1>{title}</h1><p>{text}</p></body></html>")


def _post(case, handler, kind, title, party_type, party, text) -> Journalpost:
    post = services.add_journalpost(case, handler, journalposttype=kind, tittel=title)
    services.add_party(post, handler, korrespondanseparttype=party_type, navn=party, **ADDRESS)
    services.add_document(post, handler, tittel=title, content=_pdf(title, text), filnavn=f"{title}.pdf",
                          hoveddokument=True)  # fmt: skip
    services.finalise(post, handler)
    return post


@transaction.atomic
def seed_structure(handler: Saksbehandler, leader: Saksbehandler) -> Arkivdel:
    """Classification, the closed 2025 period with its cases, and the active 2026 period. Returns the
    closed part."""
    organisation = handler.organisation
    with K_KODER.open(encoding="utf-8") as lines:
        k_koder, _result = classification.load_key(
            organisation, classification.read_key(lines), tittel="K-koder", klassifikasjonstype="KK",
            by=leader.user.get_username(),
        )  # fmt: skip
    gbn = classification.create_system(leader, tittel="Gårds- og bruksnummer", klassifikasjonstype="GBN")
    first = active_arkivdel(organisation)
    # Demo-only: the part the archive started with becomes the 2025 period, ordered by the K-koder.
    Arkivdel.objects.filter(pk=first.pk).update(
        tittel=f"Sakarkiv {PREVIOUS_YEAR}",
        arkivperiode_start=date(PREVIOUS_YEAR, 1, 1),
        klassifikasjonssystem=k_koder,
    )
    first.refresh_from_db()
    first.sekundaere_klassifikasjonssystemer.add(gbn)

    byggesak = services.create_saksmappe(
        handler, tittel="Rammetillatelse, bolighus – Fjordveien 12", klasse=Klasse.objects.get(
            klassifikasjonssystem=k_koder, klasse_id="L")
    )  # fmt: skip
    classification.classify_secondarily(byggesak, handler, system=gbn, value="12/345")
    soknad = _post(byggesak, handler, "I", "Søknad om rammetillatelse", "EA", "Ola Nordmann",
                   "Søknad om rammetillatelse for bolighus på gnr. 12 bnr. 345.")  # fmt: skip
    vedtak = _post(byggesak, handler, "U", "Vedtak om rammetillatelse", "EM", "Ola Nordmann",
                   "Rammetillatelse er gitt.")  # fmt: skip
    if not Avskrivning.objects.filter(journalpost=soknad).exists():
        answer(soknad, vedtak, handler)
    entities.add_merknad(
        byggesak, handler, merknadstekst="Nabovarsel kontrollert; ingen merknader fra naboer."
    )
    entities.set_kassasjon(
        byggesak, handler, kassasjonsvedtak="B", bevaringstid=0, kassasjonshjemmel="Bevares"
    )

    avgift = services.create_saksmappe(
        handler, tittel="Spørsmål om kommunale avgifter – Fjordveien 12", klasse=Klasse.objects.get(
            klassifikasjonssystem=k_koder, klasse_id="M")
    )  # fmt: skip
    sporsmal = _post(avgift, handler, "I", "Spørsmål om vann- og avløpsgebyr", "EA", "Kari Nordmann",
                     "Hvorfor har gebyret økt?")  # fmt: skip
    write_off(sporsmal, handler, maate=Avskrivning.Maate.TATT_TIL_ORIENTERING)
    entities.add_kryssreferanse(avgift, handler, target=byggesak)
    entities.set_kassasjon(avgift, handler, kassasjonsvedtak="K", bevaringstid=10,
                           kassasjonshjemmel="Bevarings- og kassasjonsplan for kommunene")  # fmt: skip

    cases = [byggesak, avgift]
    for case in cases:
        services.close_case(case, handler)
    successor = periods.close_period(
        first, leader, new_title=f"Sakarkiv {PREVIOUS_YEAR + 1}", start=date(PREVIOUS_YEAR + 1, 1, 1)
    )
    _move_back_to_previous_year(first, cases)
    return Arkivdel.objects.get(pk=successor.referanse_forloeper_id)


def _move_back_to_previous_year(arkivdel: Arkivdel, cases: list[Saksmappe]) -> None:
    """DEMO ONLY. The services stamp today's date; a seeded past period must hold its own year's dates,
    or its deposit would hold cases closed «after» the period. Rewrites the dates and numbers of the
    records just made (nothing else holds numbers yet), and the sequences they came from."""
    year = PREVIOUS_YEAR
    this_year = JournalSequence.objects.filter(arkiv=arkivdel.arkiv).exclude(aar=year)
    this_year.update(neste_saksnummer=1, neste_journalnummer=1)
    journal_number = 0
    for number, case in enumerate(cases, start=1):
        day = date(year, 2 * number + 1, 10)
        opened = datetime(year, day.month, day.day, 9, 0, tzinfo=UTC)
        closed = opened + timedelta(days=40)
        Saksmappe.objects.filter(pk=case.pk).update(
            saksaar=year, sakssekvensnummer=number, saksdato=day, avsluttet_dato=closed
        )
        Saksmappe.objects.filter(pk=case.pk).update(opprettet_dato=opened)
        for post in Journalpost.objects.filter(saksmappe=case).order_by("journalpostnummer"):
            journal_number += 1
            registered = opened + timedelta(days=7 * post.journalpostnummer)
            Journalpost.objects.filter(pk=post.pk).update(
                journalaar=year, journalsekvensnummer=journal_number, journaldato=registered.date(),
                dokumentdato=registered.date(), opprettet_dato=registered, arkivert_dato=closed,
                mottatt_dato=registered if post.journalposttype == "I" else None,
                sendt_dato=registered if post.journalposttype == "U" else None,
            )  # fmt: skip
            Dokumentbeskrivelse.objects.filter(journalpost=post).update(
                opprettet_dato=registered, tilknyttet_dato=registered
            )
            Avskrivning.objects.filter(journalpost=post).update(
                avskrivningsdato=registered.date() + timedelta(days=7)
            )
        Merknad.objects.filter(saksmappe=case).update(merknadsdato=opened + timedelta(days=3))
        case.refresh_from_db()
        if case.kassasjon_id and case.kassasjon.kassasjonsdato:
            Kassasjon.objects.filter(pk=case.kassasjon_id).update(
                kassasjonsdato=entities.years_after(closed, case.kassasjon.bevaringstid)
            )
    JournalSequence.objects.update_or_create(
        arkiv=arkivdel.arkiv, aar=year,
        defaults={"neste_saksnummer": len(cases) + 1, "neste_journalnummer": journal_number + 1},
    )  # fmt: skip
    Arkivdel.objects.filter(pk=arkivdel.pk).update(
        opprettet_dato=datetime(year, 1, 1, 8, 0, tzinfo=UTC),
        arkivperiode_slutt=date(year, 12, 31),
        avsluttet_dato=datetime(year + 1, 1, 5, 12, 0, tzinfo=UTC),
    )
