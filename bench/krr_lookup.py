"""Benchmark: the KRR lookup over HTTP, 1000 numbers per call, against a register of
1,000,000 persons (80 % of them in KRR); prints p50 and p95 latency.
Target: p50 under 100 ms on PostgreSQL on this 2-core machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/felles .venv/bin/python bench/krr_lookup.py

It seeds a throwaway database, starts gunicorn on it on a free loopback port, gets a
Maskinporten token with a demo agency's enterprise certificate (JWT grant to /api/token),
and calls POST /api/krr/v1/personer; only the lookups are timed.
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=50)
    arguments = parser.parse_args()
    port = free_port()
    os.environ["IDPORTEN_ISSUER"] = f"http://127.0.0.1:{port}"
    from throwaway import bench_database

    with bench_database("krr") as connection:
        seed(arguments.persons)
        latencies = measure(connection, port, arguments.calls)
    latencies.sort()
    print(f"database: {connection.vendor}")
    print(f"register: {arguments.persons} persons, calls: {len(latencies)} of 1000 numbers each")
    print(f"p50: {statistics.median(latencies):.1f} ms")
    print(f"p95: {latencies[int(len(latencies) * 0.95) - 1]:.1f} ms")


def seed(persons: int) -> None:
    from django.db import connection

    from core.progress import progress
    from folkeregister.seeding import seed_population

    with progress(persons, description="Seeding persons", unit="persons") as bar:
        seed_population(persons, seed=7, on_progress=bar.update)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Four in five persons have contact details in KRR, as in the real register.
        cursor.execute(
            """
            INSERT INTO kontaktregister_contactrecord
                (person_id, status, mobile, mobile_updated_at, mobile_verified_at, email, email_updated_at,
                 email_verified_at, language, reserved, mailbox_provider, mailbox_address, mailbox_certificate,
                 updated)
            SELECT id, 'active', '+474' || CAST(1000000 + id % 8999999 AS TEXT), CURRENT_TIMESTAMP,
                   CURRENT_TIMESTAMP, 'person' || CAST(id AS TEXT) || '@example.no', CURRENT_TIMESTAMP,
                   CURRENT_TIMESTAMP, 'nb', id % 50 = 0, '', '', '', CURRENT_TIMESTAMP
            FROM folkeregister_person WHERE id % 5 <> 0
            """
        )
    print(f"KRR records: {time.perf_counter() - started:.1f} s")


def measure(connection, port: int, calls: int) -> list[float]:
    import requests

    from folkeregister.models import Person

    numbers = list(Person.objects.values_list("identity_number", flat=True)[:200_000])
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        if connection.vendor == "postgresql"
        else f"sqlite:///{database['NAME']}"
    )
    server_env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "SECURE_SSL_REDIRECT": "false"}
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, on loopback)
        [
            str(BASE_DIR / ".venv/bin/gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=server_env,
    )
    try:
        session = requests.Session()
        endpoint = f"http://127.0.0.1:{port}/api/krr/v1/personer"
        for _ in range(100):  # wait for the server
            if server.poll() is not None:
                raise SystemExit("gunicorn did not start")
            try:
                session.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        token = agency_token(session, port)
        rng = random.Random(1)
        latencies = []
        for call in range(calls + 3):
            body = {"personidentifikatorer": rng.sample(numbers, 1000)}
            started = time.perf_counter()
            response = session.post(
                endpoint, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30
            )
            elapsed = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            assert len(response.json()["personer"]) == 1000
            if call >= 3:  # the first calls warm the workers up
                latencies.append(elapsed)
        return latencies
    finally:
        server.terminate()
        server.wait(timeout=10)


def agency_token(session, port: int) -> str:
    """A token for a demo agency, the way its machine gets one: a JWT grant signed with the
    enterprise certificate's key, the certificate in x5c."""
    import base64
    import secrets

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from django.conf import settings
    from django.core.management import call_command
    from jose import jwt

    from virksomheter.demo import seed_demo_organisations

    seed_demo_organisations()
    call_command("seed_demo_certificates", verbosity=0)
    folder = settings.VAR_DIR / "demo-certificates"
    certificate = x509.load_pem_x509_certificate((folder / "974312344.pem").read_bytes())
    issuer = f"http://127.0.0.1:{port}"
    now = int(time.time())
    grant = jwt.encode(
        {"iss": "bench", "aud": issuer, "scope": "krr:kontaktinformasjon", "iat": now, "exp": now + 100,
         "jti": secrets.token_urlsafe(16)},
        (folder / "974312344.key").read_text(),
        algorithm="RS256",
        headers={"x5c": [base64.b64encode(certificate.public_bytes(Encoding.DER)).decode()]},
    )  # fmt: skip
    response = session.post(
        f"{issuer}/api/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": grant},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["access_token"]


if __name__ == "__main__":
    main()
