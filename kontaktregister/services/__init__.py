"""What the contact register does, for its API, its self-service pages and other apps. Import from here."""

from kontaktregister.services.housekeeping import purge_expired
from kontaktregister.services.lookup import (
    ACTIVE,
    CAN_BE_NOTIFIED,
    CANNOT_BE_NOTIFIED,
    DELETED,
    MAX_PERSONS_PER_LOOKUP,
    NO,
    NOT_REGISTERED,
    SCOPE_CONTACT,
    SCOPE_DIGITAL_POST,
    YES,
    Contact,
    InvalidLookup,
    KontaktregisterError,
    PrintCertificate,
    krr_moment,
    lookup,
    print_certificate,
    register_print_channel,
)
from kontaktregister.services.selfservice import (
    KINDS,
    ChangeRefused,
    CodeRefused,
    HistoryEntry,
    choose_mailbox,
    confirm_change,
    confirm_still_correct,
    contact_record,
    history,
    mailbox_providers,
    needs_confirmation,
    provider_name,
    register_provider,
    remove_contact,
    request_change,
    set_language,
    set_reservation,
)

__all__ = [
    "ACTIVE", "CAN_BE_NOTIFIED", "CANNOT_BE_NOTIFIED", "DELETED", "NO", "NOT_REGISTERED", "YES",
    "PrintCertificate", "krr_moment", "print_certificate", "register_print_channel",
    "KINDS", "MAX_PERSONS_PER_LOOKUP", "SCOPE_CONTACT", "SCOPE_DIGITAL_POST", "ChangeRefused", "CodeRefused",
    "Contact", "HistoryEntry", "InvalidLookup", "KontaktregisterError", "choose_mailbox", "confirm_change",
    "confirm_still_correct", "contact_record", "history", "lookup", "mailbox_providers", "needs_confirmation",
    "provider_name", "purge_expired", "register_provider", "remove_contact", "request_change", "set_language", "set_reservation",
]  # fmt: skip
