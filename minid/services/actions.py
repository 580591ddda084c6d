"""MinID's audit actions: each event MinID writes to the audit trail, which the citizen's own log
("din bruk av MinID logges") and the case handlers read."""

from django.db import models


class AuditAction(models.TextChoices):
    LOGIN = "minid.login"
    LOGIN_PASSWORD_WRONG = "minid.login_password_wrong"
    LOGIN_CODE_WRONG = "minid.login_code_wrong"
    LOGIN_WHILE_LOCKED = "minid.login_while_locked"
    USER_LOCKED = "minid.user_locked"
    USER_UNLOCKED = "minid.user_unlocked"
    PASSWORD_CHANGED = "minid.password_changed"
    PASSWORD_CHANGE_WRONG = "minid.password_change_wrong"
    PASSWORD_CONFIRMED = "minid.password_confirmed"
    PASSWORD_CONFIRM_WRONG = "minid.password_confirm_wrong"
    PASSWORD_RESET = "minid.password_reset"
    MOBILE_CHANGED = "minid.mobile_changed"
    MOBILE_CODE_WRONG = "minid.mobile_code_wrong"
    EMAIL_CHANGED = "minid.email_changed"
    EMAIL_CODE_WRONG = "minid.email_code_wrong"
    CODE_CHANNEL_CHANGED = "minid.code_channel_changed"
    REGISTRATION_PROFILE = "minid.registration_profile"
    REGISTRATION_DECLINED = "minid.registration_declined"
    REGISTERED = "minid.registered"
    USER_DELETED = "minid.user_deleted"
    DATA_EXPORTED = "minid.data_exported"
    MESSAGE_REFUSED = "minid.message_refused"
    NOTICE_LOCKED = "minid.notice_locked"
    NOTICE_REGISTRATION_ATTEMPT = "minid.notice_registration_attempt"
    PIN_LETTER_REQUESTED = "minid.pin_letter_requested"
    PIN_LETTER_REFUSED = "minid.pin_letter_refused"
    PIN_LETTER_ORDERED = "minid.pin_letter_ordered"
    PIN_LETTER_HELD = "minid.pin_letter_held"
    PIN_LETTER_PRINTED = "minid.pin_letter_printed"
    PIN_LETTER_BLOCKED = "minid.pin_letter_blocked"
    PIN_LETTER_DOWNLOADED = "minid.pin_letter_downloaded"

    @classmethod
    def code_wrong(cls, kind: str) -> "AuditAction":
        """A wrong code for a new mobile ("mobile") or e-mail ("email")."""
        return cls(f"minid.{kind}_code_wrong")

    @classmethod
    def changed(cls, kind: str) -> "AuditAction":
        """A new mobile ("mobile") or e-mail ("email") confirmed."""
        return cls(f"minid.{kind}_changed")
