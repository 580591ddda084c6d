"""Who may call the hosted integrasjonspunkt: a case system with HTTP Basic credentials made for its
organisation in the admin (Digdir's integrasjonspunkt supports HTTP Basic only, one user per
installation; Felles hosts many organisations, so it keeps one or more per organisation), or a
machine with a Maskinporten token carrying digitalpostinnbygger:send, the scope Digdir's DPI uses.
Failed Basic logins go to the audit trail, never the password; 20 wrong passwords in an hour lock a
username for the client address they came from until the hour is over (1000 for every address), and
100 failures from one address, unknown usernames included, stop its attempts for the hour. The
organisation must hold the send grant for either way in."""

import base64
import binascii
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.crypto import salted_hmac
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from core import audit, throttle
from core.models import AuditEvent
from core.net import client_address
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
    # Whether the organisation holds the send grant now (a Maskinporten token loses it as well).
    granted: bool = True
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
# Failed logins, counted for every process. A username is locked for one client address after 20 wrong
# passwords (guessing stops long before it could succeed) but for everyone only after many more, so that
# one guesser cannot stop a whole agency's sending; failures from one address, unknown usernames
# included, are throttled before any password is hashed.
FAILURES = throttle.Rate.per_hour(20)
FAILURE_SCOPE = "eformidling.basic_auth"
USERNAME_FAILURES = throttle.Rate.per_hour(1000)
USERNAME_SCOPE = "eformidling.basic_auth.username"
ADDRESS_FAILURES = throttle.Rate.per_hour(100)
ADDRESS_SCOPE = "eformidling.basic_auth.address"
LAST_USED_EVERY = timedelta(minutes=1)


def _fingerprint(credential: Credential, password: str) -> str:
    return salted_hmac("eformidling.basic", f"{credential.pk}:{credential.password}:{password}").hexdigest()


def _limits(username: str | None, address: str) -> list[tuple[str, str, throttle.Rate]]:
    limits = [(ADDRESS_SCOPE, address, ADDRESS_FAILURES)]
    if username is not None:
        limits += [
            (FAILURE_SCOPE, f"{username}\x1f{address}", FAILURES),
            (USERNAME_SCOPE, username, USERNAME_FAILURES),
        ]
    return limits


def _failed(request, username: str, address: str, reason: str, *, known: bool):
    for scope, key, rate in _limits(username if known else None, address):
        throttle.hit(scope, key, rate)
    return _refuse(request, username, reason)


def _check(request, credential: Credential, password: str, address: str) -> None:
    fingerprint, clock = _fingerprint(credential, password), time.monotonic()
    if _verified.get(fingerprint, 0) > clock:
        return
    if throttle.any_exceeded(_limits(credential.username, address)):
        raise _refuse(request, credential.username, "too_many_failures")
    if not credential.check_password(password):
        raise _failed(request, credential.username, address, "wrong_password", known=True)
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
        # The organisation's send grant comes with the credential, in the same query: taken away, it
        # stops Basic as it revokes the organisation's Maskinporten tokens.
        credential = (
            Credential.objects.select_related("organisation")
            .annotate(
                granted=Exists(ScopeGrant.objects.filter(organisation=OuterRef("organisation"), scope=SCOPE))
            )
            .filter(username=username, active=True)
            .first()
        )
        address = client_address(request) or "unknown"
        if credential is None:
            if throttle.any_exceeded(_limits(None, address)):
                raise _refuse(request, username, "too_many_failures")
            Credential().set_password(password)  # the same work as for a known user: no timing oracle
            raise _failed(request, username, address, "unknown_user", known=False)
        _check(request, credential, password, address)
        now = timezone.now()
        if credential.last_used is None or credential.last_used < now - LAST_USED_EVERY:
            Credential.objects.filter(pk=credential.pk).update(last_used=now)
        return BasicUser(
            credential.organisation.organisasjonsnummer, username, credential.granted
        ), credential

    def authenticate_header(self, request):
        return f'Basic realm="{REALM}"'


class Caller(BasePermission):
    """Basic credentials, or a Maskinporten token with the DPI send scope."""

    def has_permission(self, request, view):
        if isinstance(request.user, BasicUser):
            return request.user.granted
        if isinstance(request.user, Agency):
            view.required_scopes = [SCOPE]
            return HasScope().has_permission(request, view)
        return False


AUTHENTICATION = [BasicAuthentication, MaskinportenAuthentication]
