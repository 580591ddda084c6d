"""What the citizen does in the contact register's self-service: change mobile and e-mail (each
proved with a code sent to the new value), confirm that what is registered is still right,
reserve against digital post or withdraw the reservation, choose a digital mailbox and a
language. Every change goes to the audit trail, which is also the citizen's change history."""

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from core import audit, throttle
from core.phone import is_mobile, normalise_phone_number
from core.tasks import deliver_email, deliver_sms
from folkeregister import services as folkeregister
from kontaktregister.models import ContactRecord, MailboxProvider, VerificationCode
from kontaktregister.services.lookup import KontaktregisterError

OBJECT_TYPE = "kontaktregister.person"
CODE_KEY_SALT = "felles.kontaktregister.verification-code"
CODE_DIGITS = 6
# Codes sent to one person (mobile and e-mail together) are limited per this window: each is an SMS
# or e-mail someone pays for, to an address the citizen has only claimed.
CODES_SENT = "kontaktregister.codes"
KINDS = VerificationCode.Kind


class ChangeRefused(KontaktregisterError):
    code = "change_refused"


class CodeRefused(KontaktregisterError):
    code = "code_refused"


@dataclass(frozen=True)
class HistoryEntry:
    time: datetime
    action: str
    details: dict


def contact_record(identity_number: str) -> ContactRecord | None:
    return ContactRecord.objects.filter(person__identity_number=identity_number).first()


def needs_confirmation(record: ContactRecord | None, *, now: datetime | None = None) -> bool:
    """True when something registered has not been verified within KRR_CONFIRM_AFTER_DAYS."""
    if record is None or record.status != ContactRecord.Status.ACTIVE:
        return False
    limit = (now or timezone.now()) - timedelta(days=settings.KRR_CONFIRM_AFTER_DAYS)
    verified = [getattr(record, f"{kind}_verified_at") for kind in KINDS.values if getattr(record, kind)]
    return any(when is None or when < limit for when in verified)


def _record_for_change(identity_number: str) -> ContactRecord:
    """The citizen's record, locked for the change; created (active) for a citizen not yet registered."""
    record = ContactRecord.objects.select_for_update().filter(person__identity_number=identity_number).first()
    if record is None:
        record = ContactRecord.objects.create(person=folkeregister.get_person(identity_number))
    return record


def _record(action: str, identity_number: str, *, request, outcome=audit.Outcome.SUCCESS, **details):
    audit.record(
        f"kontaktregister.{action}",
        actor=identity_number,
        request=request,
        object_type=OBJECT_TYPE,
        object_id=identity_number,
        outcome=outcome,
        details=details,
    )


def clean_value(kind: str, value: str) -> str:
    """The new mobile number in E.164 or e-mail address in lower case, or ChangeRefused."""
    value = str(value).strip()
    if kind == KINDS.MOBILE:
        try:
            value = normalise_phone_number(value)
        except ValidationError:
            raise ChangeRefused(_("Enter a valid mobile number.")) from None
        if not is_mobile(value):
            raise ChangeRefused(_("The number is not a mobile number; codes and notices go by SMS."))
        return value
    try:
        validate_email(value)
    except ValidationError:
        raise ChangeRefused(_("Enter a valid e-mail address.")) from None
    return value.lower()


def _digest(salt: str, code: str) -> str:
    return salted_hmac(CODE_KEY_SALT, f"{salt}:{code}", algorithm="sha256").hexdigest()


def request_change(identity_number: str, kind: str, value: str, *, request=None) -> str:
    """Send a code to the new mobile or e-mail; returns the value as it will be stored."""
    value = clean_value(kind, value)
    if not throttle.hit(CODES_SENT, identity_number, throttle.Rate.per_hour(settings.KRR_CODES_PER_HOUR)):
        _record("code_refused", identity_number, request=request, outcome=audit.Outcome.DENIED, kind=kind)
        raise CodeRefused(_("You have asked for many codes in a short time. Wait an hour and try again."))
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_hex(16)
    person = folkeregister.get_person(identity_number)
    with transaction.atomic():
        VerificationCode.objects.update_or_create(
            person=person,
            kind=kind,
            defaults={
                "value": value,
                "salt": salt,
                "code_hash": _digest(salt, code),
                "attempts": 0,
                "expires_at": timezone.now() + timedelta(seconds=settings.KRR_CODE_TTL_SECONDS),
            },
        )
        _record(f"{kind}_code_sent", identity_number, request=request)
        text = _("Your code to confirm your contact information in the contact register is %(code)s.") % {
            "code": code
        }
        # The database task backend writes the task in this transaction: no code is sent for a change
        # that was rolled back.
        if kind == KINDS.MOBILE:
            deliver_sms.enqueue(value, text)
        else:
            deliver_email.enqueue(value, _("Confirm your e-mail address"), text)
    return value


def confirm_change(identity_number: str, kind: str, value: str, code: str, *, request=None) -> ContactRecord:
    """Store the new value as verified now, if the code sent to it is given back in time."""
    with transaction.atomic():
        pending = (
            VerificationCode.objects.select_for_update()
            .filter(person__identity_number=identity_number, kind=kind, value=value)
            .first()
        )
        if pending is None or pending.expires_at < timezone.now():
            raise CodeRefused(_("The code has expired. Ask for a new one."))
        if pending.attempts >= settings.KRR_CODE_MAX_ATTEMPTS:
            raise CodeRefused(_("Too many wrong codes. Ask for a new one."))
        if not constant_time_compare(_digest(pending.salt, "".join(str(code).split())), pending.code_hash):
            pending.attempts += 1
            pending.save(update_fields=["attempts"])
            wrong = True
        else:
            wrong = False
            pending.delete()
            record = _record_for_change(identity_number)
            old = getattr(record, kind)
            now = timezone.now()
            setattr(record, kind, value)
            setattr(record, f"{kind}_verified_at", now)
            if old != value:
                setattr(record, f"{kind}_updated_at", now)
            record.status = ContactRecord.Status.ACTIVE
            record.save()
            _record(f"{kind}_changed", identity_number, request=request, value=value)
            if old and old != value:
                _notify_old_address(kind, old)
    if wrong:  # recorded after the commit of the attempt count
        _record(f"{kind}_code_wrong", identity_number, request=request, outcome=audit.Outcome.FAILURE)
        raise CodeRefused(_("The code is wrong. Check it and try again."))
    return record


def _notify_old_address(kind: str, old: str) -> None:
    notice = _(
        "The %(what)s registered for you in the contact register was changed. "
        "If this was not you, log in to the contact register and change it back."
    ) % {"what": _("mobile number") if kind == KINDS.MOBILE else _("e-mail address")}
    if kind == KINDS.MOBILE:
        deliver_sms.enqueue(old, notice)
    else:
        deliver_email.enqueue(old, _("Your contact information was changed"), notice)


@transaction.atomic
def remove_contact(identity_number: str, kind: str, *, request=None) -> ContactRecord:
    record = _record_for_change(identity_number)
    if not getattr(record, kind):
        raise ChangeRefused(_("There is nothing registered to remove."))
    setattr(record, kind, "")
    setattr(record, f"{kind}_verified_at", None)
    setattr(record, f"{kind}_updated_at", timezone.now())
    record.save()
    _record(f"{kind}_removed", identity_number, request=request)
    return record


@transaction.atomic
def confirm_still_correct(identity_number: str, *, request=None) -> ContactRecord:
    """The citizen confirms that the registered mobile and e-mail are still theirs."""
    record = _record_for_change(identity_number)
    kinds = [kind for kind in KINDS.values if getattr(record, kind)]
    if not kinds:
        raise ChangeRefused(_("Register a mobile number or an e-mail address first."))
    now = timezone.now()
    for kind in kinds:
        setattr(record, f"{kind}_verified_at", now)
    record.save()
    _record("confirmed", identity_number, request=request, kinds=kinds)
    return record


@transaction.atomic
def set_reservation(identity_number: str, reserved: bool, *, request=None) -> ContactRecord:
    record = _record_for_change(identity_number)
    if record.reserved == reserved:
        return record
    record.reserved = reserved
    record.reserved_changed_at = timezone.now()
    record.save()
    _record("reserved" if reserved else "reservation_withdrawn", identity_number, request=request)
    return record


@transaction.atomic
def set_language(identity_number: str, language: str, *, request=None) -> ContactRecord:
    if language not in ContactRecord.Language.values:
        raise ChangeRefused(_("Choose one of the languages in the list."))
    record = _record_for_change(identity_number)
    if record.language != language:
        record.language = language
        record.language_updated_at = timezone.now()
        record.save()
        _record("language_changed", identity_number, request=request, language=language)
    return record


def mailbox_providers():
    """The providers a citizen may choose now."""
    return MailboxProvider.objects.filter(active=True)


def _mailbox_address(person, provider: MailboxProvider) -> str:
    """A mailbox address in the provider's style: given.family#XXXX."""

    def ascii_name(name: str) -> str:
        folded = unicodedata.normalize("NFKD", name.lower().replace("ø", "o").replace("æ", "ae"))
        return "".join(c for c in folded if c.isascii() and c.isalnum()) or "innbygger"

    suffix = secrets.token_hex(2).upper()
    return f"{ascii_name(person.given_name)}.{ascii_name(person.family_name)}#{suffix}"


@transaction.atomic
def choose_mailbox(identity_number: str, provider_identifier: str, *, request=None) -> ContactRecord:
    provider = mailbox_providers().filter(identifier=provider_identifier).first()
    if provider is None:
        raise ChangeRefused(_("Choose one of the mailbox providers in the list."))
    record = _record_for_change(identity_number)
    if record.mailbox_provider == provider.identifier:
        return record
    record.mailbox_provider = provider.identifier
    record.mailbox_address = _mailbox_address(record.person, provider)
    record.mailbox_certificate = provider.certificate
    record.save()
    _record("mailbox_chosen", identity_number, request=request, provider=provider.name)
    return record


@transaction.atomic
def register_provider(
    identifier: str, *, name: str, certificate_pem: str, description: str = "", active: bool = True
) -> MailboxProvider:
    """Register or update a mailbox provider; a new certificate reaches every mailbox at it."""
    provider, _created = MailboxProvider.objects.update_or_create(
        identifier=identifier,
        defaults={"name": name, "certificate": certificate_pem, "description": description, "active": active},
    )
    ContactRecord.objects.filter(mailbox_provider=identifier).exclude(
        mailbox_certificate=certificate_pem
    ).update(mailbox_certificate=certificate_pem)
    audit.record(
        "kontaktregister.provider_registered",
        actor="felles",
        obj=provider,
        object_id=identifier,
        details={"name": name},
    )
    return provider


def provider_name(identifier: str) -> str:
    provider = MailboxProvider.objects.filter(identifier=identifier).first()
    return provider.name if provider else identifier


def history(identity_number: str) -> list[HistoryEntry]:
    """The citizen's changes in the register, newest first, from the audit trail."""
    events = audit.events_about(OBJECT_TYPE, identity_number).only("time", "action", "details")
    return [
        HistoryEntry(event.time, event.action.removeprefix("kontaktregister."), event.details)
        for event in events.order_by("-time", "-pk")
    ]
