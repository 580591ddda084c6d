"""The citizen's MinID session, and what ID-porten reads from it.

After step 2 of a login the session key is cycled and holds the user, the time
of authentication and the method (amr: Minid-OTC or Minid-PIN).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import redirect

from minid.models import Login, MinidUser

USER_KEY = "minid.user"
AUTH_TIME_KEY = "minid.auth_time"
AMR_KEY = "minid.amr"
PENDING_LOGIN_KEY = "minid.pending_login"
# The amr values a MinID login gives: an SMS code, or a PIN code from the letter.
AMR_VALUES = tuple(label for _value, label in Login.Method.choices)


@dataclass(frozen=True)
class Authentication:
    """A completed MinID login, as ID-porten needs it."""

    identity_number: str
    amr: str
    auth_time: datetime


def log_in(request, login: Login) -> None:
    request.session.cycle_key()
    request.session.pop(PENDING_LOGIN_KEY, None)
    request.session[USER_KEY] = login.user_id
    request.session[AUTH_TIME_KEY] = int(login.completed_at.timestamp())
    request.session[AMR_KEY] = login.get_method_display()


def log_out(request) -> None:
    """End the MinID login and forget every MinID step in progress; other apps' keys stay."""
    for key in [key for key in request.session.keys() if key.startswith("minid.")]:  # noqa: SIM118
        del request.session[key]
    request.session.cycle_key()


def current_user(request) -> MinidUser | None:
    user_id = request.session.get(USER_KEY)
    if user_id is None:
        return None
    user = (
        MinidUser.objects.select_related("person").filter(pk=user_id, status=MinidUser.Status.ACTIVE).first()
    )
    if user is None:  # deleted or locked since: the session no longer counts
        log_out(request)
    return user


def authentication(request) -> Authentication | None:
    user = current_user(request)
    if user is None:
        return None
    return Authentication(
        identity_number=user.person.identity_number,
        amr=request.session[AMR_KEY],
        auth_time=datetime.fromtimestamp(request.session[AUTH_TIME_KEY], tz=UTC),
    )


def login_required(view):
    """For the citizen's own pages: log in first, then come back."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = current_user(request)
        if user is None:
            return redirect(f"{_login_url()}?{urlencode({'next': request.get_full_path()})}")
        request.minid_user = user
        return view(request, *args, **kwargs)

    return wrapper


def _login_url() -> str:
    from django.urls import reverse

    return reverse("minid:login")
