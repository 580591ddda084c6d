"""Who may call the hosted integrasjonspunkt: a case system with HTTP Basic credentials made for its
organisation in the admin (Digdir's integrasjonspunkt supports HTTP Basic only, one user per
installation; Felles hosts many organisations, so it keeps one or more per organisation), or a
machine with a Maskinporten token carrying digitalpostinnbygger:send, the scope Digdir's DPI uses.
Failed Basic logins go to the audit trail, never the password."""

import base64
import binascii
from dataclasses import dataclass

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from core import audit
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
        if not credential.check_password(password):
            raise _refuse(request, username, "wrong_password")
        Credential.objects.filter(pk=credential.pk).update(last_used=timezone.now())
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
