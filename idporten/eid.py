"""The eIDs ID-porten offers, as a registry the eID apps fill in.

ID-porten does not know MinID or the smartcards: each eID app registers an `Eid` in its
AppConfig.ready() (minid/eid.py, smartkort/eid.py), and the picker, the return from the eID,
logout and the discovery document read only this registry. Adding an eID is a change in one app.

An eID says which level (acr) its logins give and which amr values they carry, which choices the
picker shows for it (MinID: one; smartcards: one per issuer with an active CA), where a login with
a choice starts (a URL that comes back to `return_to` when done), what login of its own this
browser has (the person, amr and auth_time), and how to end that login.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from idporten.models import LEVELS, LOA_HIGH, LOA_SUBSTANTIAL

__all__ = [
    "LEVELS",
    "LOA_HIGH",
    "LOA_SUBSTANTIAL",
    "Choice",
    "Eid",
    "HelpLink",
    "Login",
    "amr_values",
    "get",
    "latest_login",
    "log_out_all",
    "log_out_others",
    "offered",
    "register",
    "registered",
    "unregister",
]


@dataclass(frozen=True)
class Login:
    """A completed login with an eID in this browser, as ID-porten reads it."""

    identity_number: str
    acr: str
    amr: str
    auth_time: datetime


@dataclass(frozen=True)
class Choice:
    """One button in the picker: `slug` is "" for an eID with a single choice."""

    slug: str
    label: str
    description: str


@dataclass(frozen=True)
class HelpLink:
    label: str
    url: str


@dataclass(frozen=True)
class Eid:
    """One eID method. `login(request)` gives the browser's login with it (or None) without
    side effects beyond the eID's own session housekeeping; `start_url(choice_slug, return_to)`
    is where a login starts; `log_out(request)` ends the eID's own login in this browser."""

    name: str  # the registry key and the picker URL's segment: /velg/<reference>/<name>/[<choice>/]
    acr: str
    amr_values: Sequence[str]
    choices: Callable[[], Sequence[Choice]]
    start_url: Callable[[str, str], str]
    login: Callable[[object], "Login | None"]
    log_out: Callable[[object], None]
    help_links: Callable[[], Sequence[HelpLink]] = field(default=lambda: ())

    def __post_init__(self):
        if self.acr not in LEVELS:
            raise ValueError(f"{self.name}: unknown level {self.acr!r}")


_registry: dict[str, Eid] = {}


def register(eid: Eid) -> None:
    """Called from the eID app's AppConfig.ready(); registering the same name again replaces it."""
    _registry[eid.name] = eid


def unregister(name: str) -> None:
    """Withdraw an eID: the picker no longer offers it and its logins no longer count."""
    _registry.pop(name, None)


def registered() -> list[Eid]:
    """The registered eIDs, the lower level first (MinID before the smartcards), then in order of registration."""
    return sorted(_registry.values(), key=lambda eid: LEVELS.index(eid.acr))


def get(name: str) -> Eid | None:
    return _registry.get(name)


def meets(acr: str, requested: str) -> bool:
    """A login at a higher level also satisfies a request for a lower one."""
    return LEVELS.index(acr) >= LEVELS.index(requested)


def offered(requested_acr: str) -> list[tuple[Eid, list[Choice]]]:
    """The eIDs the picker shows for a request at `requested_acr`, each with its current choices."""
    found = []
    for eid in registered():
        if not meets(eid.acr, requested_acr):
            continue
        choices = list(eid.choices())
        if choices:
            found.append((eid, choices))
    return found


def amr_values() -> list[str]:
    """Every amr value a login through ID-porten may carry, for the discovery document."""
    return [value for eid in registered() for value in eid.amr_values]


def latest_login(request, since: datetime) -> Login | None:
    """The eID login made in this browser since `since`: the newest, and at equal times the higher level."""
    logins = [login for eid in registered() if (login := eid.login(request)) is not None]
    logins = [login for login in logins if login.auth_time >= since]
    return max(logins, key=lambda login: (login.auth_time, LEVELS.index(login.acr)), default=None)


def log_out_others(request, identity_number: str) -> None:
    """End every eID login in this browser that belongs to someone else than `identity_number`."""
    for eid in registered():
        login = eid.login(request)
        if login is not None and login.identity_number != identity_number:
            eid.log_out(request)


def log_out_all(request) -> None:
    """End this browser's login with every eID (ID-porten's single logout)."""
    for eid in registered():
        eid.log_out(request)
