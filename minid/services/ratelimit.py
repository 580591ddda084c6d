"""MinID's limits, over the one throttle in core.

Failures (wrong passwords and codes) count per fødselsnummer first, so that a person is guarded however
many addresses the guesses come from, and per client address second, so that one address cannot guess
across many persons. Codes and notices sent by SMS or e-mail are capped per person and hour, so that
MinID cannot be used to flood a phone or an inbox.
"""

from django.conf import settings

from core import audit, throttle
from core.net import client_address
from minid.services.actions import AuditAction
from minid.services.errors import MessagesLimited, RateLimited, StartsLimited

FAILURES_PER_PERSON = "minid.failures.person"
FAILURES_PER_ADDRESS = "minid.failures.address"
MESSAGES_PER_PERSON = "minid.messages.person"
STARTS_PER_PERSON = "minid.starts.person"


def _failure_limits(request, identity_number: str | None) -> list[tuple[str, str, throttle.Rate]]:
    window = settings.MINID_FAILURE_WINDOW_SECONDS
    limits = []
    if identity_number:
        limits.append(
            (FAILURES_PER_PERSON, identity_number, throttle.Rate(settings.MINID_PERSON_MAX_FAILURES, window))
        )
    address = client_address(request)
    if address:
        limits.append((FAILURES_PER_ADDRESS, address, throttle.Rate(settings.MINID_IP_MAX_FAILURES, window)))
    return limits


def check_not_limited(request, identity_number: str | None = None) -> None:
    """Refuse to try at all while the person or the address has used up its failures."""
    if throttle.any_exceeded(_failure_limits(request, identity_number)):
        raise RateLimited()


def record_failure(request, identity_number: str | None = None) -> None:
    for limit in _failure_limits(request, identity_number):
        throttle.hit(*limit)


def count_start(request, identity_number: str) -> None:
    """Count one start of a public page that asks for PIN codes (registration, forgotten password).

    A letter is asked only for its unused numbers, so many starts with one fødselsnummer would show
    which numbers its holder has used, and so who has used a letter: a few a day are enough for anyone.
    Counted before anything is looked up, the same for every number."""
    rate = throttle.Rate(settings.MINID_STARTS_PER_PERSON_PER_DAY, 24 * 3600)
    if not throttle.hit(STARTS_PER_PERSON, identity_number, rate):
        raise StartsLimited()


def allow_message(identity_number: str, *, purpose: str, request=None) -> None:
    """Count one SMS or e-mail to the person; over the hourly cap it is refused and audited."""
    rate = throttle.Rate.per_hour(settings.MINID_MESSAGES_PER_HOUR)
    if throttle.hit(MESSAGES_PER_PERSON, identity_number, rate):
        return
    audit.record(
        AuditAction.MESSAGE_REFUSED,
        actor=identity_number,
        request=request,
        object_type="minid.person",
        object_id=identity_number,
        outcome=audit.Outcome.DENIED,
        details={"purpose": purpose, "reason": "too_many_messages"},
    )
    raise MessagesLimited()
