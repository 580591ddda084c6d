"""ID-porten's one public module for Felles' own citizen services (the contact register's
self-service, the digital mailbox, signing), which log citizens in through ID-porten like any
service owner. Those apps import this module and nothing else of idporten (checked by the
import contracts in pyproject.toml): the service (idporten.services.first_party), the view
helpers (idporten.views.first_party) and the security levels they ask for."""

from idporten.models import LEVELS, LOA_HIGH, LOA_SUBSTANTIAL
from idporten.services.first_party import (
    CitizenLogin,
    FirstPartyService,
    auth_time,
    current_login,
    finish_login,
    logout_url,
    start_login,
)
from idporten.views.first_party import STEP_UP_LEVEL, citizen_page, login_url, login_views

__all__ = [
    "LEVELS",
    "LOA_HIGH",
    "LOA_SUBSTANTIAL",
    "STEP_UP_LEVEL",
    "CitizenLogin",
    "FirstPartyService",
    "auth_time",
    "citizen_page",
    "current_login",
    "finish_login",
    "login_url",
    "login_views",
    "logout_url",
    "start_login",
]
