"""Who may call the hosted integrasjonspunkt: a case system with HTTP Basic credentials made for its
organisation in the admin (Digdir's integrasjonspunkt supports HTTP Basic only, one user per
installation; Felles hosts many organisations, so it keeps one or more per organisation), or a
machine with a Maskinporten token carrying digitalpostinnbygger:send, the scope Digdir's DPI uses.
Failed Basic logins go to the audit trail, never the password; 20 wrong passwords in an hour lock a
username until the hour is over."""

import base64
import binascii
import time
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.crypto import salted_hmac
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from core import audit, throttle
from core.models import AuditEvent
from eformidling.models import Credential
from maskinporten.drf import Agency, HasScope, MaskinportenAuthentication
from virksomheter.models import ScopeGrant

SCOPE = ScopeGrant.Scope.DIGITAL_POST_SEND.value
REALM = "felles"


@dataclass(frozen=True)
class BasicUser:
    """A case system logged in with its organisation's credentials."""

    organisation_number: str
    username: str
    is_authenticated: bool = True
    is_anonymous: bool = False

    def __str__(self):
        return self.username


def _refuse(request, username: str, reason: str):
    audit.record(
        "eformidling.basic_auth_failed",
        actor=username[:200] or "anonymous",
        request=request,
        outcome=AuditEvent.Outcome.FAILURE,
        details={"reason": reason},
    )
    return exceptions.AuthenticationFailed("Bad credentials")


# A password checked once is taken again for a while without the slow hash (argon2 costs more CPU than
# the rest of a request): remembered per process under an HMAC of the password and the stored hash, so a
# changed password or a deactivated credential (read on every request) takes effect at once.
VERIFIED_SECONDS = 300
_verified: dict[str, float] = {}
# Wrong passwords per username, for every process: guessing stops long before it could succeed.
FAILURES = throttle.Rate.per_hour(20)
FAILURE_SCOPE = "eformidling.basic_auth"
LAST_USED_EVERY = timedelta(minutes=1)


def _fingerprint(credential: Credential, password: str) -> str:
    return salted_hmac("eformidling.basic", f"{credential.pk}:{credential.password}:{password}").hexdigest()


def _check(request, credential: Credential, password: str) -> None:
    fingerprint, clock = _fingerprint(credential, password), time.monotonic()
    if _verified.get(fingerprint, 0) > clock:
        return
    if throttle.exceeded(FAILURE_SCOPE, credential.username, FAILURES):
        raise _refuse(request, credential.username, "too_many_failures")
    if not credential.check_password(password):
        throttle.hit(FAILURE_SCOPE, credential.username, FAILURES)
        raise _refuse(request, credential.username, "wrong_password")
    if len(_verified) > 1000:
        _verified.clear()
    _verified[fingerprint] = clock + VERIFIED_SECONDS


class BasicAuthentication(BaseAuthentication):
    def authenticate(self, request):
        scheme, _, encoded = get_authorization_header(request).decode("latin-1").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            username, separator, password = (
                base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
            )
        except (binascii.Error, ValueError):
            raise _refuse(request, "", "malformed") from None
        if not separator:
            raise _refuse(request, username, "malformed")
        credential = (
            Credential.objects.select_related("organisation").filter(username=username, active=True).first()
        )
        if credential is None:
            Credential().set_password(password)  # the same work as for a known user: no timing oracle
            raise _refuse(request, username, "unknown_user")
        _check(request, credential, password)
        now = timezone.now()
        if credential.last_used is None or credential.last_used < now - LAST_USED_EVERY:
            Credential.objects.filter(pk=credential.pk).update(last_used=now)
        return BasicUser(credential.organisation.organisasjonsnummer, username), credential

    def authenticate_header(self, request):
        return f'Basic realm="{REALM}"'


class Caller(BasePermission):
    """Basic credentials, or a Maskinporten token with the DPI send scope."""

    def has_permission(self, request, view):
        if isinstance(request.user, BasicUser):
            return True
        if isinstance(request.user, Agency):
            view.required_scopes = [SCOPE]
            return HasScope().has_permission(request, view)
        return False


AUTHENTICATION = [BasicAuthentication, MaskinportenAuthentication]
