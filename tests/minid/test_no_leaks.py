"""MinID leaks nothing (issue 13, point 2): the public pages answer every visitor alike, whoever
exists, has MinID or is locked; what only the citizen may know goes to what they registered.
And the self-service ends after 30 idle minutes and asks for the password again before deletion
or new contact details."""

import re
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import AuditEvent, OutboundSms
from minid.models import Login, MinidUser, PinLetter
from minid.tasks import make_ordered_letter
from tests.folkeregister.factories import make_person, unique_identity_number
from tests.minid.factories import PASSWORD, citizen, last_code_sent, registered_user

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "Feilpassord1"


def shown(response, *numbers: str) -> str:
    """The page as the visitor sees it, without what differs on every request (CSRF token, CSP
    nonce), the identity numbers typed in, and the code numbers drawn at random."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'nonce="[^"]*"', "", text)
    for number in numbers:
        text = text.replace(number, "FNR")
    return re.sub(r"pin_\d+|nr\. \d+", "N", text)


def lock(user) -> None:
    client = Client()
    for _ in range(5):
        client.post(
            "/minid/logg-inn/", {"fodselsnummer": user.person.identity_number, "password": "Feil12345"}
        )
    user.refresh_from_db()
    assert user.status == MinidUser.Status.LOCKED


def log_in(client, user, password=PASSWORD):
    return client.post(
        "/minid/logg-inn/", {"fodselsnummer": user.person.identity_number, "password": password}
    )


# A locked user


def test_locked_user_with_the_right_password_gets_the_wrong_password_answer():
    user, _letter, _codes = registered_user()
    lock(user)
    number = user.person.identity_number
    right = log_in(Client(), user, PASSWORD)
    wrong = log_in(Client(), user, WRONG_PASSWORD)
    unknown_number = unique_identity_number()
    unknown = Client().post("/minid/logg-inn/", {"fodselsnummer": unknown_number, "password": PASSWORD})
    assert right.status_code == wrong.status_code == unknown.status_code == 200
    assert shown(right, number) == shown(wrong, number) == shown(unknown, unknown_number)
    assert "Fødselsnummeret eller passordet er feil" in shown(right)
    assert not Login.objects.filter(user=user).exists()


def test_locked_user_answer_costs_one_password_check_like_any_other():
    user, _letter, _codes = registered_user()
    lock(user)
    from django.contrib.auth import hashers

    counted = mock.Mock(wraps=hashers.check_password)
    with (
        mock.patch("minid.services.accounts.check_password", counted),
        mock.patch("minid.services.login.check_password", counted),
    ):
        for password in (PASSWORD, WRONG_PASSWORD):
            counted.reset_mock()
            log_in(Client(), user, password)
            assert counted.call_count == 1, password
        counted.reset_mock()
        Client().post("/minid/logg-inn/", {"fodselsnummer": unique_identity_number(), "password": PASSWORD})
        assert counted.call_count == 1


def test_right_password_on_a_locked_user_is_counted_and_told_to_the_citizen_once():
    user, _letter, _codes = registered_user()
    lock(user)
    OutboundSms.objects.all().delete()
    mail.outbox.clear()
    log_in(Client(), user)
    sms = OutboundSms.objects.get(to=user.mobile)
    assert "sperret" in sms.text
    assert [m.to for m in mail.outbox] == [[user.email]]
    events = AuditEvent.objects.filter(object_id=user.person.identity_number)
    assert events.filter(action="minid.login_while_locked").count() == 1
    assert events.filter(action="minid.notice_locked").count() == 1
    user.refresh_from_db()
    assert user.failed_attempts == 6
    log_in(Client(), user)  # again within the hour: counted, but no second notice
    assert OutboundSms.objects.filter(to=user.mobile).count() == 1
    assert events.filter(action="minid.login_while_locked").count() == 2


def test_wrong_password_on_a_locked_user_sends_no_notice():
    user, _letter, _codes = registered_user()
    lock(user)
    OutboundSms.objects.all().delete()
    log_in(Client(), user, WRONG_PASSWORD)
    assert not OutboundSms.objects.exists()


# Registration


def _registration_cases():
    """(label, identity number, what the test keeps): everyone a stranger could type in."""
    dead = make_person(status="doed")
    no_address = make_person(residential_street="", residential_postal_code="", residential_postal_town="")
    no_letter, blocked, _codes = citizen()
    blocked.blocked_at = timezone.now()
    blocked.save()
    with_letter, _letter, _codes = citizen()
    user, _letter, _codes = registered_user()
    locked, _letter, _codes = registered_user()
    lock(locked)
    return [
        ("unknown", unique_identity_number()),
        ("dead", dead.identity_number),
        ("no address", no_address.identity_number),
        ("no valid letter", no_letter.identity_number),
        ("may register", with_letter.identity_number),
        ("registered", user.person.identity_number),
        ("locked", locked.person.identity_number),
    ]


def test_registration_step_one_goes_on_alike_for_everyone():
    seen = {}
    for label, number in _registration_cases():
        client = Client()
        response = client.post("/minid/registrer/", {"fodselsnummer": number})
        assert response.status_code == 302 and response.url == "/minid/registrer/pinkoder/", label
        codes_page = client.get(response.url)
        assert codes_page.status_code == 200, label
        assert len(re.findall(r'name="pin_\d+"', codes_page.content.decode())) == 2, label
        seen[label] = shown(codes_page, number)
    assert len(set(seen.values())) == 1, [label for label in seen if seen[label] != seen["unknown"]]


def test_registration_codes_without_a_letter_get_the_wrong_codes_answer():
    seen = {}
    for label, number in _registration_cases():
        client = Client()
        client.post("/minid/registrer/", {"fodselsnummer": number})
        response = client.post("/minid/registrer/pinkoder/", {f"pin_{n}": "12345" for n in range(1, 26)})
        assert response.status_code == 200, label
        seen[label] = shown(response, number)
    assert len(set(seen.values())) == 1, [label for label in seen if seen[label] != seen["unknown"]]
    assert MinidUser.objects.filter(status=MinidUser.Status.REGISTERING).count() == 0


def test_existing_user_trying_to_register_is_told_by_sms_and_email_and_nothing_changes():
    user, _letter, _codes = registered_user()
    OutboundSms.objects.all().delete()
    mail.outbox.clear()
    Client().post("/minid/registrer/", {"fodselsnummer": user.person.identity_number})
    assert OutboundSms.objects.filter(to=user.mobile).count() == 1
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert AuditEvent.objects.filter(
        action="minid.notice_registration_attempt", object_id=user.person.identity_number
    ).exists()
    user.refresh_from_db()
    assert user.status == MinidUser.Status.ACTIVE and user.password


def test_only_the_holder_of_the_letter_learns_the_user_exists():
    user, letter, codes = registered_user()
    client = Client()
    client.post("/minid/registrer/", {"fodselsnummer": user.person.identity_number})
    page = client.get("/minid/registrer/pinkoder/").content.decode()
    numbers = [int(n) for n in re.findall(r'name="pin_(\d+)"', page)]
    response = client.post("/minid/registrer/pinkoder/", {f"pin_{n}": codes[n] for n in numbers})
    assert response.url == "/minid/registrer/"
    assert "Du har allerede en MinID-bruker" in client.get(response.url).content.decode()
    assert client.get("/minid/registrer/profil/").url == "/minid/registrer/"
    password_before = user.password
    user.refresh_from_db()
    assert user.status == MinidUser.Status.ACTIVE and user.password == password_before


# Forgot password


def test_forgot_password_answers_alike_whoever_asks():
    cases = _registration_cases()
    seen_start, seen_rules, seen_codes = {}, {}, {}
    for label, number in cases:
        client = Client()
        response = client.post("/minid/glemt-passord/", {"fodselsnummer": number})
        assert response.url == "/minid/glemt-passord/nytt/", label
        seen_start[label] = shown(client.get(response.url), number)
        codes = {f"pin_{n}": "12345" for n in range(1, 26)}
        rules = client.post("/minid/glemt-passord/nytt/", {"password": "kort", "repeated": "kort", **codes})
        seen_rules[label] = shown(rules, number)
        wrong = client.post(
            "/minid/glemt-passord/nytt/", {"password": "Nyttpass77", "repeated": "Nyttpass77", **codes}
        )
        seen_codes[label] = shown(wrong, number)
    for seen in (seen_start, seen_rules, seen_codes):
        assert len(set(seen.values())) == 1, [label for label in seen if seen[label] != seen["unknown"]]
    assert "mellom 8 og 16 tegn" in seen_rules["unknown"]


# PIN letters


def test_ordering_a_letter_answers_alike_and_sends_only_to_a_real_address():
    cases = _registration_cases()
    letters_before = PinLetter.objects.count()
    for label, number in cases:
        client = Client(REMOTE_ADDR=f"192.0.2.{len(label)}")
        response = client.post("/minid/pinbrev/", {"fodselsnummer": number})
        assert response.status_code == 302 and response.url == "/minid/pinbrev/bestilt/", label
    made = PinLetter.objects.count() - letters_before
    assert (
        made == 4
    )  # no valid letter, may register, registered, locked: not unknown, dead or without address


def test_ordering_a_letter_answers_at_once_and_makes_the_letter_in_the_background(settings):
    """Making a letter renders a PDF: done while the visitor waits, the time of the answer would
    tell who exists (about a second against a few milliseconds)."""
    person, _letter, _codes = citizen()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    before = PinLetter.objects.count()
    unknown = unique_identity_number()
    for number in (person.identity_number, unknown):
        response = Client().post("/minid/pinbrev/", {"fodselsnummer": number})
        assert response.status_code == 302 and response.url == "/minid/pinbrev/bestilt/"
    assert PinLetter.objects.count() == before
    queued = DBTaskResult.objects.filter(task_path="minid.tasks.make_ordered_letter")
    assert sorted(r.args_kwargs["args"][0] for r in queued) == sorted([person.identity_number, unknown])
    requested = AuditEvent.objects.filter(action="minid.pin_letter_requested")
    assert {e.object_id for e in requested} == {person.identity_number, unknown}
    assert all(e.ip_address == "127.0.0.1" for e in requested)

    assert make_ordered_letter.call(unknown) is None
    assert make_ordered_letter.call(person.identity_number) is not None
    assert PinLetter.objects.count() == before + 1


def test_blocking_codes_answers_alike_for_a_wrong_code():
    seen = {}
    for label, number in _registration_cases():
        response = Client().post("/minid/pinbrev/sperr/", {"fodselsnummer": number, "code": "12345"})
        assert response.status_code == 200, label
        seen[label] = shown(response, number)
    assert len(set(seen.values())) == 1, [label for label in seen if seen[label] != seen["unknown"]]


# Self-service: idle timeout and the password again


@contextmanager
def later(seconds: int):
    moved = timezone.now() + timedelta(seconds=seconds)
    with mock.patch("django.utils.timezone.now", return_value=moved):
        yield


def logged_in(client):
    user, _letter, _codes = registered_user()
    response = log_in(client, user)
    assert client.post(response.url, {"code": last_code_sent(user, "mobile")}).url == "/minid/min-side/"
    return user


def test_selfservice_ends_after_thirty_minutes_without_a_request(client, settings):
    assert settings.MINID_SESSION_IDLE_SECONDS == 1800
    logged_in(client)
    with later(29 * 60):
        assert client.get("/minid/min-side/").status_code == 200
    with later(58 * 60):  # 29 minutes after the last request: still in
        assert client.get("/minid/min-side/").status_code == 200
    with later(58 * 60 + 31 * 60):
        response = client.get("/minid/min-side/")
    assert response.status_code == 302 and response.url.startswith("/minid/logg-inn/")
    assert "minid.user" not in client.session
    assert client.get("/minid/min-side/").url.startswith("/minid/logg-inn/")  # and it stays over


def test_idle_timeout_is_a_setting(client, settings):
    settings.MINID_SESSION_IDLE_SECONDS = 60
    logged_in(client)
    with later(61):
        assert client.get("/minid/min-side/").status_code == 302


def test_deletion_asks_for_the_password_again_after_a_few_minutes(client, settings):
    user = logged_in(client)
    with later(settings.MINID_REAUTH_SECONDS + 10):
        response = client.post("/minid/min-side/slett/", {"understood": "on"})
        assert response.status_code == 302
        assert response.url == "/minid/min-side/bekreft-passord/?next=%2Fminid%2Fmin-side%2Fslett%2F"
        assert MinidUser.objects.filter(pk=user.pk).exists()

        wrong = client.post(response.url, {"password": WRONG_PASSWORD, "next": "/minid/min-side/slett/"})
        assert wrong.status_code == 200
        user.refresh_from_db()
        assert user.failed_attempts == 1
        assert AuditEvent.objects.filter(
            action="minid.password_confirm_wrong", object_id=user.person.identity_number
        ).exists()
        assert client.post("/minid/min-side/slett/", {"understood": "on"}).url.startswith(
            "/minid/min-side/bekreft-passord/"
        )

        right = client.post(response.url, {"password": PASSWORD, "next": "/minid/min-side/slett/"})
        assert right.url == "/minid/min-side/slett/"
        assert client.post("/minid/min-side/slett/", {"understood": "on"}).url == "/minid/"
    assert not MinidUser.objects.filter(pk=user.pk).exists()


def test_new_contact_details_ask_for_the_password_again_and_send_nothing_before(client, settings):
    user = logged_in(client)
    OutboundSms.objects.all().delete()
    with later(settings.MINID_REAUTH_SECONDS + 10):
        response = client.post("/minid/min-side/kontakt/mobile/", {"action": "send", "value": "+4799887766"})
        assert response.url.startswith("/minid/min-side/bekreft-passord/")
        assert not OutboundSms.objects.exists()
        assert client.get("/minid/min-side/kontakt/email/").url.startswith("/minid/min-side/bekreft-passord/")
        client.post(response.url, {"password": PASSWORD, "next": "/minid/min-side/kontakt/mobile/"})
        client.post("/minid/min-side/kontakt/mobile/", {"action": "send", "value": "+4799887766"})
    assert OutboundSms.objects.filter(to="+4799887766").exists()
    user.refresh_from_db()
    assert user.mobile == "+4791234567"  # not changed until the code comes back


def test_within_a_few_minutes_of_the_password_nothing_more_is_asked(client):
    logged_in(client)
    with later(60):
        assert client.get("/minid/min-side/slett/").status_code == 200
        assert client.get("/minid/min-side/kontakt/mobile/").status_code == 200


def test_wrong_passwords_again_lock_the_user_and_end_the_login(client, settings):
    user = logged_in(client)
    with later(settings.MINID_REAUTH_SECONDS + 10):
        for _ in range(4):
            client.post("/minid/min-side/bekreft-passord/", {"password": WRONG_PASSWORD})
        response = client.post("/minid/min-side/bekreft-passord/", {"password": WRONG_PASSWORD})
        assert response.url == "/minid/sperret/"
        assert client.get("/minid/min-side/").url.startswith("/minid/logg-inn/")
    user.refresh_from_db()
    assert user.status == MinidUser.Status.LOCKED


def test_confirm_page_goes_back_only_to_this_site(client):
    logged_in(client)
    response = client.post(
        "/minid/min-side/bekreft-passord/", {"password": PASSWORD, "next": "https://evil.example.com/"}
    )
    assert response.url == "/minid/min-side/"


def test_locked_user_answer_does_the_same_work_for_the_right_and_a_wrong_password(settings):
    """The right password on a locked user used to send the notice inside the request, a few queries
    a wrong one did not make: a difference in time that told which guess was right."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user, _letter, _codes = registered_user()
    lock(user)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    counts = {}
    log_in(Client(), user, WRONG_PASSWORD)  # the first request of a process fills its caches
    for label, password in (("wrong", WRONG_PASSWORD), ("right", PASSWORD), ("wrong again", WRONG_PASSWORD)):
        client = Client()
        client.get("/minid/logg-inn/")
        with CaptureQueriesContext(connection) as queries:
            log_in(client, user, password)
        counts[label] = len(queries)
    assert counts["right"] == counts["wrong"] == counts["wrong again"], counts
