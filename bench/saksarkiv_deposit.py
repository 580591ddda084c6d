"""Benchmark: the Noark 5 deposit (arkivuttrekk) of a closed period of the case archive. Seeds a closed
archive part (every case closed with its class and unit, every journal post archived with a party and one
PDF/A document, the audit trail the services would have written), then times make_deposit and prints the
cases and posts deposited, the seconds, posts per second, the peak memory and the size of the package.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/felles .venv/bin/python bench/saksarkiv_deposit.py

Rows go in with bulk inserts. Every document version gets its own file in the private storage (the same
small PDF/A content each time, as the storage would keep one file per version), since the deposit opens,
checksums and copies each file. Peak memory is the rise of the process's resident set (VmHWM, reset
before the deposit) over what it was before; --profile prints where the time goes."""

import argparse
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BATCH = 5000
USERNAME = "arkivleder"


def seed(case_count: int, posts_per_case: int):
    """One municipality's closed archive part: cases under a class, each with its journal posts."""
    import hashlib
    import uuid

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from core.models import AuditEvent
    from core.pdf import render_pdf
    from saksarkiv import services
    from saksarkiv.models import (
        AdministrativEnhet,
        Arkivdel,
        Dokumentbeskrivelse,
        Dokumentobjekt,
        Journalpost,
        Korrespondansepart,
        Saksbehandler,
        Saksmappe,
    )
    from saksarkiv.services import pdfa
    from virksomheter.demo import seed_demo_organisations
    from virksomheter.models import Organisation

    seed_demo_organisations()
    organisation = Organisation.objects.get(organisasjonsnummer="965302026")
    user = get_user_model().objects.create_user(
        USERNAME, password="x", is_staff=True, first_name="Arne", last_name="Arkiv"
    )
    unit = AdministrativEnhet.objects.create(organisation=organisation, kortnavn="VEL", navn="Velferd")
    handler = Saksbehandler.objects.create(
        user=user, organisation=organisation, initialer="AA", administrativ_enhet=unit, arkivleder=True
    )
    arkivdel = services.archive.active_arkivdel(organisation)
    klasse = arkivdel.klassifikasjonssystem.klasser.get(klasse_id="610")
    now = timezone.now()
    today = timezone.localdate()

    content = render_pdf(
        "<html><body><h1>Vedtak om bostøtte</h1><p>Du har fått innvilget bostøtte.</p></body></html>"
    )
    level = pdfa.pdfa_level(content)
    checksum = hashlib.sha256(content).hexdigest()
    storage_root = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    folder = "saksarkiv/bench"
    (storage_root / folder).mkdir(parents=True, exist_ok=True)

    cases = Saksmappe.objects.bulk_create(
        Saksmappe(
            arkivdel=arkivdel, klasse=klasse, saksaar=today.year, sakssekvensnummer=number,
            tittel=f"Bostøtte {number}", offentlig_tittel=f"Bostøtte {number}", saksdato=today,
            saksansvarlig=handler, administrativ_enhet=unit, saksstatus=Saksmappe.Status.AVSLUTTET,
            opprettet_av=USERNAME, avsluttet_dato=now, avsluttet_av=USERNAME,
        )
        for number in range(1, case_count + 1)
    )  # fmt: skip
    events = []
    for case in cases:
        events.append(("saksarkiv.case_created", "saksarkiv.saksmappe", case.pk, {}))
        changes = {"saksstatus": [Saksmappe.Status.UNDER_BEHANDLING, Saksmappe.Status.AVSLUTTET]}
        events.append(("saksarkiv.case_closed", "saksarkiv.saksmappe", case.pk, {"changes": changes}))
    posts = case_count * posts_per_case
    sequence = 0
    for start in range(0, posts, BATCH):
        rows = []
        for number in range(start, min(posts, start + BATCH)):
            case = cases[number // posts_per_case]
            sequence += 1
            kind = "I" if number % 2 == 0 else "U"
            rows.append(
                Journalpost(
                    saksmappe=case, journalaar=today.year, journalsekvensnummer=sequence,
                    journalpostnummer=number % posts_per_case + 1, journalposttype=kind,
                    journalstatus=Journalpost.Status.ARKIVERT, tittel=f"Brev {sequence} om bostøtte",
                    offentlig_tittel=f"Brev {sequence} om bostøtte", dokumentdato=today, journaldato=today,
                    saksbehandler=handler, administrativ_enhet=unit, opprettet_av=USERNAME,
                    arkivert_dato=now, arkivert_av=USERNAME,
                )
            )  # fmt: skip
        made = Journalpost.objects.bulk_create(rows)
        Korrespondansepart.objects.bulk_create(
            Korrespondansepart(
                journalpost=post, korrespondanseparttype="EA" if post.journalposttype == "I" else "EM",
                organisasjonsnummer="974312344", navn="Velferdsetaten", postadresse=["Postboks 1"],
                postnummer="0101", poststed="Oslo",
            )
            for post in made
        )  # fmt: skip
        documents = Dokumentbeskrivelse.objects.bulk_create(
            Dokumentbeskrivelse(
                journalpost=post, dokumentnummer=1, tilknyttet_registrering_som="H", tittel="Vedtak",
                dokumentstatus="F", opprettet_av=USERNAME, tilknyttet_av=USERNAME,
            )
            for post in made
        )  # fmt: skip
        versions = []
        for dokument in documents:
            name = f"{folder}/{uuid.uuid4()}-v1.pdf"
            (storage_root / name).write_bytes(content)
            versions.append(
                Dokumentobjekt(
                    dokumentbeskrivelse=dokument, versjonsnummer=1, variantformat="A", format=level.format,
                    format_detaljer=level.name, sjekksum=checksum, filstoerrelse=len(content),
                    filnavn="vedtak.pdf", fil=name, opprettet_av=USERNAME,
                )
            )  # fmt: skip
        Dokumentobjekt.objects.bulk_create(versions)
        for post in made:
            party = {"korrespondansepart": [None, "Velferdsetaten"]}
            events.append(
                (
                    "saksarkiv.party_added",
                    "saksarkiv.journalpost",
                    post.pk,
                    {"changes": party, "system_id": str(post.system_id), "entity": "journalpost"},
                )
            )
            events.append(
                ("saksarkiv.document_added", "saksarkiv.journalpost", post.pk, {"document": "Vedtak"})
            )
            events.append(
                (
                    "saksarkiv.journalpost_finalised",
                    "saksarkiv.journalpost",
                    post.pk,
                    {"changes": {"journalstatus": ["S", "F"]}},
                )
            )
            events.append(("saksarkiv.journalpost_archived", "saksarkiv.journalpost", post.pk,
                           {"changes": {"journalstatus": ["F", "A"]}}))  # fmt: skip
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                actor=USERNAME, actor_user=user, action=action, object_type=object_type,
                object_id=str(pk), outcome="success",
                details={"organisation": organisation.organisasjonsnummer, **details},
            )
            for action, object_type, pk, details in events
        ),
        batch_size=BATCH,
    )  # fmt: skip
    Arkivdel.objects.filter(pk=arkivdel.pk).update(
        arkivdelstatus=Arkivdel.Status.AVSLUTTET, arkivperiode_slutt=today, avsluttet_dato=now,
        avsluttet_av=USERNAME,
    )  # fmt: skip
    arkivdel.refresh_from_db()
    return arkivdel, handler, len(events), len(content)


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak() -> bool:
    """Set the process's peak resident set back to what it is now (Linux: clear_refs 5)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def folder_size(path: Path) -> tuple[int, int]:
    total = files = 0
    for item in path.rglob("*"):
        if item.is_file():
            total += item.stat().st_size
            files += 1
    return total, files


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--posts-per-case", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print the deposit's cProfile (slower)")
    arguments = parser.parse_args()

    import gc
    import resource
    import tempfile

    from throwaway import bench_database

    with bench_database("saksarkiv_deposit") as connection:
        started = time.perf_counter()
        arkivdel, handler, events, pdf_size = seed(arguments.cases, arguments.posts_per_case)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        posts = arguments.cases * arguments.posts_per_case
        print(f"database: {connection.vendor}; {arguments.cases:,} closed cases, {posts:,} archived journal "
              f"posts, {events:,} audit events, one {pdf_size:,}-byte PDF/A per post; seeded in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip

        from saksarkiv.services.deposit import make_deposit

        with tempfile.TemporaryDirectory(prefix="felles-bench-deposit-") as out:
            target = Path(out) / "avlevering"
            gc.collect()
            baseline_kb = _status_kb("VmRSS")
            peak_resettable = reset_peak() and baseline_kb is not None
            maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            profiler = None
            if arguments.profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            queries = []

            def count(execute, sql, params, many, context):
                queries.append(None)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                started = time.perf_counter()
                result = make_deposit(arkivdel, by=handler, target=target)
                seconds = time.perf_counter() - started
            if profiler is not None:
                profiler.disable()
            if peak_resettable:
                peak_mb = (_status_kb("VmHWM") - baseline_kb) / 1024
                peak_how = "VmHWM rise"
            else:
                peak_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - maxrss_before) / 1024
                peak_how = "ru_maxrss rise"
            written, files = folder_size(target)
            documents, _document_files = folder_size(target / "dokumenter")
            xml = {path.name: path.stat().st_size for path in target.glob("*.xml")}

        print(f"{'cases':>8} {'posts':>8} {'seconds':>8} {'posts/s':>8} {'peak MB':>8} {'MB written':>11}")
        print(f"{result.mapper:8,} {result.registreringer:8,} {seconds:8.1f} "
              f"{result.registreringer / seconds:8.0f} {peak_mb:8.1f} {written / 1e6:11.1f}")  # fmt: skip
        print(f"peak memory: {peak_how} over {baseline_kb and baseline_kb / 1024:.0f} MB resident before; "
              f"{len(queries):,} queries; {files:,} files, {result.dokumentfiler:,} document files "
              f"({documents / 1e6:.1f} MB), {result.endringer:,} changes")  # fmt: skip
        print("XML: " + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in sorted(xml.items())))
        if profiler is not None:
            import pstats

            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()
