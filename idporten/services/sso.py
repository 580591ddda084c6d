"""Single sign-on sessions, consent to common public login, the citizen's logins, and
single logout (front-channel iframes and back-channel logout tokens)."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core import audit
from idporten import keys
from idporten.models import LEVELS, Authorization, Client, Consent, LoginEvent, SsoSession
from idporten.services.clients import get_client
from idporten.services.issuer import issuer
from idporten.services.tokens import ID_TOKEN_TYPE

SESSION_KEY = "idporten.sid"
# The SSO session current_session() found or start_session() made, kept on the request so that the
# steps of one request read it (and touch last_seen) once; ending any session forgets it.
_SEEN_IN_REQUEST = "_idporten_sso_session"
# last_seen is written when it is at least this old, not on every request of a login (the picker,
# consent page and its answer follow each other within seconds). The idle timeout counts from
# last_seen, so a session can end up to this much before its exact idle limit, never after it.
LAST_SEEN_RESOLUTION_SECONDS = 60


def current_session(request) -> SsoSession | None:
    """The browser's SSO session while it is within its idle and maximum lifetime."""
    sid = request.session.get(SESSION_KEY)
    if not sid:
        return None
    seen = getattr(request, _SEEN_IN_REQUEST, None)  # read or started earlier in this request
    if seen is not None and seen.sid == sid:
        return seen
    session = SsoSession.objects.filter(sid=sid, ended_at__isnull=True).first()
    now = timezone.now()
    if session is None:
        return None
    if (now - session.last_seen).total_seconds() > settings.IDPORTEN_SESSION_IDLE_SECONDS or (
        now - session.created
    ).total_seconds() > settings.IDPORTEN_SESSION_MAX_SECONDS:
        end_session(session, reason="timeout", issuer=issuer(request), request=request)
        return None
    if (now - session.last_seen).total_seconds() >= LAST_SEEN_RESOLUTION_SECONDS:
        SsoSession.objects.filter(pk=session.pk).update(last_seen=now)
        session.last_seen = now
    setattr(request, _SEEN_IN_REQUEST, session)
    return session


def meets(session: SsoSession | None, acr: str) -> bool:
    return session is not None and LEVELS.index(session.acr) >= LEVELS.index(acr)


def start_session(request, *, identity_number: str, acr: str, amr: str, auth_time) -> SsoSession:
    """A new SSO session after a completed eID login (a step-up replaces the old one)."""
    old = current_session(request)
    if old is not None:
        end_session(old, reason="replaced", issuer=issuer(request), request=request)
    now = timezone.now()
    session = SsoSession.objects.create(
        sid=secrets.token_urlsafe(24),
        identity_number=identity_number,
        acr=acr,
        amr=amr,
        auth_time=auth_time,
        last_seen=now,
    )
    request.session[SESSION_KEY] = session.sid
    setattr(request, _SEEN_IN_REQUEST, session)
    audit.record(
        "idporten.session_started",
        actor=identity_number,
        request=request,
        object_type="idporten.session",
        object_id=identity_number,
        details={"acr": acr, "amr": amr},
    )
    return session


def has_consent(identity_number: str) -> bool:
    return Consent.objects.filter(identity_number=identity_number, withdrawn_at__isnull=True).exists()


def give_consent(identity_number: str, *, request=None) -> None:
    """Consent is stored (and audited) once: the INSERT itself skips a person whose consent stands,
    rather than a SELECT before it."""
    if _insert_consent_unless_given(identity_number):
        audit.record(
            "idporten.consent_given",
            actor=identity_number,
            request=request,
            object_type="idporten.session",
            object_id=identity_number,
        )


def _insert_consent_unless_given(identity_number: str) -> bool:
    """INSERT ... SELECT ... WHERE NOT EXISTS: one statement for has_consent() and create(); True when a
    row was inserted."""
    table = connection.ops.quote_name(Consent._meta.db_table)
    given_at = Consent._meta.get_field("given_at").get_db_prep_value(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (identity_number, given_at, withdrawn_at) SELECT %s, %s, NULL "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE identity_number = %s AND withdrawn_at IS NULL)",
            [identity_number, given_at, identity_number],
        )
        return cursor.rowcount == 1


def withdraw_consent(identity_number: str, *, request=None) -> None:
    Consent.objects.filter(identity_number=identity_number, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
    audit.record(
        "idporten.consent_withdrawn",
        actor=identity_number,
        request=request,
        object_type="idporten.session",
        object_id=identity_number,
    )


def recent_logins(identity_number: str, limit: int = 50):
    return LoginEvent.objects.filter(identity_number=identity_number).order_by("-at")[:limit]


@dataclass(frozen=True)
class Logout:
    """What ending a session needs the browser to do: front-channel URIs to load."""

    frontchannel_uris: list[str]


@dataclass(frozen=True)
class LogoutHint:
    """What a valid id_token_hint tells: the client it was issued to and the session it was issued in."""

    client: Client
    sid: str


def logout_hint(token: str, *, issuer: str, client_id: str = "", request=None) -> LogoutHint | None:
    """The client and session named by an ID token this issuer gave a registered client, or None.

    Any other token Felles signs verifies with the same keys, so the token's kind is checked too:
    an access token (ID-porten's or Maskinporten's) is at+jwt with the issuer as audience, a logout
    token is logout+jwt with events and never a nonce (Back-Channel Logout 1.0 section 2.4). An
    expired ID token is still a hint (RP-Initiated Logout 1.0 section 2)."""
    if not token:
        return None
    try:
        claims = keys.verify(token, issuer=issuer, verify_exp=False, token_type=ID_TOKEN_TYPE)
    except keys.SigningError as error:
        reason = str(error)
        claims = None
    if claims is not None:
        audience, sid = claims.get("aud"), claims.get("sid")
        client = get_client(audience) if isinstance(audience, str) else None
        if "events" in claims or not isinstance(claims.get("nonce"), str) or not isinstance(sid, str):
            reason = "not an ID token"
        elif client is None:
            reason = "not issued to a registered client"
        elif client_id and client_id != client.client_id:
            reason = "issued to another client than client_id"
        else:
            return LogoutHint(client=client, sid=sid)
    audit.record(
        "idporten.logout_hint_refused",
        actor="unknown",
        request=request,
        outcome=audit.Outcome.DENIED,
        details={"reason": reason},
    )
    return None


def end_session(
    session: SsoSession,
    *,
    reason: str,
    issuer: str = "",
    request=None,
    frames_shown: bool = False,
    requested_by: Client | None = None,
) -> Logout:
    """End the session, revoke what every client got in it, and tell the clients: a recorded
    back-channel delivery per client that has a back-channel logout URI (sent and retried by
    idporten.services.logout), and the front-channel logout URIs for the browser. A caller that
    shows them now says `frames_shown`; otherwise the browser of `request` is owed them and is shown
    them on the next page of Felles it opens (a session ended by timeout or a step-up)."""
    from idporten.services import logout

    if request is not None:
        request.__dict__.pop(_SEEN_IN_REQUEST, None)
    with transaction.atomic():
        now = timezone.now()
        ended = SsoSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(
            ended_at=now, end_reason=reason[:20], frontchannel_shown_at=now if frames_shown else None
        )
        authorizations = Authorization.objects.filter(session=session).select_related("client")
        clients = sorted({a.client for a in authorizations}, key=lambda c: c.client_id)
        authorizations.filter(revoked_at__isnull=True).update(revoked_at=now)
        deliveries = logout.record_backchannel(session, clients, issuer=issuer) if ended and issuer else []
        details = {"reason": reason, "clients": [c.client_id for c in clients]}
        if requested_by is not None:
            details["requested_by"] = requested_by.client_id
        audit.record(
            "idporten.session_ended",
            actor=session.identity_number,
            request=request,
            object_type="idporten.session",
            object_id=session.identity_number,
            details=details,
        )
    logout.schedule(deliveries)
    frontchannel = [
        logout.frontchannel_uri(client, issuer=issuer, sid=session.sid)
        for client in clients
        if client.frontchannel_logout_uri and issuer
    ]
    if request is not None:
        if frontchannel and ended and not frames_shown:
            logout.owe_frontchannel(request, session)
        logout.forget_browser_session(request, session)
    return Logout(frontchannel_uris=frontchannel)
