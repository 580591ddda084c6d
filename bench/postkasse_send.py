"""Benchmark: Sikker digital post end to end. Sends letters (a one-page PDF each) to persons drawn
at random from a register of 1,000,000, so that the register decides the mix of digital and print,
and prints letters per second from the first POST until every letter is delivered, waiting for
print, held or failed, with 2 task workers; then the CPU milliseconds per letter in each stage.
Target: at least 100 letters per second on this 2-core machine, and no stage growing with the register.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/felles .venv/bin/python bench/postkasse_send.py
    ... bench/postkasse_send.py --persons 10000 --letters 1000      (a quick run)

It seeds a throwaway database (persons by COPY, a contact register by one INSERT ... SELECT: most
adults registered, a few reserved, most of the rest with a mailbox at one of the two demo
providers), starts gunicorn and `manage.py db_worker` processes on it, and sends through
POST /api/post/v1/forsendelser with a demo agency's Maskinporten token.

The stages are measured afterwards, in this process, on a sample of letters sent the same way with
the tasks run inline: time.process_time() spent in each stage's own code (accept: the API view and
accept_letter; route: routing, lookups and receipts; encrypt: opening the intake envelope and
encrypting to the provider; print page: the print-ready PDF and its batch; notify: the notice and
handing the SMS and e-mail to their backends), nested stages subtracted. That is this process's CPU
only, without the task queue's own work; the main run's figure counts every process of the run
(HTTP clients, gunicorn, task workers, PostgreSQL from /proc), which the database is part of. The queries of
one digital and one print letter are EXPLAINed to show that none scans a table that grows with the
register.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from throwaway import free_port  # noqa: E402 (after the path is set)

DATABASE_TASKS = "django_tasks_db.DatabaseBackend"
SENDER = "974312344"  # a demo agency with an enterprise certificate
STAGES = ("accept", "route", "encrypt", "print page", "notify")
# Tables that grow with the register or with the traffic: a query on them must use an index.
LARGE_TABLES = (
    "folkeregister_person", "kontaktregister_contactrecord", "postkasse_letter", "postkasse_document",
    "postkasse_mailbox", "postkasse_receipt", "postkasse_printjob", "django_tasks_db_dbtaskresult",
    "core_auditevent", "core_outboundsms",
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="db_worker processes")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP senders")
    parser.add_argument("--sample", type=int, default=300, help="letters measured stage by stage")
    arguments = parser.parse_args()
    with bench_node("post") as (connection, port):
        seed(arguments.persons)
        document = one_page_pdf()
        rng = random.Random(1)
        run = send_and_wait(connection, port, draw(rng, arguments.letters), document, arguments)
        stages, counts = measure_stages(port, draw(rng, arguments.sample), document)
        scans = explain_route(port, draw(rng, 200), document)
    report(connection.vendor, arguments, run, stages, counts, scans)


@contextmanager
def bench_node(name: str):
    """A throwaway database and a free port for a node run as production runs it (DEBUG off), with
    the intake key pair and the providers' keys in a folder shared by this process, the server and
    the workers; yields (connection, port)."""
    port = free_port()
    os.environ["IDPORTEN_ISSUER"] = f"http://127.0.0.1:{port}"
    os.environ["DEBUG"] = "false"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["EMAIL_URL"] = "dummymail://"
    with tempfile.TemporaryDirectory(prefix=f"felles-bench-{name}-keys-") as keys:
        os.environ["POSTKASSE_INTAKE_CERTIFICATE_FILE"] = f"{keys}/intake.pem"
        os.environ["POSTKASSE_INTAKE_KEY_FILE"] = f"{keys}/intake.key"
        from throwaway import bench_database

        with bench_database(name) as connection:
            from django.conf import settings

            settings.VAR_DIR = Path(keys)
            yield connection, port


def seed(persons: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from core.progress import progress
    from folkeregister.models import Status
    from folkeregister.seeding import seed_population
    from postkasse.services import keys, seed_demo_providers

    with progress(persons, description="Seeding persons", unit="persons") as bar:
        seed_population(persons, seed=7, on_progress=bar.update)
    started = time.perf_counter()
    # Made here, once: processes that make it at the same time on first use collide (keys.py).
    keys.intake_pair()
    first, second = seed_demo_providers()
    now = timezone.now()
    adults_born_before = now.date().replace(year=now.year - 16)
    # Four hashes of the row id, each a permutation of id mod 1000: 90 % of living adults registered,
    # 4 % of them reserved, 85 % of the others with a mailbox, the two providers half each.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO kontaktregister_contactrecord
                (person_id, status, mobile, mobile_updated_at, mobile_verified_at, email, email_updated_at,
                 email_verified_at, language, reserved, reserved_changed_at, mailbox_provider, mailbox_address,
                 mailbox_certificate, updated)
            SELECT id, 'active', '+479' || CAST(1000000 + id %% 8999999 AS TEXT), %(now)s, %(now)s,
                   CASE WHEN id %% 4 <> 0 THEN 'person' || CAST(id AS TEXT) || '@example.no' ELSE '' END,
                   %(now)s, %(now)s, 'nb', reserved, NULL,
                   CASE WHEN mailbox THEN CASE WHEN id %% 2 = 0 THEN %(first)s ELSE %(second)s END ELSE '' END,
                   CASE WHEN mailbox THEN 'innbygger#' || CAST(id AS TEXT) ELSE '' END,
                   CASE WHEN mailbox THEN CASE WHEN id %% 2 = 0 THEN %(first_pem)s ELSE %(second_pem)s END
                        ELSE '' END,
                   %(now)s
            FROM (
                SELECT id, (id * 40503) %% 1000 < 40 AS reserved,
                       (id * 40503) %% 1000 >= 40 AND (id * 69069) %% 1000 < 850 AS mailbox
                FROM folkeregister_person
                WHERE status IN (%(resident)s, %(temporary)s) AND birth_date <= %(adult)s
                  AND (id * 2654435761) %% 1000 < 900
            ) AS registered
            """,
            {
                "now": now, "adult": adults_born_before, "resident": Status.BOSATT, "temporary": Status.MIDLERTIDIG,
                "first": first.identifier, "second": second.identifier,
                "first_pem": first.certificate, "second_pem": second.certificate,
            },
        )  # fmt: skip
        registered = cursor.rowcount
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"KRR records: {registered:,} in {time.perf_counter() - started:.1f} s")


def draw(rng: random.Random, count: int) -> list[str]:
    """Identity numbers of persons drawn at random from the whole register."""
    from django.db.models import Max, Min

    from folkeregister.models import Person

    bounds = Person.objects.aggregate(low=Min("pk"), high=Max("pk"))
    ids = rng.sample(range(bounds["low"], bounds["high"] + 1), count)
    numbers = dict(Person.objects.filter(pk__in=ids).values_list("pk", "identity_number"))
    return [numbers[pk] for pk in ids if pk in numbers]


def one_page_pdf() -> bytes:
    from core.pdf import render_pdf

    return render_pdf(
        "<html><body><h1>Vedtak om bostøtte</h1>"
        + "<p>Du har fått innvilget bostøtte fra 1. mars. Beløpet utbetales den 20. hver måned.</p>" * 8
        + "</body></html>"
    )


# The run: HTTP into a real server, two real workers ------------------------------------------


def database_url(connection) -> str:
    database = connection.settings_dict
    if connection.vendor != "postgresql":
        return f"sqlite:///{database['NAME']}"
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return f"postgres://{database['USER']}{password}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


def _stat(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return []


def process_cpu(pids: list[int], *, with_reaped_children: bool = False) -> float:
    """CPU seconds (user and system) of the processes, and of their children that have ended."""
    ticks = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            ticks += int(fields[11]) + int(fields[12])
            if with_reaped_children:
                ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def postgres_cpu() -> float:
    """The whole PostgreSQL server's CPU: its live processes and the connections that have closed."""
    postgres = {
        int(path.parent.name) for path in Path("/proc").glob("[0-9]*/comm") if _read(path) == "postgres"
    }
    masters = [pid for pid in postgres if _stat(pid) and int(_stat(pid)[1]) not in postgres]
    return process_cpu(masters, with_reaped_children=True) + process_cpu(
        [c for m in masters for c in children(m)]
    )


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


class CpuMeter:
    """CPU spent by this benchmark's processes only (the machine may be shared): this process
    (the HTTP clients), the server's workers, the task workers and PostgreSQL."""

    def __init__(self, server, workers):
        self.server, self.workers = server, workers

    def read(self) -> dict:
        return {
            "clients": time.process_time(),
            "server": process_cpu([self.server.pid, *children(self.server.pid)], with_reaped_children=True),
            "workers": process_cpu([worker.pid for worker in self.workers]),
            "postgresql": postgres_cpu(),
        }


def send_and_wait(connection, port: int, recipients: list[str], document: bytes, arguments) -> dict:
    import requests
    from django.db.models import Count

    from postkasse.models import Letter

    server, workers = start_server_and_workers(connection, port, arguments.workers)
    try:
        wait_for_server(server, port)
        session = requests.Session()

        def post_form(path: str, form: dict) -> dict:
            response = session.post(f"http://127.0.0.1:{port}{path}", data=form, timeout=10)
            response.raise_for_status()
            return response.json()

        token = agency_token(post_form, f"http://127.0.0.1:{port}")
        meter = CpuMeter(server, workers)
        cpu_before = meter.read()
        started = time.perf_counter()
        with ThreadPoolExecutor(arguments.clients) as pool:
            sessions = {}

            def post(recipient: str) -> None:
                session = sessions.setdefault(threading.get_ident(), requests.Session())
                send_over_http(session, port, token, recipient, document)

            list(pool.map(post, recipients))
        sent = time.perf_counter() - started
        while Letter.objects.filter(status=Letter.Status.ACCEPTED).exists():
            for process in (server, *workers):
                if process.poll() is not None:
                    raise SystemExit("The server or a worker stopped during the run.")
            time.sleep(0.2)
        done = time.perf_counter() - started
        drained = wait_for_queue(started)
        cpu = {part: seconds - cpu_before[part] for part, seconds in meter.read().items()}
    finally:
        for process in (server, *workers):
            process.terminate()
        for process in (server, *workers):
            process.wait(timeout=30)
    statuses = Counter(dict(Letter.objects.values_list("status").annotate(n=Count("pk")).order_by()))
    return {"letters": len(recipients), "sent": sent, "done": done, "drained": drained, "cpu": cpu,
            "statuses": statuses}  # fmt: skip


def wait_for_server(server, port: int) -> None:
    import requests

    for _ in range(150):
        if server.poll() is not None:
            raise SystemExit("gunicorn did not start")
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer")


def wait_for_queue(started: float) -> float:
    """Seconds from the first POST until the notices have gone out too (the task queue is empty)."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING))
    while waiting.exists():
        time.sleep(0.2)
    return time.perf_counter() - started


def letter_body(recipient: str, document: bytes) -> dict:
    import base64

    return {
        "mottaker": recipient,
        "tittel": "Vedtak om bostøtte",
        "sensitiv_tittel": "Vedtak om bostøtte for mars",
        "dokumenter": [
            {"tittel": "Vedtak", "filnavn": "vedtak.pdf", "innhold": base64.b64encode(document).decode()}
        ],
    }


def send_over_http(session, port: int, token: str, recipient: str, document: bytes) -> None:
    response = session.post(
        f"http://127.0.0.1:{port}/api/post/v1/forsendelser",
        json=letter_body(recipient, document),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
        timeout=60,
    )
    if response.status_code != 201:
        raise SystemExit(f"POST failed: {response.status_code} {response.text[:500]}")


def start_server_and_workers(connection, port: int, count: int):
    """gunicorn (2 processes, 4 threads) on loopback and `count` db_worker processes on the bench's
    database, DEBUG off, notices to the outbox: as a production node runs."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection),
        "TASKS_BACKEND": DATABASE_TASKS,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": "dummymail://",
        "SMS_BACKEND": "core.sms.backends.database.OutboxBackend",
    }
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, on loopback)
        [str(BASE_DIR / ".venv/bin/gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
         "--threads", "4", "--log-level", "warning"],
        cwd=BASE_DIR, env=env,
    )  # fmt: skip
    workers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1", "-v0"],
            cwd=BASE_DIR,
            env=env,
        )
        for _ in range(count)
    ]
    return server, workers


def agency_token(post, issuer: str, scope: str = "digitalpostinnbygger:send") -> str:
    """A Maskinporten token for the demo agency as its machine gets one: a client registered for the
    organisation, a JWT grant signed with its demo enterprise certificate's key in x5c."""
    import base64
    import secrets

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings
    from jose import jwt

    from maskinporten import services as maskinporten
    from maskinporten.models import Client
    from virksomheter import services as virksomheter
    from virksomheter.demo import seed_demo_organisations
    from virksomheter.models import Organisation

    seed_demo_organisations()
    organisation = Organisation.objects.get(organisasjonsnummer=SENDER)
    client = Client.objects.filter(client_id="bench-agency").first()
    if client is None:
        virksomheter.grant_scope(organisation, scope, granted_by="bench")
        client = maskinporten.register_client(
            organisation, name="bench", scopes=[scope], registered_by="bench", client_id="bench-agency"
        )
    folder = settings.VAR_DIR / "demo-certificates"
    if not (folder / f"{SENDER}.pem").exists():
        with override_settings(DEBUG=True):  # the demo certificates are made only in development
            call_command("seed_demo_certificates", verbosity=0)
    certificate = x509.load_pem_x509_certificate((folder / f"{SENDER}.pem").read_bytes())
    now = int(time.time())
    grant = jwt.encode(
        {"iss": client.client_id, "aud": issuer, "scope": scope, "iat": now, "exp": now + 100,
         "jti": secrets.token_urlsafe(16)},
        (folder / f"{SENDER}.key").read_text(),
        algorithm="RS256",
        headers={"x5c": [base64.b64encode(certificate.public_bytes(Encoding.DER)).decode()]},
    )  # fmt: skip
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": grant}
    return post("/api/token", form)["access_token"]


# The stages, measured in this process --------------------------------------------------------


class StageClock:
    """CPU time (time.process_time) per stage, each stage's own time only: time in a nested stage
    counts there, not in the stage that called it."""

    def __init__(self):
        self.seconds = Counter()
        self.calls = Counter()
        self._stack: list[list] = []  # [stage, started, nested seconds]

    @contextmanager
    def stage(self, name: str):
        self._stack.append([name, time.process_time(), 0.0])
        try:
            yield
        finally:
            _name, started, nested = self._stack.pop()
            spent = time.process_time() - started
            self.seconds[name] += spent - nested
            self.calls[name] += 1
            if self._stack:
                self._stack[-1][2] += spent

    def current(self) -> str | None:
        return self._stack[-1][0] if self._stack else None

    def wrap(self, owner, attribute: str, name: str, *, only_inside: str | None = None):
        original = getattr(owner, attribute)

        def timed(*args, **kwargs):
            if only_inside and self.current() != only_inside:
                return original(*args, **kwargs)
            with self.stage(name):
                return original(*args, **kwargs)

        setattr(owner, attribute, timed)
        return owner, attribute, original


def measure_stages(port: int, recipients: list[str], document: bytes) -> tuple[dict, Counter]:
    """Send the sample with the tasks inline and the stages' functions timed; returns CPU ms per
    letter in each stage and how many letters went through it."""
    from postkasse import crypto
    from postkasse.models import Letter
    from postkasse.services import keys, printing, sending

    clock = StageClock()
    patched = [
        clock.wrap(sending, "route_letters", "route"),
        clock.wrap(keys, "unseal", "encrypt", only_inside="route"),
        clock.wrap(crypto, "encrypt_for", "encrypt", only_inside="route"),
        clock.wrap(printing, "queue_for_print_many", "print page"),
        # With the tasks inline, the SMS and e-mail tasks run inside the notice's own call.
        clock.wrap(sending, "notify_recipients", "notify"),
    ]
    accept = accept_in_process(port)
    try:
        for recipient in recipients[:10]:  # warm-up: imports, caches, the PDF engine
            accept(recipient, document)
        clock.seconds.clear()
        ids = []
        for recipient in recipients[10:]:
            with clock.stage("accept"):
                ids.append(accept(recipient, document))
    finally:
        for owner, attribute, original in patched:
            setattr(owner, attribute, original)
    channels = Counter(Letter.objects.filter(pk__in=ids).values_list("channel", flat=True))
    statuses = Counter(Letter.objects.filter(pk__in=ids).values_list("status", flat=True))
    counts = Counter({
        "accept": len(ids), "route": len(ids), "encrypt": channels[Letter.Channel.DIGITAL],
        "print page": statuses[Letter.Status.AWAITING_PRINT], "notify": channels[Letter.Channel.DIGITAL],
    })  # fmt: skip
    return {stage: 1000 * clock.seconds[stage] / max(counts[stage], 1) for stage in STAGES}, counts


def accept_in_process(port: int):
    """What the server does for one POST, in this process through Django's test client: returns a
    function that sends one letter and returns its id."""
    from urllib.parse import urlencode

    from django.test import Client

    client = Client(HTTP_HOST=f"127.0.0.1:{port}")

    def post_form(path: str, form: dict) -> dict:
        # OAuth endpoints take application/x-www-form-urlencoded only (RFC 6749 section 3.2).
        response = client.post(path, urlencode(form), content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200, response.content
        return response.json()

    token = agency_token(post_form, f"http://127.0.0.1:{port}")

    def accept(recipient: str, document: bytes) -> str:
        response = client.post(
            "/api/post/v1/forsendelser",
            letter_body(recipient, document),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201, response.content
        return response.json()["id"]

    return accept


def explain_route(port: int, recipients: list[str], document: bytes) -> list[str]:
    """EXPLAIN every query of accepting, routing and notifying one digital and one print letter;
    returns those that scan a large table instead of using an index."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from postkasse.models import Letter

    accept = accept_in_process(port)
    scans, seen = [], set()
    for recipient in recipients:
        with CaptureQueriesContext(connection) as queries:
            letter_id = accept(recipient, document)
        channel = Letter.objects.get(pk=letter_id).channel
        if not channel or channel in seen:
            continue
        seen.add(channel)
        postgresql = connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            # Small tables are scanned whatever their indexes; forbid it, and what still scans has none.
            if postgresql:
                cursor.execute("SET enable_seqscan = off")
            for query in queries.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
                    continue
                cursor.execute(f"EXPLAIN {sql}" if postgresql else f"EXPLAIN QUERY PLAN {sql}")
                plan = [str(row[-1]) for row in cursor.fetchall()]
                scans += [
                    f"{table}: {sql[:160]}"
                    for table in LARGE_TABLES
                    for line in plan
                    if (f"Seq Scan on {table}" in line)
                    or (not postgresql and f"SCAN {table}" in line and "USING" not in line)
                ]
            if postgresql:
                cursor.execute("SET enable_seqscan = on")
        if len(seen) == 2:
            break
    return scans


def report(vendor: str, arguments, run: dict, stages: dict, counts: Counter, scans: list[str]) -> None:
    letters = run["letters"]
    print(f"database: {vendor}; register: {arguments.persons:,} persons; workers: {arguments.workers}")
    print(f"letters: {letters:,}, all POSTed in {run['sent']:.1f} s ({letters / run['sent']:.0f}/s)")
    print(f"end to end: {run['done']:.1f} s, {letters / run['done']:.0f} letters per second")
    print(f"notices sent too (queue empty): {run['drained']:.1f} s")
    cpu = run["cpu"]
    parts = ", ".join(f"{part} {1000 * seconds / letters:.1f}" for part, seconds in cpu.items())
    print(f"CPU ms per letter, whole run with notices: {1000 * sum(cpu.values()) / letters:.1f} ({parts})")
    mix = ", ".join(f"{status} {count / letters:.1%}" for status, count in run["statuses"].most_common())
    print(f"channel mix: {mix}")
    print(f"CPU ms per letter by stage (this process, {counts['accept']} sample letters):")
    for stage in STAGES:
        print(f"  {stage:<11} {stages[stage]:6.1f}   ({counts[stage]} letters)")
    print("queries scanning a large table:", *(scans or ["none"]), sep="\n  ")


if __name__ == "__main__":
    main()
