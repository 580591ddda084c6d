"""Background steps of the send chain (run by `manage.py db_worker`): thin wrappers over the
services, each safe to run twice."""

import logging
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import default_task_backend, task

from postkasse.services import sending
from postkasse.services.errors import ProviderUnavailable

logger = logging.getLogger(__name__)
# Waits between delivery attempts to an unavailable provider: 1, 2, 4, 8, 16 ... minutes.
BACKOFF = timedelta(minutes=1)


def schedule(task_function, *args, at: datetime) -> None:
    """Enqueue now or at a later time; a backend that cannot defer (the tests' immediate
    backend) runs only what is due now."""
    if at <= timezone.now():
        task_function.enqueue(*args)
    elif default_task_backend.supports_defer:
        task_function.using(run_after=at).enqueue(*args)


@task()
def route_letter(letter_id: str) -> str:
    try:
        return sending.route_letter(letter_id)
    except ProviderUnavailable as error:
        attempts = sending.count_attempt(letter_id)
        if attempts >= settings.POSTKASSE_DELIVERY_ATTEMPTS or not default_task_backend.supports_defer:
            if attempts >= settings.POSTKASSE_DELIVERY_ATTEMPTS:
                sending.give_up(
                    letter_id, _("The mailbox provider was unavailable: %(error)s") % {"error": error}
                )
                return "gave up"
            # An immediate backend cannot wait: try again at once, up to the limit.
            return route_letter.call(letter_id)
        wait = BACKOFF * 2 ** (attempts - 1)
        logger.info(
            "Provider unavailable for letter %s, attempt %d; retrying in %s", letter_id, attempts, wait
        )
        route_letter.using(run_after=timezone.now() + wait).enqueue(letter_id)
        return "retrying"


# Routing first: a mass dispatch's chunks go before the notices of the chunks already delivered.
@task(priority=10)
def route_letters(letter_ids: list[str]) -> dict[str, int]:
    """A chunk of a mass dispatch; a letter whose provider cannot take it now is retried on its own."""
    statuses, unavailable = sending.route_letters(letter_ids)
    for letter_id in unavailable:
        route_letter.enqueue(letter_id)
    return dict(Counter(statuses.values()))


@task()
def notify_recipients(letter_ids: list[str]) -> int:
    return sum(sending.notify_recipients(letter_ids).values())


@task()
def notify_recipient(letter_id: str) -> bool:
    return sending.notify_recipient(letter_id)


@task()
def remind_recipient(letter_id: str) -> bool:
    return sending.notify_recipient(letter_id, reminder=True)
