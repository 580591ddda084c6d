"""The one throttle: atomic per key and window, expired counters purged, and the client address taken
from X-Forwarded-For only behind a trusted proxy."""

import io
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from core import throttle
from core.models import AuditEvent, ThrottleCounter
from core.net import client_address

RATE = throttle.Rate(limit=3, seconds=3600)


@pytest.mark.django_db
def test_a_key_gets_its_limit_and_no_more():
    answers = [throttle.hit("test", "key", RATE) for _ in range(5)]
    assert answers == [True, True, True, False, False]
    assert throttle.exceeded("test", "key", RATE)
    assert not throttle.exceeded("test", "other", RATE)
    assert throttle.hit("other-scope", "key", RATE)


@pytest.mark.django_db
def test_keys_are_not_stored_in_clear():
    throttle.hit("minid", "01017012345", RATE)
    assert not ThrottleCounter.objects.filter(digest__contains="01017012345").exists()


@pytest.mark.django_db
def test_a_new_window_starts_from_zero():
    for _ in range(3):
        throttle.hit("test", "key", RATE)
    later = timezone.now() + timedelta(hours=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert not throttle.exceeded("test", "key", RATE)
        assert throttle.hit("test", "key", RATE)


@pytest.mark.django_db
def test_the_housekeeping_job_removes_only_counters_whose_window_has_passed():
    throttle.hit("test", "old", throttle.Rate(1, 60))
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(minutes=2)):
        throttle.hit("test", "fresh", throttle.Rate(1, 60))
        call_command("purge_expired", stdout=io.StringIO())
        assert throttle.exceeded("test", "fresh", throttle.Rate(1, 60))
    assert ThrottleCounter.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_never_overshoot():
    """Twenty threads hit one key at once; exactly the limit gets through (the old token limiter read a
    stale count and let more through)."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memory"):
        pytest.skip("threads need a database file or server")
    rate = throttle.Rate(limit=5, seconds=3600)
    start = threading.Barrier(20)
    answers = []

    def worker():
        try:
            start.wait()
            answers.append(throttle.hit("race", "key", rate))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers.count(True) == 5
    assert ThrottleCounter.objects.get().count == 20


# The client address


def request_from(peer, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=peer, **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request_from("198.51.100.9", "203.0.113.5")) == "198.51.100.9"


def test_behind_a_trusted_proxy_the_client_is_the_address_it_saw(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(request_from("10.0.0.2", "203.0.113.5")) == "203.0.113.5"


def test_what_the_client_wrote_itself_is_not_believed(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The client sent "X-Forwarded-For: 192.0.2.1"; the proxy appended the address it really saw.
    assert client_address(request_from("10.0.0.2", "192.0.2.1, 203.0.113.5")) == "203.0.113.5"
    # Two trusted proxies in a row: the first untrusted address from the right.
    assert client_address(request_from("10.0.0.2", "192.0.2.1, 203.0.113.5, 10.0.0.3")) == "203.0.113.5"


def test_a_request_from_elsewhere_cannot_claim_an_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(request_from("198.51.100.9", "10.0.0.2")) == "198.51.100.9"


def test_garbage_in_the_header_stops_the_walk(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(request_from("10.0.0.2", "not-an-address")) == "10.0.0.2"
    assert client_address(request_from("10.0.0.2", "")) == "10.0.0.2"


@pytest.mark.django_db
def test_the_audit_trail_records_the_real_client(settings):
    from core import audit

    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    audit.record("test.event", actor="test", request=request_from("10.0.0.2", "203.0.113.5"))
    assert AuditEvent.objects.get(action="test.event").ip_address == "203.0.113.5"
