"""Back-channel logout deliveries (Back-Channel Logout 1.0) are recorded per client, with every
attempt's answer, and retried with backoff until delivered or given up; the operator sees them in
the admin and can retry them. The client is a real HTTP server on loopback that answers as told."""

import contextlib
import logging
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from jose import jwt

from core.models import AuditEvent
from idporten.models import BackchannelDelivery, Client, SsoSession
from idporten.services import logout
from tests.idporten.factories import Browser, client, logged_in, tokens, verified_claims
from tests.idporten.test_admin import ADD, error_codes, form_data

pytestmark = pytest.mark.django_db

ISSUER = "http://testserver"
POST_LOGOUT = "https://tjeneste.example.no/logged-out"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
BACKOFF = [10, 60, 300, 1800, 7200]


class Receiver:
    """A client's back-channel logout endpoint: answers each POST with the next planned answer
    (an HTTP status, or "hang" to answer only after the sender's timeout), then with `then`."""

    def __init__(self, url: str):
        self.url = url
        self.plan: list = []
        self.then = 200
        self.received: list[dict] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, also elsewhere


@pytest.fixture
def receiver(monkeypatch, settings):
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    settings.IDPORTEN_BACKCHANNEL_LOGOUT_TIMEOUT_SECONDS = 0.5
    # The receiver is on loopback, which only a developer's machine or a test bed may reach.
    settings.IDPORTEN_BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = True
    state = Receiver("")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state.requests.append(("GET", self.path))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self):
            state.requests.append(("POST", self.path))
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            if self.path != "/backchannel-logout":
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            state.received.append(parse_qs(body))
            answer = state.plan.pop(0) if state.plan else state.then
            if answer == "hang":
                time.sleep(1.5)
                answer = 200
            try:
                self.send_response(answer)
                if 300 <= answer < 400:
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass  # the sender gave up waiting

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/backchannel-logout"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def raw_server():
    """A TCP server on loopback that reads a request and then runs `answer(connection)`: for replies
    no HTTP server would send. Its URL (set `answer` first)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    state = {"answer": None, "stop": False, "connections": 0}

    def serve():
        while not state["stop"]:
            try:
                connection, _address = listener.accept()
            except TimeoutError:
                continue
            state["connections"] += 1
            with connection:
                connection.settimeout(5)
                request = b""
                with contextlib.suppress(OSError):  # the sender hung up
                    while b"\r\n\r\n" not in request:
                        request += connection.recv(4096) or b"\r\n\r\n"
                    state["answer"](connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{listener.getsockname()[1]}/backchannel-logout"
    yield state
    state["stop"] = True
    thread.join()
    listener.close()


def log_in_and_out(receiver, *, plan=(), then=200):
    """A citizen logs in to a client with a back-channel logout URI, and out again with an ID token hint."""
    receiver.plan, receiver.then = list(plan), then
    oidc_client, secret = client(backchannel_logout_uri=receiver.url)
    browser = Browser()
    session = logged_in(browser)
    id_token = tokens(browser, oidc_client, secret)["id_token"]
    browser.get("/idporten/endsession", {"id_token_hint": id_token, "post_logout_redirect_uri": POST_LOGOUT})
    return browser, oidc_client, session, id_token


def the_delivery() -> BackchannelDelivery:
    return BackchannelDelivery.objects.select_related("client").get()


def test_a_delivery_is_recorded_and_marked_delivered_on_2xx(receiver):
    browser, oidc_client, session, id_token = log_in_and_out(receiver)
    delivery = the_delivery()
    assert delivery.client == oidc_client
    assert delivery.sid == session.sid
    assert delivery.sub == jwt.get_unverified_claims(id_token)["sub"]
    assert delivery.issuer == ISSUER
    assert delivery.state == BackchannelDelivery.State.DELIVERED
    assert (delivery.attempts, delivery.last_status, delivery.last_error) == (1, 200, "")
    assert delivery.delivered_at == delivery.last_attempt_at is not None
    assert delivery.next_attempt_at is None
    token = receiver.received[0]["logout_token"][0]
    claims = verified_claims(browser, token, audience=oidc_client.client_id, issuer=ISSUER)
    assert claims["sid"] == session.sid
    assert session.identity_number not in str(BackchannelDelivery.objects.values().get())


def test_a_failed_delivery_is_retried_with_backoff_and_given_up_after_the_last_wait(receiver):
    log_in_and_out(receiver, then=500)
    delivery = the_delivery()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    waits = [delivery.next_attempt_at - delivery.last_attempt_at]
    while delivery.state == BackchannelDelivery.State.PENDING:
        # Not yet due: nothing is sent.
        assert logout.deliver_due(now=delivery.next_attempt_at - timedelta(seconds=1)) == {}
        due = delivery.next_attempt_at
        before = delivery.last_attempt_at
        logout.deliver_due(now=due)
        delivery.refresh_from_db()
        assert delivery.last_attempt_at > before  # the time of the answer, not the sweep's
        if delivery.next_attempt_at:
            waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
    assert waits == [timedelta(seconds=s) for s in BACKOFF]
    assert delivery.state == BackchannelDelivery.State.FAILED
    assert delivery.attempts == len(BACKOFF) + 1 == len(receiver.received)
    assert delivery.next_attempt_at is None
    failed = AuditEvent.objects.get(action="idporten.backchannel_logout_failed")
    assert failed.outcome == "failure"
    assert failed.details == {"client": delivery.client.client_id, "attempts": 6}
    # Given up: the sweep leaves it alone.
    assert logout.deliver_due(now=delivery.last_attempt_at + timedelta(days=1)) == {}


def test_a_delivery_succeeds_after_the_client_recovers(receiver):
    log_in_and_out(receiver, plan=[500, 503], then=200)
    delivery = the_delivery()
    for _ in range(2):
        assert logout.deliver_due(now=delivery.next_attempt_at) != {}
        delivery.refresh_from_db()
    assert delivery.state == BackchannelDelivery.State.DELIVERED
    assert (delivery.attempts, delivery.last_status) == (3, 200)
    tokens_sent = [form["logout_token"][0] for form in receiver.received]
    assert len({jwt.get_unverified_claims(token)["jti"] for token in tokens_sent}) == 3  # each one fresh


def test_a_client_that_does_not_answer_in_time_is_recorded_and_retried(receiver):
    log_in_and_out(receiver, plan=["hang"])
    delivery = the_delivery()
    assert delivery.state == BackchannelDelivery.State.PENDING
    assert delivery.last_status is None
    assert "timed out" in delivery.last_error
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(seconds=10)
    logout.deliver_due(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.state == BackchannelDelivery.State.DELIVERED


def test_an_unreachable_client_is_recorded(receiver):
    receiver.url = "http://127.0.0.1:9/backchannel-logout"  # discard port: nobody listens
    log_in_and_out(receiver)
    delivery = the_delivery()
    assert delivery.state == BackchannelDelivery.State.PENDING
    assert delivery.last_status is None
    assert delivery.last_error


def test_the_logs_name_no_person_or_session(receiver, caplog):
    caplog.set_level(logging.DEBUG)
    _browser, _oidc_client, session, id_token = log_in_and_out(receiver, then=500)
    assert "attempt 1 failed (HTTP 500)" in caplog.text
    for secret in (session.identity_number, session.sid, jwt.get_unverified_claims(id_token)["sub"]):
        assert secret not in caplog.text


def test_with_the_database_queue_a_retry_is_a_task_run_after_the_backoff(receiver, settings):
    settings.TASKS = DATABASE_TASKS
    log_in_and_out(receiver, then=500)
    delivery = the_delivery()
    assert delivery.attempts == 0  # queued in the same database, not sent inside the request
    first = DBTaskResult.objects.get(task_path="idporten.tasks.deliver_backchannel_logout")
    assert first.args_kwargs["args"] == [delivery.pk]
    first.task.func(*first.args_kwargs["args"])  # what a worker does
    delivery.refresh_from_db()
    retry = DBTaskResult.objects.exclude(pk=first.pk).get(status=TaskResultStatus.READY)
    assert retry.args_kwargs["args"] == [delivery.pk]
    assert retry.run_after == delivery.next_attempt_at == delivery.last_attempt_at + timedelta(seconds=10)


def test_the_sweep_delivers_what_a_lost_worker_left(receiver, settings):
    settings.TASKS = DATABASE_TASKS
    log_in_and_out(receiver)
    DBTaskResult.objects.all().delete()  # the queued task is lost
    call_command("deliver_backchannel_logouts", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert the_delivery().state == BackchannelDelivery.State.DELIVERED
    assert len(receiver.received) == 1


def test_a_delivery_in_progress_is_not_sent_twice(receiver):
    log_in_and_out(receiver, then=500)
    delivery = the_delivery()
    # A worker claims the delivery when due; the sweep at the same moment finds it taken.
    assert logout.deliver(delivery.pk, now=delivery.next_attempt_at) == "pending"
    assert logout.deliver(delivery.pk, now=delivery.next_attempt_at) == "pending"
    assert len(receiver.received) == 2  # the first attempt at logout, and one retry


# The admin


def test_the_admin_lists_failed_deliveries_and_retries_them(receiver, admin_client):
    log_in_and_out(receiver, then=500)
    delivery = the_delivery()
    BackchannelDelivery.objects.update(state=BackchannelDelivery.State.FAILED, next_attempt_at=None)
    changelist = reverse("admin:idporten_backchanneldelivery_changelist")
    page = admin_client.get(changelist, {"state__exact": "failed"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [delivery]
    assert admin_client.get(changelist, {"state__exact": "delivered"}).context["cl"].result_count == 0
    assert (
        admin_client.get(changelist, {"client__id__exact": delivery.client_id}).context["cl"].result_count
        == 1
    )

    receiver.then = 200
    response = admin_client.post(changelist, {"action": "retry_now", "_selected_action": [delivery.pk]})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == BackchannelDelivery.State.DELIVERED
    assert delivery.attempts == 2
    assert AuditEvent.objects.filter(action="idporten.backchannel_logout_retried").exists()


def test_the_admin_shows_a_delivery_read_only(receiver, admin_client):
    log_in_and_out(receiver)
    delivery = the_delivery()
    change = reverse("admin:idporten_backchanneldelivery_change", args=[delivery.pk])
    page = admin_client.get(change)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert admin_client.post(change, {"state": "pending"}).status_code == 403
    assert admin_client.get(reverse("admin:idporten_backchanneldelivery_add")).status_code == 403


def test_a_logout_queued_by_the_previous_version_is_recorded_and_delivered(receiver):
    from idporten.tasks import send_backchannel_logout

    oidc_client, _secret = client(backchannel_logout_uri=receiver.url)
    send_backchannel_logout.enqueue(oidc_client.pk, "old-sid", "01010112345", ISSUER)
    delivery = the_delivery()
    assert (delivery.sid, delivery.state, delivery.attempts) == ("old-sid", "delivered", 1)
    assert delivery.sub != "01010112345"  # the pairwise sub the client knows, not the identity number
    claims = jwt.get_unverified_claims(receiver.received[0]["logout_token"][0])
    assert (claims["sid"], claims["sub"]) == ("old-sid", delivery.sub)


# Redirects, internal addresses, broken answers


def test_a_redirect_is_not_followed_and_is_a_failed_attempt(receiver):
    log_in_and_out(receiver, plan=[302])
    delivery = the_delivery()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 302)
    assert "redirect not followed" in delivery.last_error
    assert delivery.delivered_at is None
    assert receiver.requests == [("POST", "/backchannel-logout")]  # /elsewhere never asked


def test_with_debug_off_a_uri_on_an_internal_address_is_refused(receiver, settings):
    assert settings.DEBUG is False
    settings.IDPORTEN_BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = False
    log_in_and_out(receiver)
    delivery = the_delivery()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, None)
    assert "non-public address (127.0.0.1)" in delivery.last_error
    assert receiver.requests == []  # never connected


def test_the_admin_refuses_internal_backchannel_logout_uris_with_debug_off(admin_client, settings):
    settings.IDPORTEN_BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = False
    for uri in (
        "https://127.0.0.1/logout",
        "https://localhost:8443/logout",
        "https://[::ffff:10.0.0.8]/l",
    ):
        response = admin_client.post(ADD, form_data(backchannel_logout_uri=uri))
        assert error_codes(response) == {"backchannel_logout_uri": ["internal_address"]}, uri
    # The browser loads the front-channel URI, never the server: an intranet address is the RP's affair.
    admin_client.post(ADD, form_data(frontchannel_logout_uri="https://10.0.0.8/logout"))
    assert Client.objects.get().frontchannel_logout_uri == "https://10.0.0.8/logout"
    Client.objects.all().delete()
    settings.IDPORTEN_BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = True
    response = admin_client.post(ADD, form_data(backchannel_logout_uri="https://127.0.0.1/logout"))
    assert response.status_code == 200
    assert Client.objects.get().backchannel_logout_uri == "https://127.0.0.1/logout"


def test_a_garbage_answer_is_a_failed_attempt_and_the_sweep_goes_on(receiver, raw_server, settings):
    raw_server["answer"] = lambda connection: connection.sendall(b"garbage\r\n\r\n")
    broken, _secret = client(name="Broken", backchannel_logout_uri=raw_server["url"])
    working, _secret = client(name="Working", backchannel_logout_uri=receiver.url)
    session = SsoSession(sid="sid-1", identity_number="01010112345")
    first, second = logout.record_backchannel(session, [broken, working], issuer=ISSUER)
    BackchannelDelivery.objects.filter(pk=first).update(next_attempt_at=timezone.now() - timedelta(minutes=1))
    assert logout.deliver_due() == {"pending": 1, "delivered": 1}
    broken_delivery = BackchannelDelivery.objects.get(pk=first)
    assert (broken_delivery.state, broken_delivery.attempts, broken_delivery.last_status) == (
        "pending",
        1,
        None,
    )
    assert broken_delivery.last_error
    assert broken_delivery.next_attempt_at - broken_delivery.last_attempt_at == timedelta(seconds=10)
    assert BackchannelDelivery.objects.get(pk=second).state == BackchannelDelivery.State.DELIVERED
    assert raw_server["connections"] == 1


# Claims


def test_an_attempt_started_with_a_stale_time_is_not_sent_again_at_once(receiver):
    log_in_and_out(receiver, then=500)
    delivery = the_delivery()
    long_ago = timezone.now() - timedelta(days=1)
    BackchannelDelivery.objects.update(next_attempt_at=long_ago)
    # A sweep that selected it long ago, then the queued task in real time.
    assert logout.deliver(delivery.pk, now=long_ago) == "pending"
    assert logout.deliver(delivery.pk) == "pending"
    assert len(receiver.received) == 2  # the attempt at logout, and one more: not two
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=50)  # 60 s after the answer


def test_an_answer_dripped_slowly_is_cut_off_at_the_total_deadline(raw_server, settings):
    settings.IDPORTEN_BACKCHANNEL_LOGOUT_TIMEOUT_SECONDS = 0.5
    settings.IDPORTEN_BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = True

    def drip(connection):
        connection.sendall(b"HTTP/1.1 200 OK\r\n")
        for _ in range(30):  # each byte well within the per-read timeout, 3 s in all
            time.sleep(0.1)
            connection.sendall(b"X")
        connection.sendall(b"-Slow: 1\r\nContent-Length: 0\r\n\r\n")

    raw_server["answer"] = drip
    oidc_client, _secret = client(backchannel_logout_uri=raw_server["url"])
    (delivery_id,) = logout.record_backchannel(
        SsoSession(sid="sid-1", identity_number="01010112345"), [oidc_client], issuer=ISSUER
    )
    started = time.monotonic()
    assert logout.deliver(delivery_id) == "pending"
    assert time.monotonic() - started < 1.5
    delivery = BackchannelDelivery.objects.get(pk=delivery_id)
    assert (delivery.attempts, delivery.last_status) == (1, None)
    assert "timed out" in delivery.last_error


# The previous version's queued task


def test_a_queued_logout_for_a_deleted_client_is_dropped(receiver):
    from idporten.tasks import send_backchannel_logout

    oidc_client, _secret = client(backchannel_logout_uri=receiver.url)
    pk = oidc_client.pk
    oidc_client.delete()
    assert send_backchannel_logout.call(pk, "old-sid", "01010112345", ISSUER) == ""
    assert not BackchannelDelivery.objects.exists()
    assert receiver.received == []


def test_a_queued_logout_for_a_client_without_a_back_channel_uri_is_dropped(receiver, caplog):
    from idporten.tasks import send_backchannel_logout

    caplog.set_level(logging.INFO)
    oidc_client, _secret = client(backchannel_logout_uri=receiver.url)
    Client.objects.filter(pk=oidc_client.pk).update(backchannel_logout_uri="")
    assert send_backchannel_logout.call(oidc_client.pk, "old-sid", "01010112345", ISSUER) == ""
    assert not BackchannelDelivery.objects.exists()
    assert receiver.received == []
    assert "dropped" in caplog.text
    assert "01010112345" not in caplog.text and "old-sid" not in caplog.text


# Who may retry


def staff_user(*permissions: str):
    user = get_user_model().objects.create_user(username="operator", password="x", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="idporten", codename__in=permissions)
    )
    browser = Browser()
    browser.force_login(user)
    return browser


def test_retry_now_needs_the_change_permission(receiver):
    log_in_and_out(receiver, then=500)
    delivery = the_delivery()
    BackchannelDelivery.objects.update(state=BackchannelDelivery.State.FAILED, next_attempt_at=None)
    receiver.then = 200
    changelist = reverse("admin:idporten_backchanneldelivery_changelist")
    retry = {"action": "retry_now", "_selected_action": [delivery.pk]}

    viewer = staff_user("view_backchanneldelivery")
    assert viewer.get(changelist).status_code == 200
    viewer.post(changelist, retry)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, len(receiver.received)) == ("failed", 1, 1)
    assert not AuditEvent.objects.filter(action="idporten.backchannel_logout_retried").exists()

    get_user_model().objects.all().delete()
    operator = staff_user("view_backchanneldelivery", "change_backchanneldelivery")
    assert operator.post(changelist, retry).status_code == 302
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, len(receiver.received)) == ("delivered", 2, 2)
    # Still nothing to edit on the delivery itself.
    change = reverse("admin:idporten_backchanneldelivery_change", args=[delivery.pk])
    assert operator.get(change).context["has_change_permission"] is False
    assert operator.post(change, {"state": "pending"}).status_code == 403
