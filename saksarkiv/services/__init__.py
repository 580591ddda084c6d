"""What the case archive does, for its admin, its API and its public journal. Import from here."""

from saksarkiv.services import public
from saksarkiv.services.access import cases_for, get_journalpost, handler_for, journalposts_for
from saksarkiv.services.archive import (
    add_journalpost,
    close_case,
    create_saksmappe,
    ensure_arkiv,
    finalise,
    journalfoer,
    reopen_case,
    void,
)
from saksarkiv.services.avskrivning import answer, restanser, undo_write_off, write_off
from saksarkiv.services.dispatch import (
    CONFIRM_FROM,
    ChannelSplit,
    dispatch,
    dispatch_or_queue,
    expected_channels,
    receipts,
)
from saksarkiv.services.documents import (
    add_document,
    current_files,
    current_version,
    find_version,
    new_version,
    open_version,
)
from saksarkiv.services.editing import EDITABLE_FIELDS, screening, update_journalpost, update_saksmappe
from saksarkiv.services.errors import DispatchRefused, InvalidInput, NotFound, RecordFinalised, SaksarkivError
from saksarkiv.services.letters import FIELDS, letter_pdf, save_template, validate_template
from saksarkiv.services.parties import (
    RecipientsRejected,
    RejectedLine,
    add_party,
    add_recipients,
    remove_party,
    require_parties,
)
from saksarkiv.services.structure import case_history, reassign

__all__ = [
    "CONFIRM_FROM", "ChannelSplit", "RecipientsRejected", "RejectedLine", "expected_channels",
    "EDITABLE_FIELDS", "FIELDS", "DispatchRefused", "InvalidInput", "NotFound", "RecordFinalised", "SaksarkivError", "add_document",
    "add_journalpost", "add_party", "add_recipients", "cases_for", "close_case", "create_saksmappe", "current_files", "current_version", "open_version",
    "dispatch", "dispatch_or_queue", "ensure_arkiv", "finalise", "get_journalpost", "handler_for", "journalposts_for", "letter_pdf",
    "new_version", "public", "receipts", "remove_party", "save_template", "screening", "update_journalpost", "update_saksmappe", "validate_template",
    "answer", "case_history", "find_version", "journalfoer", "reassign", "reopen_case", "require_parties", "restanser", "undo_write_off",
    "void", "write_off",
]  # fmt: skip
