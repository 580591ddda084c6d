"""MinID users: registration, password rules, contact details, export and deletion."""

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.phone import is_mobile, normalise_phone_number
from core.tasks import deliver_email, deliver_sms
from folkeregister import services as folkeregister
from folkeregister.models import Person
from minid.models import CodeChannel, Login, MinidUser, OneTimeCode, PinLetter
from minid.services import notices, pin_letters
from minid.services.actions import AuditAction
from minid.services.codes import code_matches, hash_code, new_sms_code
from minid.services.errors import (
    AlreadyRegistered,
    CodeRejected,
    ContactRejected,
    MinidError,
    NoValidLetter,
    PasswordRejected,
)
from minid.services.ratelimit import allow_message, check_not_limited, count_start, record_failure

OBJECT_TYPE = pin_letters.OBJECT_TYPE
PASSWORD_MIN, PASSWORD_MAX = 8, 16


def record(action: str, user: MinidUser, *, request=None, outcome=audit.Outcome.SUCCESS, **details) -> None:
    """Audit a MinID event about a citizen; the citizen's own page lists these."""
    audit.record(
        action,
        actor=details.pop("actor", user.person.identity_number),
        request=request,
        object_type=OBJECT_TYPE,
        object_id=user.person.identity_number,
        outcome=outcome,
        details=details,
    )


# Passwords


def password_matches(user: MinidUser, password: str) -> bool:
    """Whether the password is right; a right one stored with other hashing parameters than the
    configured ones (settings.ARGON2_*) is stored again with them."""

    def rehash(raw: str) -> None:
        user.password = make_password(raw)
        user.save(update_fields=["password"])

    return bool(user.password) and check_password(password, user.password, setter=rehash)


def password_problems(password: str, person: Person) -> list[str]:
    """Every rule the password breaks, as messages for the citizen."""
    problems = []
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        problems.append(
            _("The password must be between %(min)d and %(max)d characters long.")
            % {"min": PASSWORD_MIN, "max": PASSWORD_MAX}
        )
    if not (re.search(r"[^\W\d_]", password) and re.search(r"\d", password)):
        problems.append(_("The password must contain both letters and digits."))
    birth = person.birth_date
    forbidden = {
        person.identity_number,
        person.identity_number[:6],
        birth.strftime("%d%m%y"),
        birth.strftime("%d%m%Y"),
        birth.strftime("%Y%m%d"),
    }
    digits = re.sub(r"\D", "", password)
    if any(f in password or f in digits for f in forbidden):
        problems.append(_("The password must not contain your fødselsnummer or your birth date."))
    return problems


def check_new_password(password: str, repeated: str, person: Person) -> None:
    problems = password_problems(password, person)
    if password != repeated:
        problems.append(_("The two passwords are not the same."))
    if problems:
        raise PasswordRejected(problems)


def count_failure(user: MinidUser, *, request, action: str) -> None:
    """One more failure in a row (wrong password or code); the last allowed one locks the user."""
    record_failure(request, user.person.identity_number)
    # Counted and locked under the row's lock, so that a request running beside this one (see
    # is_locked_now) never finds the limit reached and the user still open.
    with transaction.atomic():
        row = MinidUser.objects.select_for_update().get(pk=user.pk)
        row.failed_attempts += 1
        newly_locked = row.failed_attempts >= settings.MINID_MAX_FAILED_ATTEMPTS and not row.is_locked
        if newly_locked:
            row.status, row.locked_at = MinidUser.Status.LOCKED, timezone.now()
        row.save(update_fields=["failed_attempts", "status", "locked_at"])
    user.failed_attempts, user.status, user.locked_at = row.failed_attempts, row.status, row.locked_at
    record(action, user, request=request, outcome=audit.Outcome.FAILURE, failures=user.failed_attempts)
    if newly_locked:
        record(AuditAction.USER_LOCKED, user, request=request, outcome=audit.Outcome.DENIED)


def is_locked_now(user: MinidUser) -> bool:
    """The user's lock as committed now, read under the row's lock: after the slow password check,
    the status read before it may be stale while other guesses locked the user."""
    with transaction.atomic():
        status = MinidUser.objects.select_for_update().values_list("status", flat=True).get(pk=user.pk)
    user.status = status
    return user.is_locked


# Contact details and codes sent to them

CONTACT_KINDS = {"mobile": OneTimeCode.Purpose.VERIFY_MOBILE, "email": OneTimeCode.Purpose.VERIFY_EMAIL}


def _purpose(kind: str) -> str:
    try:
        return CONTACT_KINDS[kind]
    except KeyError:
        raise ContactRejected(_("Unknown kind of contact detail.")) from None


def clean_mobile(value: str) -> str:
    try:
        number = normalise_phone_number(value)
    except ValidationError:
        raise ContactRejected(_("Enter a valid mobile number.")) from None
    if not is_mobile(number):
        raise ContactRejected(_("%(number)s is not a mobile number.") % {"number": number})
    return number


def clean_email(value: str) -> str:
    value = value.strip()
    try:
        validate_email(value)
    except ValidationError:
        raise ContactRejected(_("Enter a valid e-mail address.")) from None
    return value.lower()


def send_code(user: MinidUser, purpose: str, target: str, *, bound_to: str | None = None) -> None:
    """A fresh code to a mobile or e-mail address; earlier unused codes for the same purpose die.
    Raises MessagesLimited when the person has been sent too many in the last hour."""
    allow_message(user.person.identity_number, purpose=purpose)
    code = new_sms_code()
    salt, code_hash = hash_code(code)
    OneTimeCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    OneTimeCode.objects.create(
        user=user,
        purpose=purpose,
        bound_to=bound_to or target,
        salt=salt,
        code_hash=code_hash,
        expires_at=timezone.now() + timedelta(seconds=settings.MINID_CODE_TTL_SECONDS),
    )
    minutes = settings.MINID_CODE_TTL_SECONDS // 60
    if purpose == OneTimeCode.Purpose.VERIFY_EMAIL:
        deliver_email.enqueue(
            target,
            _("Your MinID code"),
            _(
                "Your code to confirm this e-mail address for MinID is %(code)s. It is valid for %(minutes)d minutes."
            )
            % {"code": code, "minutes": minutes},
        )
    else:
        deliver_sms.enqueue(
            target,
            _("Your MinID code is %(code)s. It is valid for %(minutes)d minutes. Never give it to anyone.")
            % {"code": code, "minutes": minutes},
        )


def use_code(user: MinidUser, purpose: str, bound_to: str, code: str) -> bool:
    """Use up a matching, unexpired code; False when there is none. Used once even when two requests
    bring it at the same moment: only the one whose UPDATE still finds it unused gets True."""
    candidate = (
        OneTimeCode.objects.filter(user=user, purpose=purpose, bound_to=bound_to, used_at__isnull=True)
        .order_by("-created")
        .first()
    )
    if candidate is None or candidate.expires_at < timezone.now():
        return False
    if not code_matches(candidate.salt, candidate.code_hash, code):
        return False
    return (
        OneTimeCode.objects.filter(pk=candidate.pk, used_at__isnull=True).update(used_at=timezone.now()) == 1
    )


# Registration


@dataclass(frozen=True)
class RegistrationStart:
    """What step 2 asks for. `letter` is None when no one can register with this number (unknown,
    deceased, no address, no valid letter); the numbers are then drawn at random."""

    identity_number: str
    letter: PinLetter | None
    numbers: list[int]

    @property
    def letter_id(self) -> int:
        return self.letter.pk if self.letter is not None else 0


def start_registration(identity_number: str, *, request=None) -> RegistrationStart:
    """Step 1. Everyone goes on to "enter two codes from your PIN letter", so that the page does not
    tell who exists or who has MinID; only the codes of a valid letter lead further. An existing user
    hears of the attempt by a notice to their registered mobile and e-mail."""
    check_not_limited(request, identity_number)
    count_start(request, identity_number)
    letter = None
    try:
        person, _record = pin_letters.eligible_person(identity_number)
    except MinidError:
        person = None
    if person is not None:
        existing = _registered_user(person)
        if existing is not None:
            notices.tell_already_registered(existing, request=request)
        letter = pin_letters.current_letter(person)
    return RegistrationStart(
        identity_number=identity_number, letter=letter, numbers=pin_letters.numbers_to_ask(letter, 2)
    )


def _registered_user(person: Person) -> MinidUser | None:
    return MinidUser.objects.filter(person=person).exclude(status=MinidUser.Status.REGISTERING).first()


def confirm_registration_codes(
    identity_number: str, letter_id: int, answers: dict[int, str], *, request=None
) -> Person:
    """Step 2: two codes from the letter prove the person has it. Without a valid letter the answer
    is the one wrong codes get. Only someone holding the codes learns that the user already exists."""
    check_not_limited(request, identity_number)
    try:
        person = folkeregister.get_person(identity_number)
    except folkeregister.FolkeregisterError:
        person = None
    letter = pin_letters.current_letter(person) if person is not None else None
    if letter is None or letter.pk != letter_id:
        record_failure(request, identity_number)
        raise CodeRejected()
    if not pin_letters.use_pin_codes(letter, answers):
        record_failure(request, identity_number)
        pin_letters.record_wrong_code(letter, request=request)
        raise CodeRejected()
    if _registered_user(person) is not None:
        raise AlreadyRegistered()
    return person


def create_profile(
    person: Person, *, password: str, repeated: str, mobile: str, email: str, channel: str, request=None
) -> MinidUser:
    """Step 3: password and contact details; a code goes to each contact given."""
    check_new_password(password, repeated, person)
    if not (mobile or email):
        raise ContactRejected(_("Give a mobile number, an e-mail address or both."))
    mobile = clean_mobile(mobile) if mobile else ""
    email = clean_email(email) if email else ""
    if channel == CodeChannel.SMS and not mobile:
        raise ContactRejected(_("To get codes by SMS, give a mobile number."))
    with transaction.atomic():
        user, _created = MinidUser.objects.select_for_update().get_or_create(person=person)
        if user.status != MinidUser.Status.REGISTERING:
            raise AlreadyRegistered()
        user.password = make_password(password)
        user.password_changed_at = timezone.now()
        user.mobile, user.email, user.code_channel = mobile, email, channel
        user.mobile_verified_at = user.email_verified_at = None
        user.save()
        if mobile:
            send_code(user, OneTimeCode.Purpose.VERIFY_MOBILE, mobile)
        if email:
            send_code(user, OneTimeCode.Purpose.VERIFY_EMAIL, email)
        record(AuditAction.REGISTRATION_PROFILE, user, request=request)
    return user


def confirm_contact(user: MinidUser, kind: str, code: str, *, request=None) -> MinidUser:
    """Verify the mobile ("mobile") or e-mail ("email") on the profile with the code sent to it."""
    purpose = _purpose(kind)
    check_not_limited(request, user.person.identity_number)
    target = getattr(user, kind)
    if not target or not use_code(user, purpose, target, code):
        record_failure(request, user.person.identity_number)
        raise CodeRejected()
    setattr(user, f"{kind}_verified_at", timezone.now())
    user.save(update_fields=[f"{kind}_verified_at"])
    return user


def unverified_contacts(user: MinidUser) -> list[str]:
    kinds = []
    if user.mobile and not user.mobile_verified_at:
        kinds.append("mobile")
    if user.email and not user.email_verified_at:
        kinds.append("email")
    return kinds


def give_consent(user: MinidUser, *, accepted: bool, request=None) -> MinidUser | None:
    """Step 5. "Yes" activates the user; "No" deletes everything registered so far."""
    if not accepted:
        record(AuditAction.REGISTRATION_DECLINED, user, request=request)
        user.delete()
        return None
    if unverified_contacts(user):
        raise ContactRejected(_("Confirm your contact details with the codes we sent first."))
    user.status = MinidUser.Status.ACTIVE
    user.consent_at = timezone.now()
    user.save(update_fields=["status", "consent_at"])
    record(AuditAction.REGISTERED, user, request=request)
    return user


# Self-service


def confirm_password(user: MinidUser, password: str, *, request=None) -> None:
    """The password again before a step that would hand the user to someone else (deletion, new
    contact details). A wrong one counts like a wrong password at login."""
    check_not_limited(request, user.person.identity_number)
    if not password_matches(user, password):
        count_failure(user, request=request, action=AuditAction.PASSWORD_CONFIRM_WRONG)
        raise PasswordRejected([_("The password is wrong.")])
    record(AuditAction.PASSWORD_CONFIRMED, user, request=request)


def change_password(user: MinidUser, *, current: str, new: str, repeated: str, request=None) -> None:
    check_not_limited(request, user.person.identity_number)
    if not password_matches(user, current):
        count_failure(user, request=request, action=AuditAction.PASSWORD_CHANGE_WRONG)
        raise PasswordRejected([_("The current password is wrong.")])
    check_new_password(new, repeated, user.person)
    user.password = make_password(new)
    user.password_changed_at = timezone.now()
    user.failed_attempts = 0
    user.save(update_fields=["password", "password_changed_at", "failed_attempts"])
    record(AuditAction.PASSWORD_CHANGED, user, request=request)
    notify(user, _("The password for your MinID user was changed. If this was not you, contact MinID."))


def request_contact_change(user: MinidUser, kind: str, value: str) -> str:
    """Send a code to a new mobile or e-mail; the change happens when it comes back."""
    purpose = _purpose(kind)
    value = clean_mobile(value) if kind == "mobile" else clean_email(value)
    send_code(user, purpose, value)
    return value


def confirm_contact_change(user: MinidUser, kind: str, value: str, code: str, *, request=None) -> MinidUser:
    purpose = _purpose(kind)
    check_not_limited(request, user.person.identity_number)
    if not use_code(user, purpose, value, code):
        count_failure(user, request=request, action=AuditAction.code_wrong(kind))
        raise CodeRejected()
    old = getattr(user, kind)
    setattr(user, kind, value)
    setattr(user, f"{kind}_verified_at", timezone.now())
    user.save(update_fields=[kind, f"{kind}_verified_at"])
    record(AuditAction.changed(kind), user, request=request)
    if old and old != value:
        notice = _(
            "The %(what)s registered for your MinID user was changed. If this was not you, contact MinID."
        ) % {"what": _("mobile number") if kind == "mobile" else _("e-mail address")}
        if kind == "mobile":
            deliver_sms.enqueue(old, notice)
        else:
            deliver_email.enqueue(old, _("Your MinID contact details were changed"), notice)
    return user


def notify(user: MinidUser, text: str) -> None:
    """Tell the citizen about a change to their user, on every verified channel."""
    if user.mobile and user.mobile_verified_at:
        deliver_sms.enqueue(user.mobile, text)
    if user.email and user.email_verified_at:
        deliver_email.enqueue(user.email, _("Your MinID user was changed"), text)


def set_code_channel(user: MinidUser, channel: str, *, request=None) -> MinidUser:
    if channel not in CodeChannel.values:
        raise MinidError()
    if channel == CodeChannel.SMS and not user.mobile:
        raise ContactRejected(_("To get codes by SMS, register a mobile number first."))
    if channel == CodeChannel.PIN and pin_letters.current_letter(user.person) is None:
        raise NoValidLetter()
    user.code_channel = channel
    user.save(update_fields=["code_channel"])
    record(AuditAction.CODE_CHANNEL_CHANGED, user, request=request, channel=channel)
    return user


def delete_user(user: MinidUser, *, request=None) -> None:
    record(AuditAction.USER_DELETED, user, request=request)
    user.delete()


def own_audit_trail(user: MinidUser):
    """The citizen's own MinID events ("din bruk av MinID logges"), newest first."""
    return audit.events_about(OBJECT_TYPE, user.person.identity_number)


def export_data(user: MinidUser, *, request=None) -> dict[str, Any]:
    """Everything MinID holds about the citizen, for download as JSON."""
    record(AuditAction.DATA_EXPORTED, user, request=request)

    def iso(value):
        return value.isoformat() if value else None

    person = user.person
    letters = PinLetter.objects.filter(person=person).order_by("created")
    return {
        "fodselsnummer": person.identity_number,
        "name": person.full_name,
        "status": user.status,
        "created": iso(user.created),
        "consent_given": iso(user.consent_at),
        "last_login": iso(user.last_login_at),
        "password_changed": iso(user.password_changed_at),
        "mobile": user.mobile,
        "mobile_verified": iso(user.mobile_verified_at),
        "email": user.email,
        "email_verified": iso(user.email_verified_at),
        "code_channel": user.code_channel,
        "pin_letters": [
            {
                "serial": letter.serial,
                "created": iso(letter.created),
                "blocked": iso(letter.blocked_at),
                "codes_used": letter.codes.filter(used_at__isnull=False).count(),
            }
            for letter in letters
        ],
        "logins": [
            {"started": iso(login.started_at), "completed": iso(login.completed_at), "method": login.method}
            for login in Login.objects.filter(user=user).order_by("started_at")
        ],
        "log": [
            {
                "time": iso(event.time),
                "action": event.action,
                "outcome": event.outcome,
                "ip": event.ip_address,
            }
            for event in own_audit_trail(user).order_by("time")
        ],
    }


def user_for(person: Person) -> MinidUser | None:
    return MinidUser.objects.filter(person=person).first()
