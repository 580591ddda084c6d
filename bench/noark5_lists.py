"""Benchmark: the Noark 5 tjenestegrensesnitt's lists at real size. Every list of the standard carries
`count` (all that match, not only the page) and takes OData; this measures what that costs with one
organisation holding 100,000 journal posts over 10,000 cases (and 20,000 change-log events), as its
machine reads them with a Maskinporten token: the first page, a filter, a search, an order, a deep page,
the v1 alias, and the change log's first page. Prints the median and 95th percentile of each over the
runs and the SQL queries per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/felles .venv/bin/python bench/noark5_lists.py

Rows go in with bulk inserts. The token is got as a machine gets one (a registered client's signed
grant posted to /maskinporten/token); the requests go through Django's test client in this process, so
the figures are server time without the network. --explain prints PostgreSQL's plan of each list's
count and page queries."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))
sys.path.insert(0, str(BASE_DIR / "examples"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

ORGANISATION = "965302026"
HOST = "127.0.0.1"
SCOPE = "felles:noark5/arkiv.read"
POSTS_PER_CASE = 10
BATCH = 5000
NOARK5 = "application/vnd.noark5+json"


def seed(posts: int, events: int) -> int:
    """One municipality's archive: cases with journal posts of every type and status over two years,
    a tenth screened, one in a hundred under an access code the machine is not granted; and the audit
    events of title changes to the journal posts. Returns the number of change-log events made."""
    import datetime
    import random

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from core.models import AuditEvent
    from saksarkiv import services
    from saksarkiv.models import Journalpost, Saksbehandler, Saksmappe, Skjerming, Tilgangskode
    from saksarkiv.services.api_handler import system_handler
    from virksomheter.demo import seed_demo_organisations
    from virksomheter.models import Organisation

    seed_demo_organisations()
    organisation = Organisation.objects.get(organisasjonsnummer=ORGANISATION)
    system_handler(organisation)
    user = get_user_model().objects.create_user("saksbehandler", first_name="Ingrid", last_name="Berg")
    handler = Saksbehandler.objects.create(user=user, organisation=organisation, initialer="IB")
    arkivdel = services.archive.active_arkivdel(organisation)
    screening = Skjerming.objects.create(
        tilgangsrestriksjon="13", skjermingshjemmel="Offl. § 13", skjerming_metadata=["tittel"]
    )
    code = Tilgangskode.objects.create(organisation=organisation, kode="UO", navn="Unntatt offentlighet")
    rng = random.Random(1)
    today = timezone.localdate()
    case_count = max(1, posts // POSTS_PER_CASE)
    cases = Saksmappe.objects.bulk_create(
        (
            Saksmappe(
                arkivdel=arkivdel, saksaar=today.year, sakssekvensnummer=number, tittel=f"Sak {number} om bostøtte",
                offentlig_tittel=f"Sak {number} om bostøtte", saksdato=today, saksansvarlig=handler,
            )
            for number in range(1, case_count + 1)
        ),
        batch_size=BATCH,
    )  # fmt: skip
    statuses = [s for s in Journalpost.Status.values if s not in ("R", "M", "U")]
    made = []
    for start in range(0, posts, BATCH):
        rows = []
        for number in range(start, min(posts, start + BATCH)):
            rows.append(
                Journalpost(
                    saksmappe=cases[number % case_count], journalaar=today.year, journalsekvensnummer=number + 1,
                    journalpostnummer=number // case_count + 1, journalposttype=rng.choice("IUN"),
                    journalstatus=rng.choice(statuses), tittel=f"Brev {number} om søknad",
                    offentlig_tittel=f"Brev {number} om søknad", dokumentdato=today,
                    journaldato=today - datetime.timedelta(days=number % 700), saksbehandler=handler,
                    skjerming=screening if number % 10 == 0 else None,
                    tilgangskode=code if number % 100 == 7 else None,
                )
            )  # fmt: skip
        made.extend(post.system_id for post in Journalpost.objects.bulk_create(rows))
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                actor="Ingrid Berg", action="saksarkiv.journalpost_updated", object_type="saksarkiv.journalpost",
                object_id="0", outcome="success",
                details={
                    "organisation": ORGANISATION, "system_id": str(made[number % len(made)]),
                    "entity": "journalpost",
                    "changes": {"tittel": [f"Brev {number}", f"Brev {number} om søknad"]},
                },
            )
            for number in range(events)
        ),
        batch_size=BATCH,
    )  # fmt: skip
    return events


def machine_token(client) -> str:
    """A read token as the organisation's machine gets one: a client registered with its own key, and
    a grant signed with it (examples/maskinporten_client) posted to the token endpoint."""
    from urllib.parse import urlencode

    from joserfc.jwk import RSAKey
    from maskinporten_client import GRANT_TYPE, Credentials, Metadata, make_grant

    from maskinporten import services as maskinporten
    from virksomheter import services as virksomheter
    from virksomheter.models import Organisation

    organisation = Organisation.objects.get(organisasjonsnummer=ORGANISATION)
    virksomheter.accept_terms(organisation, accepted_by="bench")
    virksomheter.grant_scope(organisation, SCOPE, granted_by="bench")
    registered = maskinporten.register_client(
        organisation, name="bench", scopes=[SCOPE], registered_by="bench"
    )
    key = RSAKey.generate_key(2048, parameters={"kid": "bench"})
    maskinporten.add_client_key(registered, key.as_dict(private=False), added_by="bench")
    issuer = f"http://{HOST}/maskinporten/"
    metadata = Metadata(issuer=issuer, token_endpoint=f"{issuer}token", jwks_uri=None)
    credentials = Credentials(registered.client_id, key, kid="bench")
    grant = {"grant_type": GRANT_TYPE, "assertion": make_grant(metadata, credentials, SCOPE)}
    answer = client.post(
        "/maskinporten/token", urlencode(grant), content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["access_token"]


def measure(client, url: str, repeats: int, headers: dict) -> tuple[float, float, str, int]:
    """Median and 95th percentile ms of `repeats` GETs (after one to warm), the fewest and most queries
    of one (one more now and then: the token's key is read again once a minute), and the list's count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    answer = client.get(url, **headers)
    assert answer.status_code == 200, (url, answer.status_code, answer.content[:300])
    times, counts = [], []
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            answer = client.get(url, **headers)
            times.append((time.perf_counter() - started) * 1000)
        counts.append(len(queries))
        assert answer.status_code == 200, (url, answer.status_code)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    queries = f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}-{max(counts)}"
    return statistics.median(times), p95, queries, answer.json().get("count", -1)


def explain(client, url: str, headers: dict) -> None:
    """PostgreSQL's plan (with real times) of each query the request runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url, **headers)
    print(f"\n== {url}")
    for query in queries.captured_queries:
        if "journalpost" not in query["sql"] and "audit" not in query["sql"]:
            continue
        print(f"-- {query['time']} s: {query['sql'][:300]}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=20_000, help="change-log events")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL's plans")
    arguments = parser.parse_args()

    from throwaway import bench_database

    with bench_database("noark5_lists") as connection:
        started = time.perf_counter()
        events = seed(arguments.posts, arguments.events)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        print(f"database: {connection.vendor}; {arguments.posts:,} journal posts over "
              f"{arguments.posts // POSTS_PER_CASE:,} cases, {events:,} change-log events; seeded in "
              f"{time.perf_counter() - started:.1f} s; {arguments.repeats} runs each")  # fmt: skip

        from django.test import Client

        client = Client(HTTP_HOST=HOST)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {machine_token(client)}", "HTTP_ACCEPT": NOARK5}
        year = time.localtime().tm_year
        deep = arguments.posts * 9 // 10
        lists = "/api/noark5/sakarkiv/journalpost/"
        pages = {
            "journalpost, first page": lists,
            "journalpost, $filter type U and journaldato": f"{lists}?$filter=journalposttype eq 'U' and journaldato ge {year}-01-01",
            "journalpost, $search a number": f"{lists}?$search=4242",
            "journalpost, $orderby=tittel": f"{lists}?$orderby=tittel",
            f"journalpost, $skip={deep}": f"{lists}?$skip={deep}",
            "v1 alias arkivstruktur/journalpost": "/api/noark5/v1/arkivstruktur/journalpost",
            "v1 alias, $skip": f"/api/noark5/v1/arkivstruktur/journalpost?$skip={deep}",
            "saksmappe, first page": "/api/noark5/sakarkiv/saksmappe/",
            "endringslogg, first page": "/api/noark5/loggingogsporing/endringslogg/",
        }  # fmt: skip
        print(f"{'list':46} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'count':>8}")
        for name, url in pages.items():
            median, p95, queries, count = measure(client, url, arguments.repeats, headers)
            print(f"{name:46} {median:10.1f} {p95:8.1f} {queries:>8} {count:8,}")
        if arguments.explain and connection.vendor == "postgresql":
            for url in pages.values():
                explain(client, url, headers)


if __name__ == "__main__":
    main()
