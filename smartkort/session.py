"""The citizen's smartcard login in the browser session, and what ID-porten reads from it.

While the login page is open the session holds the login attempt and its challenge; after a
verified answer the session key is cycled and holds the card holder's identity number, the
time of authentication and the method (amr: "Buypass" or "Commfides", as ID-porten names them).
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import timezone

from smartkort.models import Provider
from smartkort.services import CardHolder

AMR_VALUES = tuple(Provider.values)  # for ID-porten's discovery document
IDENTITY_KEY = "smartkort.identity_number"
AUTH_TIME_KEY = "smartkort.auth_time"
AMR_KEY = "smartkort.amr"
ATTEMPT_KEY = "smartkort.attempt"
CHALLENGE_KEY = "smartkort.challenge"


@dataclass(frozen=True)
class Authentication:
    """A completed smartcard login, as ID-porten needs it."""

    identity_number: str
    amr: str
    auth_time: datetime


def attempt(request) -> str:
    """This browser's login attempt, which its challenges are bound to."""
    if ATTEMPT_KEY not in request.session:
        request.session[ATTEMPT_KEY] = secrets.token_urlsafe(32)
    return request.session[ATTEMPT_KEY]


def keep_challenge(request, nonce: str) -> None:
    request.session[CHALLENGE_KEY] = nonce


def pending_challenge(request) -> str:
    return request.session.get(CHALLENGE_KEY, "")


def log_in(request, holder: CardHolder) -> None:
    request.session.cycle_key()
    for key in (ATTEMPT_KEY, CHALLENGE_KEY):
        request.session.pop(key, None)
    request.session[IDENTITY_KEY] = holder.identity_number
    request.session[AUTH_TIME_KEY] = int(timezone.now().timestamp())
    request.session[AMR_KEY] = holder.provider


def log_out(request) -> None:
    """Forget the smartcard login and any attempt in progress; other apps' keys stay."""
    for key in [key for key in request.session.keys() if key.startswith("smartkort.")]:  # noqa: SIM118
        del request.session[key]
    request.session.cycle_key()


def authentication(request) -> Authentication | None:
    identity_number = request.session.get(IDENTITY_KEY)
    if identity_number is None:
        return None
    return Authentication(
        identity_number=identity_number,
        amr=request.session[AMR_KEY],
        auth_time=datetime.fromtimestamp(request.session[AUTH_TIME_KEY], tz=UTC),
    )
