"""Benchmark: a mass dispatch (masseutsendelse) from the case archive. A municipality sends one
template letter, a fee notice, to 10,000 living adults the way the admin does it: the recipients
added by identity number, then "Ekspeder", which queues the dispatch for the task workers. Prints
letters per second from the dispatch until every letter is routed (delivered, waiting for print,
held or failed) with 2 task workers, and beside it, measured in the same run, the rate of laying
out each letter on its own with WeasyPrint. Goal: at least 10x that naive rate.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/felles .venv/bin/python bench/saksarkiv_mass_dispatch.py
    ... bench/saksarkiv_mass_dispatch.py --persons 20000 --letters 2000      (a quick run)

It seeds a throwaway database (persons, the contact register, the two demo mailbox providers, the
demo organisations), starts `manage.py db_worker` processes on it, and afterwards opens a few
letters as their recipient's provider or the print room would (decrypted with the provider's key or
the intake key) to check that each names its own recipient and address and no one else.
"""

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
MUNICIPALITY = "965302026"  # Fjordvik kommune, one of the demo organisations
SUBJECT = "Faktura for kommunale avgifter"
BODY = """Hei {{ mottaker_navn }},

Her er fakturaen for kommunale avgifter for 2. termin: vann, avløp, renovasjon, slamtømming og feiing \
for eiendommen du eier i {{ virksomhet }}. Gebyrene er beregnet etter gebyrregulativet som kommunestyret \
har vedtatt for året.

Beløpet forfaller til betaling 20. mai. Bruk KID-nummeret på fakturaen når du betaler. Du kan også \
opprette avtalegiro eller eFaktura i nettbanken, så kommer de neste fakturaene dit.

Betaler du ikke innen fristen, sender vi purring med purregebyr, og kravet kan bli sendt til \
inkasso. Har du betalingsproblemer, kan du avtale en betalingsplan med oss før forfall.

Mener du at gebyret er feil beregnet, kan du klage innen tre uker etter at du fikk dette brevet, \
jf. forvaltningsloven § 28. Klagen sender du til {{ virksomhet }}. Oppgi saksnummer {{ saksnummer }}.

Har du spørsmål, kan du ringe servicetorget på 55 30 00 00 eller svare på dette brevet.

Med vennlig hilsen
{{ saksbehandler }}
{{ virksomhet }}"""
ROUTED = ("delivered", "awaiting_print", "held", "failed")
NAIVE_LETTERS = 20
CHECKED_LETTERS = 5


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="db_worker processes")
    arguments = parser.parse_args()
    os.environ["EMAIL_URL"] = "dummymail://"
    with tempfile.TemporaryDirectory(prefix="felles-bench-saksarkiv-keys-") as keys:
        # The intake key pair and the providers' keys: shared by this process and the workers.
        os.environ["POSTKASSE_INTAKE_CERTIFICATE_FILE"] = f"{keys}/intake.pem"
        os.environ["POSTKASSE_INTAKE_KEY_FILE"] = f"{keys}/intake.key"
        from throwaway import bench_database

        with bench_database("saksarkiv") as connection:
            from django.conf import settings

            settings.VAR_DIR = Path(keys)
            seed(arguments.persons)
            handler = case_handler()
            journalpost = fee_notice(handler)
            recipients = draw_adults(random.Random(3), arguments.letters)
            started = time.perf_counter()
            added = add_recipients(journalpost, handler, recipients)
            adding = time.perf_counter() - started
            naive = naive_rate(journalpost)
            run = dispatch_and_wait(connection, journalpost, handler, arguments.workers)
            checks = check_letters(journalpost, random.Random(5))
    report(connection.vendor, arguments, added, adding, naive, run, checks)


def seed(persons: int) -> None:
    from django.db import connection

    from core.progress import progress
    from folkeregister.seeding import seed_population
    from kontaktregister.seeding import seed_contact_register
    from postkasse.services import keys, seed_demo_providers
    from virksomheter.demo import seed_demo_organisations

    with progress(persons, description="Seeding persons", unit="persons") as bar:
        seed_population(persons, seed=7, on_progress=bar.update)
    # Made here, once: processes that make it at the same time on first use collide (keys.py).
    keys.intake_pair()
    seed_demo_providers()
    seed_demo_organisations()
    started = time.perf_counter()
    registered = seed_contact_register(seed=7)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"KRR records: {registered:,} in {time.perf_counter() - started:.1f} s")


def case_handler():
    from django.contrib.auth import get_user_model

    from saksarkiv.models import AdministrativEnhet, Saksbehandler
    from virksomheter.models import Organisation

    user = get_user_model().objects.create_user(
        username="saksbehandler", is_staff=True, first_name="Ingrid", last_name="Berg"
    )
    organisation = Organisation.objects.get(organisasjonsnummer=MUNICIPALITY)
    unit = AdministrativEnhet.objects.create(organisation=organisation, kortnavn="KEM", navn="Kemnerkontoret")
    return Saksbehandler.objects.create(
        user=user, organisation=organisation, initialer="IB", administrativ_enhet=unit
    )


def fee_notice(handler):
    """A case with an outgoing journal post written from the fee notice template, as in the admin."""
    from saksarkiv import services
    from saksarkiv.models import Brevmal, Journalpost

    services.validate_template(SUBJECT, BODY)
    template = Brevmal.objects.create(
        organisation=handler.organisation, navn="Kommunale avgifter", emne=SUBJECT, tekst=BODY
    )
    saksmappe = services.create_saksmappe(handler, tittel="Kommunale avgifter, 2. termin")
    journalpost = services.add_journalpost(
        saksmappe, handler, journalposttype=Journalpost.Type.UTGAAENDE, tittel=SUBJECT
    )
    journalpost.brevmal = template
    journalpost.save(update_fields=["brevmal"])
    return journalpost


def draw_adults(rng: random.Random, count: int) -> list[str]:
    """Identity numbers of living adults (18 or more) drawn at random from the register."""
    from django.utils import timezone

    from folkeregister.models import Person, Status

    today = timezone.localdate()
    numbers = list(
        Person.objects.filter(
            status__in=(Status.BOSATT, Status.MIDLERTIDIG),
            birth_date__lte=today.replace(year=today.year - 18),
        ).values_list("identity_number", flat=True)
    )
    if len(numbers) < count:
        raise SystemExit(f"Only {len(numbers):,} living adults in the register; give more --persons.")
    return rng.sample(numbers, count)


def add_recipients(journalpost, handler, recipients: list[str]) -> int:
    from saksarkiv import services

    return services.add_recipients(journalpost, handler, recipients)


def naive_rate(journalpost) -> dict:
    """Each letter laid out on its own with WeasyPrint, one after another, after one warm-up."""
    from saksarkiv import services
    from saksarkiv.models import Journalpost

    journalpost = Journalpost.objects.select_related("saksmappe", "brevmal").get(pk=journalpost.pk)
    parties = list(journalpost.korrespondanseparter.order_by("pk")[: NAIVE_LETTERS + 1])
    services.letter_pdf(journalpost, parties[0])
    started = time.perf_counter()
    for party in parties[1:]:
        services.letter_pdf(journalpost, party)
    elapsed = time.perf_counter() - started
    return {"letters": len(parties) - 1, "seconds": elapsed}


# The run: the admin's dispatch, two real workers ----------------------------------------------


def dispatch_and_wait(connection, journalpost, handler, worker_count: int) -> dict:
    from django.db.models import Count
    from django.test import override_settings
    from postkasse_send import database_url, wait_for_queue

    from postkasse.models import Letter
    from saksarkiv import services
    from saksarkiv.models import Journalpost

    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection),
        "TASKS_BACKEND": DATABASE_TASKS["default"]["BACKEND"],
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": "dummymail://",
        "SMS_BACKEND": "core.sms.backends.database.OutboxBackend",
    }
    workers = [
        subprocess.Popen(  # noqa: S603 (our own workers)
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1", "-v0"],
            cwd=BASE_DIR,
            env=env,
        )
        for _ in range(worker_count)
    ]
    letters = Letter.objects.filter(idempotency_key__startswith=f"saksarkiv:{journalpost.system_id}:")
    try:
        time.sleep(3)  # the workers start up before the clock does
        meter = WorkerMeter(workers)
        cpu_before = meter.read()
        started = time.perf_counter()
        with override_settings(TASKS=DATABASE_TASKS):  # queue for the workers, as the admin does
            queued = services.dispatch_or_queue(journalpost, handler)
        if not queued:
            raise SystemExit("The dispatch ran at once instead of in the background; give more --letters.")
        while Journalpost.objects.get(pk=journalpost.pk).journalstatus != Journalpost.Status.EKSPEDERT:
            watch(workers)
            time.sleep(0.2)
        accepted = time.perf_counter() - started
        cpu_accepted = meter.read()
        while letters.filter(status=Letter.Status.ACCEPTED).exists():
            watch(workers)
            time.sleep(0.2)
        done = time.perf_counter() - started
        cpu_done = meter.read()
        drained = wait_for_queue(started)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    statuses = Counter(dict(letters.values_list("status").annotate(n=Count("pk")).order_by()))
    channels = Counter(dict(letters.values_list("channel").annotate(n=Count("pk")).order_by()))
    return {
        "letters": letters.count(), "accepted": accepted, "done": done, "drained": drained,
        "cpu_accept": _minus(cpu_accepted, cpu_before), "cpu_route": _minus(cpu_done, cpu_accepted),
        "statuses": statuses, "channels": channels,
    }  # fmt: skip


class WorkerMeter:
    """CPU of this benchmark's processes: this process, the task workers and PostgreSQL."""

    def __init__(self, workers):
        self.workers = workers

    def read(self) -> dict:
        from postkasse_send import postgres_cpu, process_cpu

        return {
            "this process": time.process_time(),
            "workers": process_cpu([worker.pid for worker in self.workers]),
            "postgresql": postgres_cpu(),
        }


def _minus(after: dict, before: dict) -> dict:
    return {part: seconds - before[part] for part, seconds in after.items()}


def watch(workers) -> None:
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if any(worker.poll() is not None for worker in workers):
        raise SystemExit("A worker stopped during the run.")
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).first()
    if failed is not None:
        raise SystemExit(f"{failed.task_path} failed: {failed.exception_class_path}\n{failed.traceback}")


# Correctness: open a few letters as their recipients' providers or the print room would ---------


def check_letters(journalpost, rng: random.Random) -> list[tuple[str, str, list[str]]]:
    """Returns (recipient, channel, problems) for a few letters drawn at random."""
    from postkasse.models import Letter

    parties = list(journalpost.korrespondanseparter.order_by("pk"))
    names = {party.navn for party in parties}
    handler_name = journalpost.saksbehandler.user.get_full_name()
    results = []
    for party in rng.sample(parties, min(CHECKED_LETTERS, len(parties))):
        letter = Letter.objects.select_related("mailbox__provider").get(pk=party.forsendelse_id)
        text = _plain(_text(letter))
        problems = [
            f"{wanted!r} missing" for wanted in (party.navn, *party.postadresse) if _plain(wanted) not in text
        ]
        problems += [
            f"names {other!r}"
            for other in names - {party.navn}
            if _plain(other) in text and other not in party.navn and other not in handler_name
        ]
        results.append((party.navn, letter.status, problems))
    return results


def _text(letter) -> str:
    from pypdf import PdfReader

    from postkasse.services import keys, printing

    if letter.status == "delivered":
        provider = letter.mailbox.provider
        pdfs = [keys.open_for_provider(provider, d.envelope.read()) for d in letter.documents.all()]
    elif letter.status == "awaiting_print":
        pdfs = [printing.print_job_pdf(letter.print_job)]
    else:
        pdfs = [keys.unseal(d.envelope.read()) for d in letter.documents.all()]
    return "\n".join(page.extract_text() for pdf in pdfs for page in PdfReader(io.BytesIO(pdf)).pages)


def _plain(text: str) -> str:
    return " ".join(text.split())


def report(vendor: str, arguments, added: int, adding: float, naive: dict, run: dict, checks) -> None:
    letters = run["letters"]
    naive_rate = naive["letters"] / naive["seconds"]
    rate = letters / run["done"]
    print(f"database: {vendor}; register: {arguments.persons:,} persons; workers: {arguments.workers}")
    print(f"recipients added: {added:,} in {adding:.1f} s ({added / adding:,.0f}/s)")
    print(
        f"naive (WeasyPrint per letter): {naive['letters']} letters in {naive['seconds']:.1f} s, "
        f"{naive_rate:.1f} letters per second"
    )
    print(f"end to end: {letters:,} letters in {run['done']:.1f} s, {rate:.0f} letters per second")
    print(f"ratio: {rate / naive_rate:.1f}x the naive rate (goal: 10x)")
    routing = run["done"] - run["accepted"]
    print(
        f"  accepting (dispatch task, incl. stamping): {run['accepted']:.1f} s ({letters / run['accepted']:.0f}/s)"
    )
    print(f"  routing (workers): {routing:.1f} s ({letters / routing:.0f}/s)")
    print(f"notices sent too (queue empty): {run['drained']:.1f} s")
    mix = ", ".join(f"{status} {count / letters:.1%}" for status, count in run["statuses"].most_common())
    channels = ", ".join(
        f"{channel} {count / letters:.1%}" for channel, count in run["channels"].most_common()
    )
    print(f"channel mix: {channels} ({mix})")
    for phase in ("accept", "route"):
        cpu = run[f"cpu_{phase}"]
        parts = ", ".join(f"{part} {1000 * seconds / letters:.1f}" for part, seconds in cpu.items())
        print(f"CPU ms per letter, {phase} phase: {1000 * sum(cpu.values()) / letters:.1f} ({parts})")
    # The machine may be shared: other processes' load slows the run without showing in its CPU.
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"letters checked ({len(checks)}, text extracted after decrypting):")
    for name, status, problems in checks:
        print(
            f"  {'OK  ' if not problems else 'FAIL'} {name} ({status}){': ' + '; '.join(problems) if problems else ''}"
        )
    unrouted = sum(count for status, count in run["statuses"].items() if status not in ROUTED)
    if unrouted or any(problems for _n, _s, problems in checks):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
