"""What MinID does, for its pages, its admin, and ID-porten. Import from here."""

from minid.services.accounts import (
    RegistrationStart,
    change_password,
    confirm_contact,
    confirm_contact_change,
    confirm_password,
    confirm_registration_codes,
    create_profile,
    delete_user,
    export_data,
    give_consent,
    own_audit_trail,
    password_problems,
    request_contact_change,
    set_code_channel,
    start_registration,
    unverified_contacts,
    user_for,
)
from minid.services.errors import (
    AccountLocked,
    AlreadyRegistered,
    CodeRejected,
    ContactRejected,
    InvalidCredentials,
    LoginExpired,
    MinidError,
    NotEligible,
    NoValidLetter,
    PasswordRejected,
    RateLimited,
)
from minid.services.housekeeping import purge_expired
from minid.services.login import (
    complete_login,
    get_login,
    resend_sms,
    reset_password,
    start_login,
    start_password_reset,
    use_pin_instead,
)
from minid.services.pin_letters import (
    block_letter,
    block_letter_with_code,
    block_letters_in_force,
    current_letter,
    mark_printed,
    order_pin_letter,
    order_pin_letter_public,
)

__all__ = [
    "AccountLocked", "AlreadyRegistered", "CodeRejected", "ContactRejected", "InvalidCredentials",
    "LoginExpired", "MinidError", "NoValidLetter", "NotEligible", "PasswordRejected", "RateLimited",
    "RegistrationStart", "block_letter", "block_letters_in_force", "block_letter_with_code", "change_password", "complete_login",
    "confirm_contact", "confirm_contact_change", "confirm_password", "confirm_registration_codes", "create_profile",
    "current_letter", "delete_user", "export_data", "get_login", "give_consent", "mark_printed",
    "order_pin_letter", "order_pin_letter_public", "own_audit_trail", "password_problems", "purge_expired", "request_contact_change", "reset_password",
    "resend_sms", "set_code_channel", "start_login", "start_password_reset", "start_registration",
    "unverified_contacts", "use_pin_instead", "user_for",
]  # fmt: skip
