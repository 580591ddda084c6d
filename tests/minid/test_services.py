import re

import pytest
from django.core import mail

from core.models import AuditEvent, OutboundSms
from minid import services
from minid.models import CodeChannel, Login, MinidUser, PinLetter
from tests.folkeregister.factories import unique_identity_number
from tests.minid.factories import PASSWORD, citizen, last_code_sent, read_codes, registered_user, unused_code

pytestmark = pytest.mark.django_db


def test_pin_letter_has_25_numbered_codes_stored_only_as_hashes():
    person, letter, codes = citizen()
    assert sorted(codes) == list(range(1, 26))
    stored = list(letter.codes.values_list("code_hash", flat=True))
    assert len(stored) == 25
    assert not set(codes.values()) & set(stored)
    assert letter.print_status == PinLetter.PrintStatus.QUEUED
    assert AuditEvent.objects.filter(
        action="minid.pin_letter_ordered", object_id=person.identity_number
    ).exists()


def test_letter_to_a_protected_address_is_held_without_an_address():
    person, letter, _codes = citizen(address_protection="strengt_fortrolig")
    assert letter.print_status == PinLetter.PrintStatus.HELD
    assert AuditEvent.objects.filter(action="minid.pin_letter_held").exists()
    letter.pdf.open("rb")
    from pypdf import PdfReader

    text = PdfReader(letter.pdf).pages[0].extract_text()
    assert "Storgata" not in text and "0150" not in text


def test_registration_login_with_sms_and_logout_chain():
    user, letter, codes = registered_user()
    assert user.status == MinidUser.Status.ACTIVE

    login = services.start_login(user.person.identity_number, PASSWORD)
    assert login.method == Login.Method.SMS
    completed = services.complete_login(login, last_code_sent(user, "mobile"))
    assert completed.completed_at is not None
    user.refresh_from_db()
    assert user.last_login_at is not None


def test_login_with_pin_code_uses_the_code_once():
    user, letter, codes = registered_user(channel=CodeChannel.PIN)
    login = services.start_login(user.person.identity_number, PASSWORD)
    assert login.method == Login.Method.PIN
    code = codes[login.pin_number]
    services.complete_login(login, code)

    again = services.start_login(user.person.identity_number, PASSWORD)
    again.pin_number = login.pin_number
    again.save()
    with pytest.raises(services.CodeRejected):
        services.complete_login(again, code)


def test_five_wrong_passwords_lock_the_user_and_a_new_letter_unlocks():
    user, letter, codes = registered_user()
    for _ in range(5):
        with pytest.raises(services.InvalidCredentials):
            services.start_login(user.person.identity_number, "Feil12345")
    with pytest.raises(services.InvalidCredentials):  # locked: the right password is "wrong" too
        services.start_login(user.person.identity_number, PASSWORD)

    new_letter = services.order_pin_letter(user.person.identity_number, ordered_by="test")
    new_codes = read_codes(new_letter)
    letter_id, numbers = services.start_password_reset(user.person.identity_number)
    services.reset_password(
        user.person.identity_number,
        {n: new_codes[n] for n in numbers},
        letter_id=letter_id,
        password="Nyttpass99",
        repeated="Nyttpass99",
    )
    login = services.start_login(user.person.identity_number, "Nyttpass99")
    assert login.user.status == MinidUser.Status.ACTIVE
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"minid.user_locked", "minid.user_unlocked", "minid.password_reset"} <= actions


def test_unknown_person_gets_the_same_answer_as_a_wrong_password():
    user, _letter, _codes = registered_user()
    with pytest.raises(services.InvalidCredentials) as unknown:
        services.start_login(unique_identity_number(), PASSWORD)
    with pytest.raises(services.InvalidCredentials) as wrong:
        services.start_login(user.person.identity_number, "Feil12345")
    assert unknown.value.message == wrong.value.message


def test_contact_change_is_verified_and_the_old_address_is_told():
    user, _letter, _codes = registered_user()
    mail.outbox.clear()
    value = services.request_contact_change(user, "email", "Ny@Example.no")
    assert value == "ny@example.no"
    body = next(m.body for m in mail.outbox if "ny@example.no" in m.to)
    services.confirm_contact_change(user, "email", value, re.search(r"\b([A-Z2-9]{5})\b", body).group(1))
    user.refresh_from_db()
    assert user.email == "ny@example.no"
    assert any("kari@example.no" in m.to for m in mail.outbox)


def test_declining_consent_deletes_the_registration():
    person, letter, codes = citizen()
    start = services.start_registration(person.identity_number)
    services.confirm_registration_codes(
        person.identity_number, start.letter_id, {n: codes[n] for n in start.numbers}
    )
    user = services.create_profile(
        person, password=PASSWORD, repeated=PASSWORD, mobile="91234567", email="", channel=CodeChannel.SMS
    )
    assert OutboundSms.objects.filter(to="+4791234567").exists()
    services.give_consent(user, accepted=False)
    assert not MinidUser.objects.exists()


def test_an_expired_sms_code_is_refused(settings):
    from datetime import timedelta

    from django.utils import timezone

    from minid.models import OneTimeCode

    user, _letter, _codes = registered_user()
    login = services.start_login(user.person.identity_number, PASSWORD)
    code = last_code_sent(user, "mobile")
    OneTimeCode.objects.filter(bound_to=str(login.id)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(services.CodeRejected):
        services.complete_login(login, code)


def test_a_code_from_another_login_attempt_is_refused():
    user, _letter, _codes = registered_user()
    first = services.start_login(user.person.identity_number, PASSWORD)
    first_code = last_code_sent(user, "mobile")
    second = services.start_login(user.person.identity_number, PASSWORD)
    with pytest.raises(services.CodeRejected):
        services.complete_login(second, first_code)
    assert first.completed_at is None


def test_ordering_a_letter_does_not_cancel_the_codes_the_citizen_holds():
    """Anyone can order a letter for anyone: the letter in use works until a code from the new one is used."""
    user, old_letter, old_codes = registered_user(channel=CodeChannel.PIN)
    new_letter = services.order_pin_letter(user.person.identity_number, ordered_by="someone else")
    new_codes = read_codes(new_letter)
    login = services.start_login(user.person.identity_number, PASSWORD)
    services.complete_login(login, old_codes[login.pin_number])

    login = services.start_login(user.person.identity_number, PASSWORD)
    services.complete_login(login, new_codes[login.pin_number])
    assert services.current_letter(user.person) == new_letter

    login = services.start_login(user.person.identity_number, PASSWORD)
    with pytest.raises(services.CodeRejected):
        services.complete_login(login, old_codes[login.pin_number])


def test_a_blocked_letter_sends_the_login_to_sms():
    user, letter, codes = registered_user(channel=CodeChannel.PIN)
    services.block_letter_with_code(user.person.identity_number, unused_code(letter, codes))
    assert services.start_login(user.person.identity_number, PASSWORD).method == Login.Method.SMS


def test_without_mobile_a_blocked_letter_means_no_login():
    user, letter, codes = registered_user(channel=CodeChannel.PIN, mobile="")
    services.block_letter_with_code(user.person.identity_number, unused_code(letter, codes))
    with pytest.raises(services.NoValidLetter):
        services.start_login(user.person.identity_number, PASSWORD)


def test_too_many_letters_in_a_day_are_refused():
    person, _letter, _codes = citizen()
    services.order_pin_letter(person.identity_number, ordered_by="test")
    services.order_pin_letter(person.identity_number, ordered_by="test")
    with pytest.raises(services.NotEligible):
        services.order_pin_letter(person.identity_number, ordered_by="test")
    assert PinLetter.objects.filter(person=person).count() == 3


def test_pin_codes_are_hashed_with_a_key_not_only_a_salt(settings):
    from minid.services.codes import code_matches, hash_code

    salt, digest = hash_code("12345")
    assert code_matches(salt, digest, "12345")
    settings.SECRET_KEY = "another-key-entirely-0123456789"
    assert not code_matches(salt, digest, "12345")
