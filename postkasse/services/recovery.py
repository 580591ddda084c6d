"""Recovery after a lost worker. A worker killed in the middle of a task leaves that task RUNNING in
the database queue, and django-tasks-db never hands a running task to another worker: the letter
would wait in "accepted" (or delivered without a notice) for ever. This finds such letters by their
own state and queues their step again; every step is safe to run twice (see sending.py).

Run by `manage.py postkasse_recover` when workers start and every few minutes beside them."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from core import audit
from core.tasks import WorkerLost, lost_runs
from postkasse import tasks
from postkasse.models import Letter

# Far longer than any step takes (a route is well under a second): a task started this long ago
# whose letter has not moved on belongs to a worker that is gone.
STALE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Recovered:
    routed: int
    notified: int


def recover_letters(*, older_than: timedelta = STALE_AFTER) -> Recovered:
    """Queue routing again for letters still accepted, and the first notice for delivered letters
    never notified, when no worker has their task queued or started within `older_than`."""
    now = timezone.now()
    cutoff = now - older_than
    unrouted = Letter.objects.filter(status=Letter.Status.ACCEPTED, accepted_at__lte=cutoff)
    unnotified = Letter.objects.filter(
        Q(virkningsdato__isnull=True) | Q(virkningsdato__lte=now),
        status=Letter.Status.DELIVERED,
        notified_at__isnull=True,
        delivered_at__lte=cutoff,
    )
    routed = _requeue(tasks.route_letter, unrouted, cutoff, chunks=tasks.route_letters)
    notified = _requeue(tasks.notify_recipient, unnotified, cutoff, chunks=tasks.notify_recipients)
    return Recovered(routed=routed, notified=notified)


def _requeue(task, letters, cutoff, *, chunks) -> int:
    """Queue `task` again for each letter that neither it nor a chunk task (`chunks`, the same step
    for many letters) has queued or running; the letters of a lost chunk go one by one."""
    queued = _queued(task, cutoff) | _queued(chunks, cutoff)
    _give_up_lost_runs(chunks, None, cutoff)
    count = 0
    for letter_id in letters.values_list("pk", flat=True).iterator():
        letter_id = str(letter_id)
        if letter_id in queued:
            continue
        _give_up_lost_runs(task, letter_id, cutoff)
        task.enqueue(letter_id)
        audit.record(
            "postkasse.letter_requeued",
            actor="felles",
            object_type="postkasse.letter",
            object_id=letter_id,
            details={"step": task.name},
        )
        count += 1
    return count


def _db_tasks(task):
    return DBTaskResult.objects.filter(task_path=task.module_path, backend_name=task.get_backend().alias)


def _queued(task, cutoff) -> set[str]:
    """Letters whose step is waiting in the queue (retries deferred with backoff included) or was
    started recently enough that its worker may still be at it."""
    if not isinstance(task.get_backend(), DatabaseBackend):
        return set()
    rows = _db_tasks(task).filter(
        Q(status=TaskResultStatus.READY) | Q(status=TaskResultStatus.RUNNING, started_at__gt=cutoff)
    )
    queued = set()
    for args_kwargs in rows.values_list("args_kwargs", flat=True):
        first = args_kwargs["args"][0]
        queued.update(map(str, first) if isinstance(first, list) else [str(first)])
    return queued


def _give_up_lost_runs(task, letter_id: str | None, cutoff) -> None:
    """Mark the killed worker's runs (for one letter, or all) as failed, so the queue does not
    show them running for ever."""
    lost = lost_runs(task, cutoff)
    if letter_id is not None:
        lost = lost.filter(args_kwargs__args__0=letter_id)
    for result in lost:
        result.set_failed(WorkerLost(f"The worker running this task was lost; {task.name} was queued again."))
