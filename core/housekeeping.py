"""Housekeeping: rows that guard only for a while (used jtis and assertions, one-time codes, expired
tokens and sessions, finished task results) are deleted once they guard nothing.

Each app owns its rows and offers `purge_expired(now) -> dict[str, int]` in its services module,
counting deleted rows per model label; `purge_expired()` here runs them all (found as Django finds
admin modules, so core imports no app), and `manage.py purge_expired` runs it every few minutes."""

from datetime import datetime, timedelta
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from django_tasks_db.models import DBTaskResult

from core.models import ThrottleCounter


def deleted(queryset: QuerySet) -> dict[str, int]:
    """Delete and count per model label, cascades included (what an operator wants to see)."""
    _total, per_model = queryset.delete()
    return {label: count for label, count in per_model.items() if count}


def purge_task_results(now: datetime) -> dict[str, int]:
    """Finished (successful or failed) task results older than TASK_RESULTS_KEPT_DAYS. Ready and
    running ones are the queue itself, and postkasse_recover reads running ones."""
    cutoff = now - timedelta(days=settings.TASK_RESULTS_KEPT_DAYS)
    return deleted(DBTaskResult.objects.finished().filter(finished_at__lt=cutoff))


def purge_throttle_counters(now: datetime) -> dict[str, int]:
    """Throttle counters whose window has passed (core.throttle)."""
    return deleted(ThrottleCounter.objects.filter(expires_at__lte=now))


def _app_purges():
    for app_config in apps.get_app_configs():
        if not module_has_submodule(app_config.module, "services"):
            continue
        purge = getattr(import_module(f"{app_config.name}.services"), "purge_expired", None)
        if purge is not None:
            yield purge


def purge_expired(now: datetime | None = None) -> dict[str, int]:
    """Run every app's purge and this module's own; deleted rows per model label."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for purge in (*_app_purges(), purge_task_results, purge_throttle_counters):
        for label, count in purge(now).items():
            counts[label] = counts.get(label, 0) + count
    return counts
