"""Benchmark: oppslagstjenesten over HTTP, POST /rest/v2/personer with 1000 numbers per call,
against a register of 1,000,000 persons (80 % of them in KRR), and the floor it is measured against.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/felles .venv/bin/python bench/krr_lookup.py
    ... bench/krr_lookup.py --persons 100000 --calls 20      (a quick run)
    ... bench/krr_lookup.py --profile 20                      (where the time between floor and HTTP goes)

It seeds a throwaway database, starts gunicorn on it on a free loopback port, gets a Maskinporten
token as an agency's machine does (a client registered for the organisation, a JWT grant signed with
its demo enterprise certificate in x5c, by the example client written from Digdir's docs), and
calls the lookup, as JSON and as a signed answer (Accept: application/jose). In the same run it
measures the floor for the same numbers: EXPLAIN ANALYZE's execution time of the lookup's one SQL
query, plus encoding that call's answer with orjson. Goal: p50 at most 2x the floor, and the signed
answer at most 1.5x the plain one. Only the lookups are timed; each call also inserts its audit row.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from throwaway import free_port  # noqa: E402 (after the path is set)

WARM_UP = 3
PLANNING: list[float] = []  # the floor's planning times, not counted in it
JIT: list[float] = []  # PostgreSQL's JIT compilation, counted in the execution time
PATH = "/rest/v2/personer"
SCOPES = "krr:global/kontaktinformasjon.read krr:global/digitalpost.read"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument(
        "--profile", type=int, default=0, metavar="CALLS", help="also profile CALLS in-process calls"
    )
    arguments = parser.parse_args()
    port = free_port()
    os.environ["IDPORTEN_ISSUER"] = f"http://127.0.0.1:{port}"
    from throwaway import bench_database

    with bench_database("krr") as connection:
        seed(arguments.persons)
        batches = number_batches(arguments.calls + WARM_UP)
        plain, signed = measure(connection, port, batches)
        floors = [
            floor(connection, batch, answer)
            for batch, answer in zip(batches[WARM_UP:], plain.answers, strict=True)
        ]
        parts = [stages(connection, batch) for batch in batches[WARM_UP:]]
        if arguments.profile:
            profile(batches[: arguments.profile], plain.token, port)
    report(connection.vendor, arguments.persons, plain.latencies, signed.latencies, floors)
    if PLANNING:
        print(f"  planning the query (not in the floor), p50: {statistics.median(PLANNING):.1f} ms")
        print(f"  JIT compilation (in the floor), p50: {statistics.median(JIT):.1f} ms")
    for name in parts[0]:
        print(f"  in-process p50, {name}: {statistics.median(part[name] for part in parts):.1f} ms")


def seed(persons: int) -> None:
    from django.db import connection

    from core.progress import progress
    from folkeregister.seeding import seed_population

    with progress(persons, description="Seeding persons", unit="persons") as bar:
        seed_population(persons, seed=7, on_progress=bar.update)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Four in five persons in KRR, as in the real register; one in fifty reserved, one in three with
        # a mailbox, and the moments spread over three years so that some fall foul of the 18-month rule.
        cursor.execute(
            """
            INSERT INTO kontaktregister_contactrecord
                (person_id, status, mobile, mobile_updated_at, mobile_verified_at, email, email_updated_at,
                 email_verified_at, language, language_updated_at, reserved, reserved_changed_at,
                 mailbox_provider, mailbox_address, mailbox_certificate, updated)
            SELECT id, 'active', '+474' || CAST(1000000 + id %% 8999999 AS TEXT), moment, moment,
                   'person' || CAST(id AS TEXT) || '@example.no', moment, moment, 'nb', moment, id %% 50 = 0,
                   CASE WHEN id %% 50 = 0 THEN moment END,
                   CASE WHEN id %% 3 = 0 THEN '921000006' ELSE '' END,
                   CASE WHEN id %% 3 = 0 THEN 'person' || CAST(id AS TEXT) || '#1A2B' ELSE '' END,
                   CASE WHEN id %% 3 = 0 THEN %s ELSE '' END, CURRENT_TIMESTAMP
            FROM (SELECT id, CURRENT_TIMESTAMP - (id %% 1100) * INTERVAL '1 day' AS moment
                  FROM folkeregister_person WHERE id %% 5 <> 0) AS persons
            """,
            [mailbox_certificate()],
        )
    print(f"KRR records: {time.perf_counter() - started:.1f} s")


def mailbox_certificate() -> str:
    from postkasse import crypto

    return crypto.make_provider_certificate("Posthylla", "921000006")[0].decode()


def number_batches(count: int) -> list[list[str]]:
    from folkeregister.models import Person

    numbers = list(Person.objects.values_list("identity_number", flat=True)[:200_000])
    rng = random.Random(1)
    return [rng.sample(numbers, 1000) for _ in range(count)]


class Run:
    def __init__(self):
        self.latencies: list[float] = []
        self.answers: list[bytes] = []
        self.token = ""


def measure(connection, port: int, batches: list[list[str]]) -> tuple[Run, Run]:
    import orjson
    import requests

    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        if connection.vendor == "postgresql"
        else f"sqlite:///{database['NAME']}"
    )
    server_env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "SECURE_SSL_REDIRECT": "false"}
    command = [str(BASE_DIR / ".venv/bin/gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"]
    server = subprocess.Popen([*command, "--log-level", "warning"], cwd=BASE_DIR, env=server_env)  # noqa: S603
    try:
        session = requests.Session()
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):  # wait for the server
            if server.poll() is not None:
                raise SystemExit("gunicorn did not start")
            try:
                session.get(f"{base}/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        token = agency_token(session, base)
        plain, signed = Run(), Run()
        for call, batch in enumerate(batches):
            body = orjson.dumps({"personidentifikatorer": batch, "inkluderIkkeRegistrerte": True})
            for run, accept in ((plain, "application/json"), (signed, "application/jose")):
                headers = {
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    "Accept": accept,
                }
                started = time.perf_counter()
                response = session.post(f"{base}{PATH}", data=body, headers=headers, timeout=30)
                elapsed = (time.perf_counter() - started) * 1000
                response.raise_for_status()
                if call >= WARM_UP:  # the first calls warm the workers up
                    run.latencies.append(elapsed)
                    run.answers.append(response.content)
        assert len(orjson.loads(plain.answers[0])["personer"]) == 1000
        plain.token = token
        return plain, signed
    finally:
        server.terminate()
        server.wait(timeout=10)


def agency_token(session, base: str) -> str:
    """A token as an agency's machine gets one: Velferdsetaten registers a client for both KRR scopes,
    and the example client (written from Digdir's docs) signs its grant with the demo enterprise
    certificate in x5c and posts it to the token endpoint the issuer's metadata names."""
    from django.conf import settings
    from django.core.management import call_command

    from maskinporten import services as maskinporten
    from virksomheter import services as virksomheter
    from virksomheter.demo import seed_demo_organisations
    from virksomheter.models import Organisation

    sys.path.insert(0, str(BASE_DIR / "examples"))
    from maskinporten_client import Credentials, MaskinportenClient

    seed_demo_organisations()
    organisation = Organisation.objects.get(organisasjonsnummer="974312344")
    for scope in SCOPES.split():
        virksomheter.grant_scope(organisation, scope, granted_by="bench")
    client = maskinporten.register_client(
        organisation, name="bench", scopes=SCOPES.split(), registered_by="bench"
    )
    call_command("seed_demo_certificates", verbosity=0)
    folder = settings.VAR_DIR / "demo-certificates"
    credentials = Credentials.from_files(
        client.client_id, folder / "974312344.key", certificate_path=folder / "974312344.pem"
    )
    return (
        MaskinportenClient(f"{base}/maskinporten/", credentials, session=session).token(SCOPES).access_token
    )


def floor(connection, batch: list[str], answer: bytes) -> float:
    """What the call cannot cost less than: the lookup's SQL for the same numbers as the database
    executes it, plus encoding the same answer."""
    import orjson

    from kontaktregister.services.lookup import lookup_query, parse_numbers

    sql, params = lookup_query(parse_numbers(batch)).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
            plan = orjson.loads(plan) if isinstance(plan, str) else plan
            query_ms = plan[0]["Execution Time"]
            PLANNING.append(plan[0]["Planning Time"])
            JIT.append(plan[0].get("JIT", {}).get("Timing", {}).get("Total", 0.0))
        else:
            started = time.perf_counter()
            cursor.execute(sql, params).fetchall()
            query_ms = (time.perf_counter() - started) * 1000
    data = orjson.loads(answer)
    started = time.perf_counter()
    orjson.dumps(data)
    return query_ms + (time.perf_counter() - started) * 1000


def stages(connection, batch: list[str]) -> dict[str, float]:
    """Where a call's time goes past the floor, measured in this process for the same numbers (ms)."""
    from kontaktregister.api.renderers import json_bytes
    from kontaktregister.api.views import person_answer
    from kontaktregister.services.lookup import lookup, lookup_query, parse_numbers

    timings = {}
    sql, params = lookup_query(parse_numbers(batch)).query.sql_with_params()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()
    timings["query sent, run, fetched (driver)"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    contacts = lookup(batch)
    timings["services.lookup (check, query, rows)"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    people = [person_answer(c, contact_scope=True, digital_post_scope=True) for c in contacts]
    timings["answer dicts"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    json_bytes({"personer": people})
    timings["JSON encoding"] = (time.perf_counter() - started) * 1000
    return timings


def profile(batches: list[list[str]], token: str, port: int) -> None:
    """The same calls in this process through Django's test client, under cProfile."""
    import cProfile
    import pstats

    import orjson
    from django.test import Client

    client = Client(HTTP_HOST=f"127.0.0.1:{port}")
    bodies = [orjson.dumps({"personidentifikatorer": b, "inkluderIkkeRegistrerte": True}) for b in batches]
    first = client.post(
        PATH, bodies[0], content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert first.status_code == 200, first.content[:300]
    profiler = cProfile.Profile()
    profiler.enable()
    for body in bodies:
        client.post(PATH, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    profiler.disable()
    print(f"\nProfile of {len(bodies)} in-process calls, by cumulative and by own time:")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)


def report(vendor: str, persons: int, plain: list[float], signed: list[float], floors: list[float]) -> None:
    def p(values, share):
        ordered = sorted(values)
        return ordered[max(0, int(len(ordered) * share + 0.5) - 1)]

    plain_p50, signed_p50, floor_p50 = (
        statistics.median(plain),
        statistics.median(signed),
        statistics.median(floors),
    )
    print(f"database: {vendor}")
    print(f"register: {persons} persons, calls: {len(plain)} of 1000 numbers each ({PATH})")
    print(f"unsigned: p50 {plain_p50:.1f} ms, p95 {p(plain, 0.95):.1f} ms")
    print(f"signed:   p50 {signed_p50:.1f} ms, p95 {p(signed, 0.95):.1f} ms")
    print(
        f"floor:    p50 {floor_p50:.1f} ms (EXPLAIN ANALYZE execution time + orjson encoding, same numbers)"
    )
    print(f"ratio unsigned/floor: {plain_p50 / floor_p50:.2f} (goal <= 2)")
    print(f"ratio signed/unsigned: {signed_p50 / plain_p50:.2f} (goal <= 1.5)")


if __name__ == "__main__":
    main()
