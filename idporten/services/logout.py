"""Logout towards the citizen and the clients: RP-initiated logout requests (RP-Initiated Logout
1.0), front-channel logout URIs (Front-Channel Logout 1.0), including the ones owed to a browser
whose session ended while it was elsewhere (timeout, step-up), and back-channel logout tokens
(Back-Channel Logout 1.0), each delivery recorded and retried with backoff until it is
delivered or given up."""

import contextlib
import http.client
import logging
import secrets
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from core import audit
from idporten import keys
from idporten.models import Authorization, BackchannelDelivery, Client, SsoSession
from idporten.services import addresses
from idporten.services.clients import get_client
from idporten.services.errors import OAuthError
from idporten.services.sso import SESSION_KEY, logout_hint
from idporten.services.tokens import pairwise_sub, redirect_with

logger = logging.getLogger(__name__)

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
# The sids of this browser's sessions that ended while it was not shown their front-channel frames.
OWED_KEY = "idporten.frontchannel_owed"
# Kept on the request once taken, so that a page asking twice gets the same frames and origins.
FRAMES_ATTRIBUTE = "_idporten_owed_frontchannel"


# RP-initiated logout


@dataclass(frozen=True)
class LogoutRequest:
    """A checked RP-initiated logout request: the client that sent it (if it said which), where to
    send the browser afterwards (a URI registered for that client, or ""), its state, and the
    session a valid id_token_hint names ("" without one)."""

    client: Client | None
    post_logout_redirect_uri: str
    state: str
    sid: str

    def destination(self) -> str:
        """The client's post-logout redirect URI with the state it sent (section 3), or ""."""
        if not self.post_logout_redirect_uri:
            return ""
        return redirect_with(self.post_logout_redirect_uri, state=self.state or None)


def logout_request(parameters: Mapping[str, str], *, issuer: str, request=None) -> LogoutRequest:
    """Check an RP-initiated logout request (RP-Initiated Logout 1.0 sections 2 to 4).

    The client is the one a valid id_token_hint was issued to, or without a hint the one client_id
    names. A hint that does not verify names no client (section 4: what fails validation is not
    used). An unknown client_id, or a post_logout_redirect_uri that is not registered for the client,
    is refused with an OAuthError that is shown, never redirected (section 3)."""
    token = parameters.get("id_token_hint", "")
    client_id = parameters.get("client_id", "")
    post_logout = parameters.get("post_logout_redirect_uri", "")
    hint = logout_hint(token, issuer=issuer, client_id=client_id, request=request)
    if hint is not None:
        client = hint.client
    elif client_id and not token:
        client = get_client(client_id)
        if client is None:
            _refuse("client_id is not a registered client.", client_id=client_id, request=request)
    else:
        client = None
    if post_logout and (client is None or post_logout not in client.post_logout_redirect_uris):
        _refuse(
            "post_logout_redirect_uri is not registered.",
            client_id=client.client_id if client else client_id,
            request=request,
        )
    return LogoutRequest(
        client=client,
        post_logout_redirect_uri=post_logout,
        state=parameters.get("state", ""),
        sid=hint.sid if hint is not None else "",
    )


def _refuse(description: str, *, client_id: str, request) -> None:
    audit.record(
        "idporten.logout_refused",
        actor="unknown",
        request=request,
        outcome=audit.Outcome.DENIED,
        object_type="idporten.client",
        object_id=client_id.replace("\x00", "\ufffd")[:100],
        details={"reason": description},
    )
    raise OAuthError("invalid_request", description, redirect=False)


def logout_declined(logout: LogoutRequest, *, request=None) -> None:
    """The citizen answered no: the session goes on (only a yes logs out, section 2)."""
    audit.record(
        "idporten.logout_declined",
        actor="citizen",
        request=request,
        object_type="idporten.client",
        object_id=logout.client.client_id if logout.client else "",
    )


# Front-channel logout


def frontchannel_uri(client: Client, *, issuer: str, sid: str) -> str:
    """The client's front-channel logout URI with iss and sid (Front-Channel Logout 1.0 section 2)."""
    uri = client.frontchannel_logout_uri
    separator = "&" if "?" in uri else "?"
    return f"{uri}{separator}iss={quote(issuer, safe='')}&sid={quote(sid, safe='')}"


def frame_origins(uris: Iterable[str]) -> list[str]:
    """The origins a page showing these frames must allow in its CSP frame-src."""
    return sorted({f"{urlsplit(uri).scheme}://{urlsplit(uri).netloc}" for uri in uris})


def owe_frontchannel(request, session: SsoSession) -> None:
    """Remember in the browser's session that it still has to show this ended session's frames."""
    owed = list(request.session.get(OWED_KEY, []))
    if session.sid not in owed:
        request.session[OWED_KEY] = [*owed, session.sid]


def take_owed_frontchannel(request, *, issuer: str) -> list[str]:
    """The front-channel logout URIs this browser is owed, once: the sessions are marked shown."""
    if hasattr(request, FRAMES_ATTRIBUTE):
        return getattr(request, FRAMES_ATTRIBUTE)
    uris: list[str] = []
    sids = request.session.pop(OWED_KEY, None) if hasattr(request, "session") else None
    if sids:
        sessions = list(
            SsoSession.objects.filter(
                sid__in=sids, ended_at__isnull=False, frontchannel_shown_at__isnull=True
            )
        )
        authorizations = (
            Authorization.objects.filter(session__in=sessions)
            .exclude(client__frontchannel_logout_uri="")
            .select_related("client", "session")
            .order_by("session__sid", "client__client_id")
        )
        seen = set()
        for authorization in authorizations:
            key = (authorization.session.sid, authorization.client_id)
            if key not in seen:
                seen.add(key)
                uris.append(
                    frontchannel_uri(authorization.client, issuer=issuer, sid=authorization.session.sid)
                )
        SsoSession.objects.filter(pk__in=[s.pk for s in sessions]).update(
            frontchannel_shown_at=timezone.now()
        )
    setattr(request, FRAMES_ATTRIBUTE, uris)
    return uris


def owed_frame_origins(request) -> list[str]:
    """The origins of the owed frames this request's page showed (none if it showed none)."""
    return frame_origins(getattr(request, FRAMES_ATTRIBUTE, []))


def forget_browser_session(request, session: SsoSession) -> None:
    if request.session.get(SESSION_KEY) == session.sid:
        request.session.pop(SESSION_KEY, None)


# Back-channel logout


def record_backchannel(session: SsoSession, clients: Iterable[Client], *, issuer: str) -> list[int]:
    """One pending delivery per client with a back-channel logout URI (call inside the transaction
    that ends the session); their ids, to hand to `schedule`."""
    now = timezone.now()
    deliveries = [
        BackchannelDelivery(
            client=client,
            sid=session.sid,
            sub=pairwise_sub(client, session.identity_number),
            issuer=issuer,
            next_attempt_at=now,
        )
        for client in clients
        if client.backchannel_logout_uri
    ]
    return [delivery.pk for delivery in BackchannelDelivery.objects.bulk_create(deliveries)]


def schedule(delivery_ids: Iterable[int], *, run_after: datetime | None = None) -> None:
    """Queue a delivery attempt for each. A backend that cannot defer (the immediate one) is not
    given retries: `deliver_due` (manage.py deliver_backchannel_logouts) sends them when due."""
    from idporten.tasks import deliver_backchannel_logout

    task = deliver_backchannel_logout
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=run_after)
    for delivery_id in delivery_ids:
        task.enqueue(delivery_id)


def _backoff(attempts: int) -> timedelta | None:
    """How long to wait after this many failed attempts, or None to give up."""
    steps = settings.IDPORTEN_BACKCHANNEL_LOGOUT_BACKOFF_SECONDS
    if attempts > len(steps):
        return None
    return timedelta(seconds=steps[attempts - 1])


def deliver(delivery_id: int, *, now: datetime | None = None) -> str:
    """One attempt to deliver, if the delivery is pending and due at `now` (the sweep's time of
    selection; default the present), by whoever claims it first: the queued task, the sweep, or the
    operator's retry. Returns the delivery's state afterwards.

    The claim is a compare-and-set on the attempts counter, with a lease from the present time that
    outlasts the POST's total deadline; the outcome is written only if the claim still holds, so an
    attempt whose lease was taken over cannot overwrite the later one."""
    due_at = now or timezone.now()
    delivery = BackchannelDelivery.objects.select_related("client").filter(pk=delivery_id).first()
    if delivery is None:
        return ""
    if delivery.state != BackchannelDelivery.State.PENDING or (
        delivery.next_attempt_at is not None and delivery.next_attempt_at > due_at
    ):
        return delivery.state
    attempt = delivery.attempts + 1
    lease = timedelta(seconds=settings.IDPORTEN_BACKCHANNEL_LOGOUT_TIMEOUT_SECONDS + 30)
    claimed = (
        BackchannelDelivery.objects.filter(
            pk=delivery_id, state=BackchannelDelivery.State.PENDING, attempts=delivery.attempts
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=due_at))
        .update(attempts=F("attempts") + 1, next_attempt_at=timezone.now() + lease)
    )
    if not claimed:
        return (
            BackchannelDelivery.objects.filter(pk=delivery_id).values_list("state", flat=True).first() or ""
        )
    status, error = _post(delivery)
    answered_at = timezone.now()
    outcome = {"last_attempt_at": answered_at, "last_status": status, "last_error": error[:500]}
    if status is not None and 200 <= status < 300:
        outcome |= {"state": BackchannelDelivery.State.DELIVERED, "delivered_at": answered_at}
        outcome["next_attempt_at"] = None
    else:
        wait = _backoff(attempt)
        if wait is None:
            outcome |= {"state": BackchannelDelivery.State.FAILED, "next_attempt_at": None}
        else:
            outcome["next_attempt_at"] = answered_at + wait
        logger.warning(
            "Back-channel logout delivery %s to %s: attempt %s failed (%s)",
            delivery.pk,
            delivery.client.client_id,
            attempt,
            f"HTTP {status}" if status is not None else error,
        )
    written = BackchannelDelivery.objects.filter(
        pk=delivery_id, state=BackchannelDelivery.State.PENDING, attempts=attempt
    ).update(**outcome)
    if not written:
        logger.warning(
            "Back-channel logout delivery %s: attempt %s outlasted its claim; its outcome is not recorded",
            delivery.pk,
            attempt,
        )
        return (
            BackchannelDelivery.objects.filter(pk=delivery_id).values_list("state", flat=True).first() or ""
        )
    for name, value in outcome.items():
        setattr(delivery, name, value)
    delivery.attempts = attempt
    if delivery.state == BackchannelDelivery.State.FAILED:
        audit.record(
            "idporten.backchannel_logout_failed",
            actor="idporten",
            outcome=audit.Outcome.FAILURE,
            obj=delivery,
            details={"client": delivery.client.client_id, "attempts": delivery.attempts},
        )
    elif delivery.state == BackchannelDelivery.State.PENDING:
        schedule([delivery.pk], run_after=delivery.next_attempt_at)
    return delivery.state


class _RefusedAddress(OSError):
    """The client's host resolves to an address the back-channel may not reach."""


class _GuardedConnectionMixin:
    """An HTTP(S) connection that connects only to the addresses it has vetted (so a name cannot
    resolve to a public address for the check and an internal one for the connection), and that is
    cut off at a total deadline: urllib's timeout applies to each socket operation, so an answer
    dripped a byte at a time would otherwise hold the attempt past its claim."""

    def __init__(self, *args, deadline: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline
        self.expired = False
        self._create_connection = self._connect_vetted
        self._watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), self._expire)
        self._watchdog.daemon = True
        self._watchdog.start()

    def _connect_vetted(self, address, timeout, source_address=None):
        host, port = address
        infos = addresses.resolve(host, port)
        if not addresses.private_addresses_allowed():
            refused = sorted({info[4][0] for info in infos if not addresses.is_public(info[4][0])})
            if refused:
                raise _RefusedAddress(
                    f"refused: {host} resolves to a non-public address ({', '.join(refused)}); "
                    "back-channel logout is not sent to internal addresses"
                )
        last_error: OSError = OSError(f"{host} resolves to no address")
        for family, kind, proto, _name, sockaddr in infos:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("timed out")
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(min(timeout, remaining))
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                return sock
            except OSError as error:
                sock.close()
                last_error = error
        raise last_error

    def _expire(self):
        self.expired = True
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)  # wakes a blocked read, TLS or not

    def stop_watchdog(self):
        self._watchdog.cancel()


class _GuardedHTTPConnection(_GuardedConnectionMixin, http.client.HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, http.client.HTTPSConnection):
    pass


class _BackchannelHandler(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    """Opens http and https through the guarded connections, each with the attempt's deadline."""

    def __init__(self, deadline: float):
        urllib.request.HTTPHandler.__init__(self)
        self._context = ssl.create_default_context()
        self.deadline = deadline
        self.connections: list[_GuardedConnectionMixin] = []

    def _connection(self, connection_class, *args, **kwargs):
        connection = connection_class(*args, deadline=self.deadline, **kwargs)
        self.connections.append(connection)
        return connection

    def http_open(self, req):
        return self.do_open(lambda *a, **kw: self._connection(_GuardedHTTPConnection, *a, **kw), req)

    def https_open(self, req):
        return self.do_open(
            lambda *a, **kw: self._connection(_GuardedHTTPSConnection, *a, **kw), req, context=self._context
        )

    http_request = urllib.request.AbstractHTTPHandler.do_request_
    https_request = urllib.request.AbstractHTTPHandler.do_request_


def _opener(handler: _BackchannelHandler) -> urllib.request.OpenerDirector:
    """No redirect handler (a 3xx is an answer, not followed: Back-Channel Logout 1.0 section 2.8
    wants the POST itself answered, and following would send the server elsewhere) and no proxy."""
    opener = urllib.request.OpenerDirector()
    for each in (
        urllib.request.UnknownHandler(),
        handler,
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(each)
    return opener


def _post(delivery: BackchannelDelivery) -> tuple[int | None, str]:
    """POST a freshly signed logout token (section 2.4); the HTTP status, or None and what went wrong.
    Only a 2xx counts as delivered (section 2.8); the whole exchange must end within the timeout."""
    client = delivery.client
    now = int(time.time())
    token = keys.sign(
        {
            "iss": delivery.issuer,
            "aud": client.client_id,
            "iat": now,
            "exp": now + 120,
            "jti": secrets.token_urlsafe(16),
            "sid": delivery.sid,
            "sub": delivery.sub,
            "events": {LOGOUT_EVENT: {}},
        },
        algorithm=client.id_token_signed_response_alg,
        token_type="logout+jwt",
    )
    timeout = settings.IDPORTEN_BACKCHANNEL_LOGOUT_TIMEOUT_SECONDS
    handler = _BackchannelHandler(deadline=time.monotonic() + timeout)
    timed_out = f"timed out (no complete answer within {timeout} s)"
    try:
        request = urllib.request.Request(  # noqa: S310 (the client's registered https/http URI)
            client.backchannel_logout_uri,
            data=urllib.parse.urlencode({"logout_token": token}).encode(),
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        with _opener(handler).open(request, timeout=timeout) as response:
            status, error = response.status, ""
    except urllib.error.HTTPError as answer:
        answer.close()
        status, error = answer.code, ""
        if 300 <= answer.code < 400:
            error = f"HTTP {answer.code}: redirect not followed (the POST itself must be answered with 2xx)"
    except urllib.error.URLError as failure:
        status, error = None, str(failure.reason) or type(failure.reason).__name__
    except (TimeoutError, OSError, http.client.HTTPException, ValueError) as failure:
        status, error = None, str(failure) or type(failure).__name__
    finally:
        for connection in handler.connections:
            connection.stop_watchdog()
    if any(connection.expired for connection in handler.connections):
        return None, timed_out
    return status, error


def deliver_due(now: datetime | None = None) -> dict[str, int]:
    """Attempt every pending delivery that is due at `now` (also those whose queued task was lost,
    as when a worker died in the middle of one); how many ended in each state ("error" for an
    attempt that broke, which does not stop the others)."""
    now = now or timezone.now()
    due = BackchannelDelivery.objects.filter(state=BackchannelDelivery.State.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    counts: dict[str, int] = {}
    for delivery_id in list(due.order_by("next_attempt_at").values_list("pk", flat=True)):
        try:
            state = deliver(delivery_id, now=now)
        except Exception as error:  # noqa: BLE001 (one broken delivery must not stop the sweep)
            logger.error(  # noqa: TRY400 (no traceback: it could carry the token or the client's answer)
                "Back-channel logout delivery %s: the attempt broke (%s)", delivery_id, type(error).__name__
            )
            state = "error"
        counts[state] = counts.get(state, 0) + 1
    return counts


def retry_now(deliveries, *, request=None) -> int:
    """The operator's "retry now": pending again and due at once, one more attempt queued each."""
    ids = [d.pk for d in deliveries if d.state != BackchannelDelivery.State.DELIVERED]
    BackchannelDelivery.objects.filter(pk__in=ids).update(
        state=BackchannelDelivery.State.PENDING, next_attempt_at=timezone.now()
    )
    for delivery in BackchannelDelivery.objects.filter(pk__in=ids).select_related("client"):
        audit.record(
            "idporten.backchannel_logout_retried", request=request, obj=delivery,
            details={"client": delivery.client.client_id},
        )  # fmt: skip
    schedule(ids)
    return len(ids)
