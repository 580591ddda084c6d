"""What Sikker digital post does, for its API, the mailbox pages, the admin, its tasks and the case
archive. Import from here."""

from postkasse.services.channels import NotAPerson, Reach, reach
from postkasse.services.errors import InvalidLetter, PostkasseError, ProviderUnavailable
from postkasse.services.mailbox import (
    FolderNotFound,
    FolderRefused,
    LetterNotFound,
    LetterUnreadable,
    NoMailbox,
    StepUpRequired,
    create_folder,
    delete_folder,
    delete_letter,
    document_content,
    folders,
    get_folder,
    get_letter,
    inbox,
    mailbox_of,
    mark_read,
    move_letter,
    open_letter,
    rename_folder,
    set_notifications,
    unread_count,
)
from postkasse.services.printing import (
    find_letter,
    letter_status,
    mark_sent_manually,
    submit_paper_letter,
)
from postkasse.services.providers import register_provider, seed_demo_providers
from postkasse.services.receipts import (
    ReceiptNotFound,
    acknowledge_receipt,
    letters_with_news,
    pending_receipts,
    sent_letter,
    sent_letters,
)
from postkasse.services.replies import (
    InvalidReply,
    ReplyRefused,
    ReplySent,
    reply_to_letter,
    replyable_letter,
)
from postkasse.services.sending import (
    DocumentIn,
    LetterIn,
    accept_letter,
    accept_letters,
    expire_overdue,
    notify_recipient,
    price_of,
    receipts_for,
    route_letter,
    route_letters,
)
from postkasse.services.statistics import monthly_use

__all__ = [
    "NotAPerson", "Reach", "reach",
    "DocumentIn", "LetterIn", "accept_letters", "expire_overdue", "InvalidLetter", "PostkasseError", "ProviderUnavailable", "accept_letter", "notify_recipient",
    "price_of", "receipts_for", "register_provider", "route_letter", "route_letters", "seed_demo_providers",
    "find_letter", "letter_status", "mark_sent_manually", "submit_paper_letter",
    "FolderNotFound", "FolderRefused", "LetterNotFound", "LetterUnreadable", "NoMailbox", "StepUpRequired",
    "create_folder", "delete_folder", "delete_letter", "document_content", "folders", "get_folder", "get_letter",
    "inbox", "mailbox_of", "mark_read", "move_letter", "open_letter", "rename_folder", "set_notifications",
    "unread_count",
    "InvalidReply", "ReplyRefused", "ReplySent", "reply_to_letter", "replyable_letter",
    "ReceiptNotFound", "monthly_use", "acknowledge_receipt", "letters_with_news", "pending_receipts", "sent_letter", "sent_letters",
]  # fmt: skip
