import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.models import OutboundSms
from core.tasks import deliver_sms

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_tasks_run_immediately_in_tests():
    result = deliver_sms.enqueue("912 34 567", "Hei fra Felles")
    assert result.return_value == "+4791234567"
    assert OutboundSms.objects.get().text == "Hei fra Felles"


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_database_worker_runs_an_enqueued_task(tmp_path):
    """The real chain: enqueue into the database, `manage.py db_worker` picks it up."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DEBUG": "true",
        "SMS_BACKEND": "core.sms.backends.database.OutboxBackend",
    }
    assert manage("migrate", "-v0", env=env).returncode == 0
    enqueue = manage(
        "shell", "--no-imports", "-c",
        "from core.tasks import deliver_sms; print(deliver_sms.enqueue('41234567', 'Kode 12345').status)",
        env=env,
    )  # fmt: skip
    assert enqueue.stdout.strip().endswith("READY"), enqueue.stderr
    before = manage(
        "shell",
        "--no-imports",
        "-c",
        "from core.models import OutboundSms; print(OutboundSms.objects.count())",
        env=env,
    )
    assert before.stdout.strip() == "0"

    worker = manage("db_worker", "--batch", "--no-startup-delay", env=env)
    assert worker.returncode == 0, worker.stderr

    after = manage(
        "shell", "--no-imports", "-c",
        "from core.models import OutboundSms; print(*OutboundSms.objects.values_list('to', 'text').get())",
        env=env,
    )  # fmt: skip
    assert after.stdout.strip() == "+4741234567 Kode 12345"


@pytest.mark.django_db
def test_a_message_lost_with_its_worker_is_queued_again(settings):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    deliver_sms.enqueue("912 34 567", "Du har fått et brev")
    lost = DBTaskResult.objects.get()
    lost.status, lost.started_at = TaskResultStatus.RUNNING, timezone.now() - timedelta(hours=1)
    lost.save()
    deliver_sms.enqueue("913 45 678", "Sendes snart")
    running = DBTaskResult.objects.exclude(pk=lost.pk).get()
    running.status, running.started_at = TaskResultStatus.RUNNING, timezone.now()
    running.save()

    output = io.StringIO()
    call_command("postkasse_recover", stdout=output)
    assert "1 SMS and e-mail messages" in output.getvalue()

    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED and "WorkerLost" in lost.exception_class_path
    again = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert again.args_kwargs["args"] == ["912 34 567", "Du har fått et brev"]
    assert DBTaskResult.objects.get(pk=running.pk).status == TaskResultStatus.RUNNING  # still at it
