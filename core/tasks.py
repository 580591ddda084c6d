"""Background delivery of outbound messages (run by `manage.py db_worker`), and recovery of the
messages a killed worker was sending."""

from datetime import timedelta

from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from core.sms import send_sms


class WorkerLost(Exception):
    """Recorded on a task left running by a worker that was killed; its work was queued again."""


@task()
def deliver_sms(to: str, text: str) -> str:
    """Hand one SMS to the configured backend; returns the number it went to."""
    return send_sms(to, text).to


@task()
def deliver_email(to: str, subject: str, body: str) -> str:
    """Send one plain-text e-mail through Django's e-mail framework."""
    send_mail(subject, body, None, [to])
    return to


def lost_runs(task, cutoff):
    """Runs of `task` that a worker started before `cutoff` and never finished: its worker is gone,
    and django-tasks-db never hands a running task to another. None without the database queue."""
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return DBTaskResult.objects.none()
    return DBTaskResult.objects.filter(
        task_path=task.module_path,
        backend_name=backend.alias,
        status=TaskResultStatus.RUNNING,
        started_at__lte=cutoff,
    )


def requeue_lost_messages(*, older_than: timedelta) -> int:
    """SMS and e-mail whose worker was lost while sending them (a task left running for longer
    than `older_than`): queue each again and mark the lost run failed. At least once: a message
    the worker handed to the gateway just before it died goes out twice."""
    count = 0
    for lost_task in (deliver_sms, deliver_email):
        for result in lost_runs(lost_task, timezone.now() - older_than):
            lost_task.enqueue(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
            result.set_failed(
                WorkerLost(f"The worker sending this was lost; {lost_task.name} was queued again.")
            )
            count += 1
    return count
