"""Never lose a letter: a real `manage.py db_worker` is killed in the middle of a batch, and after
a restart every letter is delivered or waiting for print exactly once."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.models import OutboundSms
from postkasse.models import Letter, PrintJob, Receipt
from postkasse.services import keys
from tests.postkasse.factories import citizen, pdf, providers, send

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]
LETTERS = 30
ROUTE_TASK = "postkasse.tasks.route_letter"


@pytest.fixture
def worker_database(settings, tmp_path):
    """Tasks go to the database queue, in a database a worker process can open; yields its URL."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
        yield (
            f"postgres://{database['USER']}{password}@{database['HOST'] or 'localhost'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        )
        return
    # SQLite tests run in memory, which no other process sees: this test works on a migrated copy
    # in a file. WAL, so that reading here never waits for the (possibly stopped) worker's lock.
    path = tmp_path / "worker.sqlite3"
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=WAL")
    in_memory = connections["default"]
    on_file = type(in_memory)({**database, "NAME": str(path)}, "default")
    connections["default"] = on_file
    try:
        yield f"sqlite:///{path}"
    finally:
        on_file.close()
        connections["default"] = in_memory


@pytest.fixture
def worker_env(worker_database, settings, tmp_path, private_files_in_tmp):
    settings.POSTKASSE_INTAKE_CERTIFICATE_FILE = tmp_path / "intake.pem"
    settings.POSTKASSE_INTAKE_KEY_FILE = tmp_path / "intake.key"
    return {
        **os.environ,
        "DATABASE_URL": worker_database,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "PRIVATE_MEDIA_ROOT": str(private_files_in_tmp),
        "POSTKASSE_INTAKE_CERTIFICATE_FILE": str(tmp_path / "intake.pem"),
        "POSTKASSE_INTAKE_KEY_FILE": str(tmp_path / "intake.key"),
        "SMS_BACKEND": "core.sms.backends.database.OutboxBackend",
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
    }


def db_worker(env, log: Path, *options) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.05",
         *options],
        cwd=BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def letters_stuck_in_a_running_route() -> set[str]:
    running = DBTaskResult.objects.filter(task_path=ROUTE_TASK, status=TaskResultStatus.RUNNING)
    ids = [args_kwargs["args"][0] for args_kwargs in running.values_list("args_kwargs", flat=True)]
    return {
        str(pk)
        for pk in Letter.objects.filter(pk__in=ids, status=Letter.Status.ACCEPTED).values_list(
            "pk", flat=True
        )
    }


def kill_in_the_middle_of_a_route(worker: subprocess.Popen, log: Path) -> set[str]:
    """SIGKILL once some letters are routed, at a moment the worker is inside a route task (it is
    stopped first and looked at, so the kill never lands between two tasks). Returns the letters
    whose route was cut off."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert worker.poll() is None, log.read_text()
        if Letter.objects.exclude(status=Letter.Status.ACCEPTED).count() >= 3:
            os.kill(worker.pid, signal.SIGSTOP)
            if cut_off := letters_stuck_in_a_running_route():
                worker.kill()
                worker.wait()
                return cut_off
            os.kill(worker.pid, signal.SIGCONT)
        time.sleep(0.01)
    worker.kill()
    pytest.fail(f"The worker routed no letters in time:\n{log.read_text()}")


def test_a_worker_killed_in_the_middle_of_a_batch_loses_no_letter_and_sends_none_twice(
    worker_env, settings, tmp_path
):
    digipost, eskuffen = providers(settings, tmp_path)
    digital, paper = [], []
    for number in range(LETTERS):
        mobile = f"+479100{number:04d}"
        if number % 2:
            person = citizen(mailbox_provider=(digipost, eskuffen)[number % 4 // 2], mobile=mobile)
            digital.append((send(person, title=f"Vedtak {number}")[0], mobile))
        else:
            person = citizen(reserved=number % 4 == 0, mobile=mobile)  # reserved, or without a mailbox
            paper.append(send(person, title=f"Vedtak {number}")[0])
    assert Letter.objects.filter(status=Letter.Status.ACCEPTED).count() == LETTERS

    first = db_worker(worker_env, tmp_path / "first.log")
    cut_off = kill_in_the_middle_of_a_route(first, tmp_path / "first.log")
    routed = Letter.objects.exclude(status=Letter.Status.ACCEPTED).count()
    assert 3 <= routed < LETTERS and len(cut_off) == 1

    # The restart: recovery, then a worker that runs the queue empty and stops.
    call_command("postkasse_recover", "--older-than", "0")
    second = db_worker(worker_env, tmp_path / "second.log", "--batch")
    assert second.wait(timeout=120) == 0, (tmp_path / "second.log").read_text()

    assert not Letter.objects.filter(status=Letter.Status.ACCEPTED).exists()
    for letter, _mobile in digital:
        letter.refresh_from_db()
        assert letter.status == Letter.Status.DELIVERED
        assert list(letter.receipts.values_list("kind", flat=True)) == [Receipt.Kind.DELIVERED]
        envelope = letter.documents.get().envelope.read()
        assert keys.open_for_provider(letter.mailbox.provider, envelope) == pdf()
    assert Counter(OutboundSms.objects.values_list("to", flat=True)) == {mobile: 1 for _l, mobile in digital}
    assert set(Letter.objects.filter(status=Letter.Status.AWAITING_PRINT).values_list("pk", flat=True)) == {
        letter.pk for letter in paper
    }
    assert Counter(PrintJob.objects.values_list("letter_id", flat=True)) == {letter.pk: 1 for letter in paper}
    # Every task ran to the end, but the one the killed worker left running: recovery marked it.
    unfinished = DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL)
    assert [(task.args_kwargs["args"][0], task.status) for task in unfinished] == [
        (cut_off.pop(), TaskResultStatus.FAILED)
    ]
