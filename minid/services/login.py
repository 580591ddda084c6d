"""Login with MinID, the service ID-porten calls: fødselsnummer + password, then a
one-time code by SMS or from the PIN letter.

Wrong passwords and wrong codes count against the user; the fifth in a row locks it.
An unknown fødselsnummer, and any password for a locked user, get the same answer as a
wrong password, after the same password-hashing work, so the answer does not tell whether
a person has MinID or whether the user is locked.
"""

import random
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from folkeregister.identity import parse_identity_number
from folkeregister.models import Person
from minid.models import CodeChannel, Login, MinidUser, OneTimeCode
from minid.services import pin_letters
from minid.services.accounts import (
    check_new_password,
    count_failure,
    is_locked_now,
    password_matches,
    record,
    send_code,
    use_code,
)
from minid.services.actions import AuditAction
from minid.services.errors import (
    AccountLocked,
    CodeRejected,
    InvalidCredentials,
    LoginExpired,
)
from minid.services.ratelimit import check_not_limited, count_start, record_failure

# Checked against when there is no user, so that a miss costs what a hit costs.
_DUMMY_PASSWORD_HASH = None


def _dummy_hash() -> str:
    global _DUMMY_PASSWORD_HASH
    if _DUMMY_PASSWORD_HASH is None:
        _DUMMY_PASSWORD_HASH = make_password("felles-minid-no-such-user")
    return _DUMMY_PASSWORD_HASH


def _find_user(identity_number: str) -> MinidUser | None:
    """The user of a valid fødselsnummer or D-number, with its person, in one query."""
    try:
        number = parse_identity_number(identity_number).number
    except ValidationError:
        return None
    return (
        MinidUser.objects.select_related("person")
        .filter(person__identity_number=number)
        .exclude(status=MinidUser.Status.REGISTERING)
        .first()
    )


def start_login(identity_number: str, password: str, *, request=None) -> Login:
    """Step 1. Returns the login attempt; the code is on its way (SMS) or asked for (PIN)."""
    check_not_limited(request, identity_number)
    user = _find_user(identity_number)
    if user is None:
        check_password(password, _dummy_hash())
        record_failure(request, identity_number)
        raise InvalidCredentials()
    from minid.tasks import tell_of_login_while_locked  # here: the task module imports this one

    right = password_matches(user, password)
    locked = is_locked_now(user)  # read after the slow check, and on both paths
    # On a locked user the right password gets the wrong one's answer, after the same work (counted
    # as a failure, a task queued), so that guessing on behind the lock learns nothing, not even from
    # the time it takes; the citizen learns of the lock from a notice to what they registered.
    if not right or locked:
        count_failure(
            user,
            request=request,
            action=AuditAction.LOGIN_PASSWORD_WRONG if not right else AuditAction.LOGIN_WHILE_LOCKED,
        )
        if user.is_locked:
            tell_of_login_while_locked.enqueue(user.pk, password_was_right=right)
        raise InvalidCredentials()
    now = timezone.now()
    login = Login(
        id=uuid.uuid4(),
        user=user,
        started_at=now,
        expires_at=now + timedelta(seconds=settings.MINID_LOGIN_TTL_SECONDS),
        method=Login.Method.SMS,
    )
    # The letter matters only to a user who chose PIN codes and could get an SMS instead.
    wants_pin = user.code_channel == CodeChannel.PIN and user.mobile
    if not user.mobile or (wants_pin and pin_letters.current_letter(user.person) is not None):
        _ask_for_pin(login)
    else:
        login.save(force_insert=True)  # a new id: no UPDATE tried first
        send_code(user, OneTimeCode.Purpose.LOGIN, user.mobile, bound_to=str(login.id))
    return login


def _ask_for_pin(login: Login) -> None:
    letter = pin_letters.require_current_letter(login.user.person)
    login.method = Login.Method.PIN
    login.pin_number = pin_letters.pick_numbers(letter, 1)[0]
    login.save()


def use_pin_instead(login: Login) -> Login:
    """ "I would rather use a PIN code from my letter." """
    _check_open(login)
    if login.method != Login.Method.PIN:
        OneTimeCode.objects.filter(
            user=login.user, purpose=OneTimeCode.Purpose.LOGIN, bound_to=str(login.id)
        ).update(used_at=timezone.now())
        _ask_for_pin(login)
    return login


def resend_sms(login: Login) -> Login:
    _check_open(login)
    if login.method == Login.Method.SMS:
        send_code(login.user, OneTimeCode.Purpose.LOGIN, login.user.mobile, bound_to=str(login.id))
    return login


def _check_open(login: Login) -> None:
    if login.completed_at is not None or login.expires_at < timezone.now():
        raise LoginExpired()


# complete_login() reads the user's lock again unless get_login() read the user this recently (the
# same request: the code page reads the attempt and completes it in one go).
_USER_READ_FRESH_SECONDS = 1.0


def get_login(login_id) -> Login | None:
    login = Login.objects.select_related("user__person").filter(pk=login_id).first()
    if login is not None:
        login._user_read_at = time.monotonic()
    return login


def complete_login(login: Login, code: str, *, request=None) -> Login:
    """Step 2: the one-time code. Returns the completed login."""
    check_not_limited(request, login.user.person.identity_number)
    _check_open(login)
    user = login.user
    read_at = login.__dict__.pop("_user_read_at", None)  # good for one completion only
    if read_at is None or time.monotonic() - read_at > _USER_READ_FRESH_SECONDS:
        user.refresh_from_db(fields=["status", "failed_attempts"])
    if user.is_locked:
        raise AccountLocked()
    if login.method == Login.Method.SMS:
        accepted = _use_login_sms(login, code)
    else:
        letter = pin_letters.current_letter(user.person)
        accepted = letter is not None and pin_letters.use_pin_codes(letter, {login.pin_number: code})
    if not accepted:
        count_failure(user, request=request, action=AuditAction.LOGIN_CODE_WRONG)
        if user.is_locked:
            raise AccountLocked()
        raise CodeRejected()
    now = timezone.now()
    with transaction.atomic():
        login.completed_at = now
        login.save(update_fields=["completed_at"])
        user.failed_attempts = 0
        user.previous_login_at, user.last_login_at = user.last_login_at, now
        user.save(update_fields=["failed_attempts", "previous_login_at", "last_login_at"])
        record(AuditAction.LOGIN, user, request=request, method=login.get_method_display())
    return login


def _use_login_sms(login: Login, code: str) -> bool:
    return use_code(login.user, OneTimeCode.Purpose.LOGIN, str(login.id), code)


def reset_password(
    identity_number: str,
    answers: dict[int, str],
    *,
    letter_id: int,
    password: str,
    repeated: str,
    request=None,
) -> MinidUser:
    """Forgot password: two codes from the newest letter and a new password. Unlocks a locked user."""
    check_not_limited(request, identity_number)
    user = _find_user(identity_number)
    # The password rules first, for everyone: checked for users only, they would tell who has MinID.
    check_new_password(password, repeated, _person_for_rules(identity_number, user))
    letter = pin_letters.current_letter(user.person) if user else None
    if user is None or letter is None or letter.pk != letter_id:
        record_failure(request, identity_number)
        raise CodeRejected()
    if not pin_letters.use_pin_codes(letter, answers):
        record_failure(request, identity_number)
        pin_letters.record_wrong_code(letter, request=request)
        raise CodeRejected()
    was_locked = user.is_locked
    user.password = make_password(password)
    user.password_changed_at = timezone.now()
    user.status = MinidUser.Status.ACTIVE
    user.failed_attempts = 0
    user.locked_at = None
    user.save(update_fields=["password", "password_changed_at", "status", "failed_attempts", "locked_at"])
    record(AuditAction.PASSWORD_RESET, user, request=request)
    if was_locked:
        record(AuditAction.USER_UNLOCKED, user, request=request)
    return user


def _person_for_rules(identity_number: str, user: MinidUser | None) -> Person:
    """Whom a new password is checked against: the user's person, or for anyone else an unsaved
    stand-in with the birth date the number holds, so that the rules answer alike."""
    if user is not None:
        return user.person
    try:
        parsed = parse_identity_number(identity_number)
    except ValidationError:
        raise CodeRejected() from None
    return Person(identity_number=parsed.number, birth_date=parsed.birth_date)


def start_password_reset(identity_number: str, *, request=None) -> tuple[int, list[int]]:
    """Which letter and which two code numbers the forgot-password page asks for.
    An unknown person gets numbers too, so the page does not tell who has MinID."""
    check_not_limited(request, identity_number)
    count_start(request, identity_number)
    user = _find_user(identity_number)
    letter = pin_letters.current_letter(user.person) if user else None
    if letter is None or len(pin_letters.unused_numbers(letter)) < 2:
        return 0, random.SystemRandom().sample(range(1, settings.MINID_PIN_CODES_PER_LETTER + 1), 2)
    return letter.pk, pin_letters.pick_numbers(letter, 2)
