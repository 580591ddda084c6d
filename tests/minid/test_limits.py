"""MinID's limits: per person first, per real client address second (behind a trusted proxy), codes
and notices capped per person and hour, PIN-letter orders capped per person and per address."""

import pytest
from django.test import Client

from core.models import AuditEvent, OutboundSms
from minid import services
from minid.models import CodeChannel, Login, PinLetter
from tests.folkeregister.factories import make_person, unique_identity_number
from tests.minid.factories import PASSWORD, registered_user

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


def through_proxy(citizen_address: str) -> Client:
    """A browser whose requests reach Felles through the TLS proxy, as in production."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=citizen_address)


def wrong_password(client, identity_number=None):
    number = identity_number or unique_identity_number()
    return client.post("/minid/logg-inn/", {"fodselsnummer": number, "password": "Feil12345"})


def test_one_guesser_behind_the_proxy_does_not_lock_out_everyone_else(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.MINID_IP_MAX_FAILURES = 3
    guesser = through_proxy("203.0.113.66")
    for _ in range(4):
        response = wrong_password(guesser)
    assert "For mange mislykkede forsøk" in response.content.decode()

    user, _letter, _codes = registered_user()
    citizen = through_proxy("198.51.100.7")
    response = citizen.post(
        "/minid/logg-inn/", {"fodselsnummer": user.person.identity_number, "password": PASSWORD}
    )
    assert response.status_code == 302 and "/minid/logg-inn/kode/" in response.url


def test_a_forged_forwarded_header_does_not_escape_the_limit(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.MINID_IP_MAX_FAILURES = 3
    for n in range(4):
        # Straight to the server, not through the proxy: the header is the guesser's own invention.
        response = wrong_password(Client(REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"))
    assert "For mange mislykkede forsøk" in response.content.decode()


def test_guesses_at_one_person_from_many_addresses_are_limited_per_person(settings):
    settings.MINID_PERSON_MAX_FAILURES = 3
    number = unique_identity_number()
    for n in range(3):
        wrong_password(Client(REMOTE_ADDR=f"192.0.2.{n}"), number)
    response = wrong_password(Client(REMOTE_ADDR="192.0.2.99"), number)
    assert "For mange mislykkede forsøk" in response.content.decode()
    # Another person from the same address is not held back by it.
    response = wrong_password(Client(REMOTE_ADDR="192.0.2.99"))
    assert "For mange mislykkede forsøk" not in response.content.decode()


def test_login_codes_by_sms_are_capped_per_person_and_hour(client, settings):
    settings.MINID_MESSAGES_PER_HOUR = 3
    user, _letter, _codes = registered_user()
    sent_before = OutboundSms.objects.filter(to=user.mobile).count()
    response = client.post(
        "/minid/logg-inn/", {"fodselsnummer": user.person.identity_number, "password": PASSWORD}
    )
    for _ in range(5):
        response = client.post("/minid/logg-inn/ny-kode/", follow=True)
    assert "Vi har sendt deg mange koder og meldinger på kort tid" in response.content.decode()
    assert OutboundSms.objects.filter(to=user.mobile).count() - sent_before <= 3
    refused = AuditEvent.objects.filter(action="minid.message_refused", object_id=user.person.identity_number)
    assert refused.filter(outcome="denied").exists()


def test_codes_to_a_new_contact_count_against_the_same_cap(settings):
    user, _letter, _codes = registered_user(email="")  # one code sent to verify the mobile
    settings.MINID_MESSAGES_PER_HOUR = 3
    sent_before = OutboundSms.objects.count()
    services.request_contact_change(user, "mobile", "+4791111111")
    services.request_contact_change(user, "mobile", "+4792222222")
    with pytest.raises(services.MinidError):
        services.request_contact_change(user, "mobile", "+4793333333")
    assert not OutboundSms.objects.filter(to="+4793333333").exists()
    assert OutboundSms.objects.count() - sent_before <= 2


def order_letter(client, identity_number):
    return client.post("/minid/pinbrev/", {"fodselsnummer": identity_number}, follow=True)


def test_letters_to_one_person_are_capped_per_day(settings):
    settings.MINID_LETTERS_PER_PERSON_PER_DAY = 2
    person = make_person()
    for n in range(4):
        order_letter(Client(REMOTE_ADDR=f"192.0.2.{n}"), person.identity_number)
    assert PinLetter.objects.filter(person=person).count() == 2
    assert AuditEvent.objects.filter(
        action="minid.pin_letter_refused", object_id=person.identity_number, outcome="denied"
    ).exists()


def test_orders_from_one_address_are_capped_per_day(client, settings):
    settings.MINID_LETTER_ORDERS_PER_ADDRESS_PER_DAY = 3
    people = [make_person() for _ in range(4)]
    for person in people[:3]:
        order_letter(client, person.identity_number)
    response = order_letter(client, people[3].identity_number)
    assert "Det er bestilt mange PIN-brev fra nettverket ditt i dag" in response.content.decode()
    assert not PinLetter.objects.filter(person=people[3]).exists()
    assert PinLetter.objects.filter(person__in=people[:3]).count() == 3


def test_guessing_on_the_blocking_page_never_blocks_a_strangers_letter(settings):
    """Five wrong codes used to block the letter: anyone could cut a stranger off from their PIN codes."""
    settings.MINID_BLOCK_ATTEMPTS_PER_PERSON_PER_DAY = 5
    user, letter, codes = registered_user(channel=CodeChannel.PIN)
    for n in range(7):
        response = Client(REMOTE_ADDR=f"192.0.2.{n}").post(
            "/minid/pinbrev/sperr/", {"fodselsnummer": user.person.identity_number, "code": "00000"}
        )
    assert "For mange mislykkede forsøk" in response.content.decode()
    letter.refresh_from_db()
    assert not letter.is_blocked
    login = services.start_login(user.person.identity_number, PASSWORD)
    assert services.complete_login(login, codes[login.pin_number]).completed_at is not None


def test_blocking_with_a_code_from_the_letter_in_use_blocks_a_newer_letter_too(client):
    user, letter, codes = registered_user(channel=CodeChannel.PIN)
    newer = services.order_pin_letter(user.person.identity_number, ordered_by="someone else")
    used = set(letter.codes.filter(used_at__isnull=False).values_list("number", flat=True))
    code = next(code for number, code in codes.items() if number not in used)
    response = client.post(
        "/minid/pinbrev/sperr/", {"fodselsnummer": user.person.identity_number, "code": code}
    )
    assert response.status_code == 302
    for blocked in (letter, newer):
        blocked.refresh_from_db()
        assert blocked.is_blocked
    assert services.start_login(user.person.identity_number, PASSWORD).method == Login.Method.SMS


def test_a_lock_made_while_the_password_was_being_checked_holds():
    """Guesses in parallel: while this request hashes the right password, the others' wrong ones lock
    the user. The answer must be the wrong-password one, or the lock leaks which guess was right."""
    from unittest import mock

    from minid.services import accounts

    user, _letter, _codes = registered_user()

    def checked_while_others_lock(candidate, password):
        for _ in range(5):
            accounts.count_failure(
                candidate.__class__.objects.get(pk=candidate.pk), request=None, action="test"
            )
        return accounts.password_matches(candidate, password)

    with (
        mock.patch("minid.services.login.password_matches", checked_while_others_lock),
        pytest.raises(services.InvalidCredentials),
    ):
        services.start_login(user.person.identity_number, PASSWORD)
    assert not Login.objects.filter(user=user).exists()


@pytest.mark.parametrize("page", ["/minid/registrer/", "/minid/glemt-passord/"])
def test_pages_that_ask_for_pin_codes_start_a_few_times_a_day_for_anyone(settings, page):
    """Many starts with one number would show which codes its holder has used; the limit is the same
    for a registered person and for a number no one has."""
    settings.MINID_STARTS_PER_PERSON_PER_DAY = 3
    user, _letter, _codes = registered_user()
    answers = {}
    for label, number in (("registered", user.person.identity_number), ("unknown", unique_identity_number())):
        for n in range(4):
            response = Client(REMOTE_ADDR=f"192.0.2.{n}").post(page, {"fodselsnummer": number}, follow=True)
        answers[label] = (
            "Dette er startet mange ganger i dag med dette fødselsnummeret" in response.content.decode()
        )
    assert answers == {"registered": True, "unknown": True}
