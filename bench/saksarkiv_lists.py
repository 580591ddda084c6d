"""Benchmark: the case archive's lists with 100,000 journal posts: the case handler's admin lists
(first and a deep page, filtered, searched), the public journal (first page, search) and the
Noark 5 API's list. Prints the median time of each over a few requests and its query count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/felles .venv/bin/python bench/saksarkiv_lists.py

Rows go in with bulk inserts; the requests go through Django's test client in this process, so
the figures are server time without the network."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

CASES_PER_1000_POSTS = 40
BATCH = 5000


def seed(posts: int):
    """One municipality's archive: cases, journal posts of every type and status, a party each."""
    import datetime
    import random

    from django.contrib.auth import get_user_model

    from saksarkiv import services
    from saksarkiv.models import Journalpost, Korrespondansepart, Saksbehandler, Saksmappe, Skjerming
    from virksomheter.demo import seed_demo_organisations
    from virksomheter.models import Organisation

    seed_demo_organisations()
    organisation = Organisation.objects.get(organisasjonsnummer="965302026")
    user = get_user_model().objects.create_user("saksbehandler", password="x", is_staff=True)
    handler = Saksbehandler.objects.create(user=user, organisation=organisation, initialer="IB")
    arkivdel = services.archive.active_arkivdel(organisation)
    screening = Skjerming.objects.create(
        tilgangsrestriksjon="13", skjermingshjemmel="Offl. § 13", skjerming_metadata=["tittel"]
    )
    rng = random.Random(1)
    today = datetime.date.today()
    case_count = max(1, posts * CASES_PER_1000_POSTS // 1000)
    cases = Saksmappe.objects.bulk_create(
        Saksmappe(
            arkivdel=arkivdel, saksaar=today.year, sakssekvensnummer=number, tittel=f"Sak {number} om bostøtte",
            offentlig_tittel=f"Sak {number} om bostøtte", saksdato=today, saksansvarlig=handler,
        )
        for number in range(1, case_count + 1)
    )  # fmt: skip
    statuses = [s for s in Journalpost.Status.values if s not in ("R", "M", "U")]
    for start in range(0, posts, BATCH):
        rows = []
        for number in range(start, min(posts, start + BATCH)):
            case = cases[number % case_count]
            rows.append(
                Journalpost(
                    saksmappe=case, journalaar=today.year, journalsekvensnummer=number + 1,
                    journalpostnummer=number // case_count + 1, journalposttype=rng.choice("IUN"),
                    journalstatus=rng.choice(statuses), tittel=f"Brev {number} om søknad",
                    offentlig_tittel=f"Brev {number} om søknad", dokumentdato=today,
                    journaldato=today - datetime.timedelta(days=number % 700), saksbehandler=handler,
                    skjerming=screening if number % 10 == 0 else None,
                )
            )  # fmt: skip
        posts_made = Journalpost.objects.bulk_create(rows)
        Korrespondansepart.objects.bulk_create(
            Korrespondansepart(
                journalpost=post, korrespondanseparttype="EA" if post.journalposttype == "I" else "EM",
                organisasjonsnummer="974312344", navn="Velferdsetaten",
            )
            for post in posts_made
        )  # fmt: skip
    return handler


def measure(client, url: str, repeats: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm
    times = []
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()

    from throwaway import bench_database

    with bench_database("saksarkiv_lists") as connection:
        started = time.perf_counter()
        handler = seed(arguments.posts)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        print(f"database: {connection.vendor}; {arguments.posts:,} journal posts seeded in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip

        from django.test import Client

        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(handler.user)
        deep = arguments.posts // 50 // 2  # a page in the middle
        pages = {
            "admin journal posts, first page": "/admin/saksarkiv/journalpost/",
            f"admin journal posts, page {deep}": f"/admin/saksarkiv/journalpost/?p={deep}",
            "admin journal posts, status E and type U": "/admin/saksarkiv/journalpost/?journalstatus__exact=E&journalposttype__exact=U",
            "admin journal posts, search": "/admin/saksarkiv/journalpost/?q=Brev+4242",
            "admin cases, first page": "/admin/saksarkiv/saksmappe/",
            "public journal, first page": "/innsyn/965302026/",
            "public journal, search": "/innsyn/965302026/?q=4242",
        }  # fmt: skip
        print(f"{'page':50} {'median ms':>10} {'queries':>8}")
        for name, url in pages.items():
            median, queries = measure(client, url, arguments.repeats)
            print(f"{name:50} {median:10.1f} {queries:8d}")


if __name__ == "__main__":
    main()
