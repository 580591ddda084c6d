"""The citizen's MinID session, and what ID-porten reads from it.

After step 2 of a login the session key is cycled and holds the user, the time
of authentication and the method (amr: Minid-OTC or Minid-PIN). Like ID-porten's SSO
session it ends after MINID_SESSION_IDLE_SECONDS without a request; and the steps that
would let someone who found the browser open take the user over (deletion, new contact
details) ask for the password again unless it was given within MINID_REAUTH_SECONDS.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from minid.models import Login, MinidUser

USER_KEY = "minid.user"
AUTH_TIME_KEY = "minid.auth_time"
AMR_KEY = "minid.amr"
PENDING_LOGIN_KEY = "minid.pending_login"
# Unix time of the last request that used the login, and of the last time the password was given.
LAST_SEEN_KEY = "minid.last_seen"
PASSWORD_AT_KEY = "minid.password_at"
# The user current_user() read, kept on the request so that its steps read it once; log_out() forgets it.
_USER_IN_REQUEST = "_minid_current_user"
# The amr values a MinID login gives: an SMS code, or a PIN code from the letter.
AMR_VALUES = tuple(label for _value, label in Login.Method.choices)


@dataclass(frozen=True)
class Authentication:
    """A completed MinID login, as ID-porten needs it."""

    identity_number: str
    amr: str
    auth_time: datetime


def log_in(request, login: Login) -> None:
    # A new session key against fixation; the old row renamed by the save (one UPDATE) where the
    # store can, so that a failed response leaves the old key without the login, not logged in.
    cycle = getattr(request.session, "cycle_key_when_saved", request.session.cycle_key)
    cycle()
    request.session.pop(PENDING_LOGIN_KEY, None)
    request.session[USER_KEY] = login.user_id
    request.session[AUTH_TIME_KEY] = int(login.completed_at.timestamp())
    request.session[AMR_KEY] = login.get_method_display()
    request.session[LAST_SEEN_KEY] = request.session[PASSWORD_AT_KEY] = _now()


def _now() -> int:
    return int(timezone.now().timestamp())


def log_out(request) -> None:
    """End the MinID login and forget every MinID step in progress; other apps' keys stay."""
    request.__dict__.pop(_USER_IN_REQUEST, None)
    for key in [key for key in request.session.keys() if key.startswith("minid.")]:  # noqa: SIM118
        del request.session[key]
    request.session.cycle_key()


def _idle_for(request) -> int:
    """Seconds since the login was last used (a session from before this was tracked: since login)."""
    last_seen = request.session.get(LAST_SEEN_KEY, request.session.get(AUTH_TIME_KEY, 0))
    return _now() - last_seen


def current_user(request) -> MinidUser | None:
    user_id = request.session.get(USER_KEY)
    if user_id is None:
        return None
    seen = getattr(request, _USER_IN_REQUEST, None)  # read earlier in this request
    if seen is not None and seen.pk == user_id:
        return seen
    if _idle_for(request) > settings.MINID_SESSION_IDLE_SECONDS:
        log_out(request)
        request.minid_idle_logout = True
        return None
    request.session[LAST_SEEN_KEY] = _now()
    user = (
        MinidUser.objects.select_related("person").filter(pk=user_id, status=MinidUser.Status.ACTIVE).first()
    )
    if user is None:  # deleted or locked since: the session no longer counts
        log_out(request)
    else:
        setattr(request, _USER_IN_REQUEST, user)
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
            if getattr(request, "minid_idle_logout", False):
                minutes = settings.MINID_SESSION_IDLE_SECONDS // 60
                messages.info(
                    request,
                    _("You were logged out after %(minutes)d minutes without activity. Log in again.")
                    % {"minutes": minutes},
                )
            return redirect(f"{_login_url()}?{urlencode({'next': request.get_full_path()})}")
        request.minid_user = user
        return view(request, *args, **kwargs)

    return wrapper


def password_given(request) -> None:
    """The citizen has just given their password again."""
    request.session[PASSWORD_AT_KEY] = _now()


def password_recent(request) -> bool:
    # The login itself asked for the password: a session without the key counts from then.
    given = request.session.get(PASSWORD_AT_KEY, request.session.get(AUTH_TIME_KEY, 0))
    return _now() - given <= settings.MINID_REAUTH_SECONDS


def recent_password_required(view):
    """For a logged-in page (inside login_required) that changes who can use the user: the password
    again first, unless it was given within the last few minutes; then back to this page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not password_recent(request):
            return redirect(f"{_confirm_password_url()}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


def _login_url() -> str:
    from django.urls import reverse

    return reverse("minid:login")


def _confirm_password_url() -> str:
    from django.urls import reverse

    return reverse("minid:confirm_password")
