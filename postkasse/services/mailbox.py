"""The citizen's digital mailbox (the e-Boks- and Digipost-like inbox): letters delivered to the
citizen's mailboxes, opened by decrypting them with the provider's key, folders, an archive, and
notification preferences. Only the recipient ever sees a letter: for anyone else it does not exist."""

import hashlib
import logging
from uuid import UUID

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.storage import private_storage
from idporten.first_party import LEVELS, LOA_HIGH
from kontaktregister import services as kontaktregister
from postkasse.crypto import CryptoError
from postkasse.models import Document, Folder, Letter, Mailbox, Provider, Receipt
from postkasse.services import keys, sending
from postkasse.services.errors import PostkasseError

logger = logging.getLogger(__name__)

# Letters at this security level open only with an ID-porten login at LOA_HIGH.
LEVEL_4 = 4


class LetterNotFound(PostkasseError):
    """The letter does not exist, is not visible yet, or belongs to someone else: all look the same."""

    code = "letter_not_found"


class FolderNotFound(PostkasseError):
    code = "folder_not_found"


class StepUpRequired(PostkasseError):
    """The letter needs a level-4 login; the citizen has a lower one."""

    code = "step_up_required"

    def __init__(self, message: str, *, acr: str):
        super().__init__(message)
        self.acr = acr


class LetterUnreadable(PostkasseError):
    """The stored envelope does not decrypt to what was accepted."""

    code = "letter_unreadable"


class NoMailbox(PostkasseError):
    code = "no_mailbox"


class FolderRefused(PostkasseError):
    code = "folder_refused"


def mailbox_of(identity_number: str) -> Mailbox | None:
    """The citizen's mailbox: the one chosen in the contact register (opened here on first use, as
    delivery does), or else the last one letters came to."""
    contact = kontaktregister.lookup([identity_number])[0]
    provider = (
        Provider.objects.filter(identifier=contact.mailbox_provider).first()
        if contact.mailbox_provider and contact.mailbox_address
        else None
    )
    if provider is not None:
        chosen, _created = Mailbox.objects.get_or_create(
            provider=provider, address=contact.mailbox_address, defaults={"identity_number": identity_number}
        )
        if chosen.identity_number == identity_number:
            return chosen
    return Mailbox.objects.filter(identity_number=identity_number).order_by("-created", "-pk").first()


def _letters(identity_number: str) -> QuerySet[Letter]:
    """Every letter the citizen can see: delivered to their mailbox, not deleted, past its virkningsdato."""
    return Letter.objects.filter(
        Q(virkningsdato__isnull=True) | Q(virkningsdato__lte=timezone.now()),
        recipient=identity_number,
        mailbox__identity_number=identity_number,
        status=Letter.Status.DELIVERED,
        deleted_at__isnull=True,
    )


def inbox(identity_number: str, *, folder: Folder | None = None, archived: bool = False) -> QuerySet[Letter]:
    """The letters in the inbox, in one folder, or in the archive; newest first."""
    letters = _letters(identity_number).select_related("sender")
    if folder is not None:
        letters = letters.filter(folder=folder)
    else:
        letters = letters.filter(folder__isnull=True, archived=archived)
    return letters.order_by("-delivered_at", "-pk")


def unread_count(identity_number: str) -> int:
    return _letters(identity_number).filter(read=False, folder__isnull=True, archived=False).count()


def folders(identity_number: str) -> QuerySet[Folder]:
    return Folder.objects.filter(mailbox__identity_number=identity_number).order_by("name", "pk")


def get_folder(identity_number: str, folder_id: int) -> Folder:
    found = folders(identity_number).filter(pk=folder_id).first()
    if found is None:
        raise FolderNotFound(_("The folder does not exist."))
    return found


def get_letter(identity_number: str, letter_id: UUID | str) -> Letter:
    """The citizen's own letter, for listing and handling (not its content)."""
    letter = _letters(identity_number).select_related("sender", "folder").filter(pk=letter_id).first()
    if letter is None:
        raise LetterNotFound(_("The letter does not exist."))
    return letter


def _openable(identity_number: str, letter_id: UUID | str, acr: str) -> Letter:
    letter = get_letter(identity_number, letter_id)
    if letter.security_level >= LEVEL_4 and LEVELS.index(acr) < LEVELS.index(LOA_HIGH):
        raise StepUpRequired(_("This letter can only be opened after logging in at level 4."), acr=LOA_HIGH)
    return letter


def _mark_opened(letter: Letter) -> None:
    """Read, the first opening's time, and the opening receipt (once) if the sender asked for one."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.opened_at is None:
            letter.opened_at = timezone.now()
        letter.read = True
        letter.save(update_fields=["opened_at", "read"])
        if letter.opening_receipt:
            sending.register_receipt(letter, Receipt.Kind.OPENED)


def _record(action: str, identity_number: str, letter: Letter, *, request, **details) -> None:
    audit.record(
        action,
        actor=identity_number,
        request=request,
        object_type="postkasse.letter",
        object_id=str(letter.pk),
        details={"sender": letter.sender.organisasjonsnummer, **details},
    )


def open_letter(
    identity_number: str, letter_id: UUID | str, *, acr: str, request=None
) -> tuple[Letter, list[Document]]:
    """Open a letter: decrypt each document with the provider's key, mark the letter read and send
    the opening receipt. Raises LetterNotFound or StepUpRequired."""
    letter = _openable(identity_number, letter_id, acr)
    documents = list(letter.documents.all())
    # Decrypted (and checked) before anything is marked: "opened" is only reported for a letter that opens.
    for document in documents:
        _decrypt(letter.mailbox.provider, document)
    _mark_opened(letter)
    _record("postkasse.letter_opened", identity_number, letter, request=request, acr=acr)
    letter.refresh_from_db()
    return letter, documents


def _decrypt(provider: Provider, document: Document) -> bytes:
    """The document's plaintext, checked against the checksum taken at acceptance."""
    try:
        with document.envelope.open("rb") as envelope:
            content = keys.open_for_provider(provider, envelope.read())
    except (CryptoError, OSError) as error:
        logger.error("Letter %s, document %s does not open: %s", document.letter_id, document.position, error)
        raise LetterUnreadable(_("The letter could not be opened. Try again later.")) from None
    if hashlib.sha256(content).hexdigest() != document.sha256:
        logger.error(
            "Letter %s, document %s does not match its checksum", document.letter_id, document.position
        )
        raise LetterUnreadable(_("The letter could not be opened. Try again later."))
    return content


def document_content(
    identity_number: str, letter_id: UUID | str, position: int, *, acr: str, inline: bool, request=None
) -> tuple[Document, bytes]:
    """One document of the letter in plaintext, to show (inline) or download. Reading it opens the letter."""
    letter = _openable(identity_number, letter_id, acr)
    document = letter.documents.filter(position=position).first()
    if document is None:
        raise LetterNotFound(_("The document does not exist."))
    content = _decrypt(letter.mailbox.provider, document)
    _mark_opened(letter)
    _record(
        "postkasse.document_downloaded",
        identity_number,
        letter,
        request=request,
        acr=acr,
        document=position,
        disposition="inline" if inline else "attachment",
    )
    return document, content


def mark_read(identity_number: str, letter_id: UUID | str, *, read: bool) -> Letter:
    letter = get_letter(identity_number, letter_id)
    letter.read = read
    letter.save(update_fields=["read"])
    return letter


def move_letter(
    identity_number: str, letter_id: UUID | str, *, folder_id: int | None = None, archive: bool = False
) -> Letter:
    """To a folder, to the archive, or (neither) back to the inbox."""
    letter = get_letter(identity_number, letter_id)
    letter.folder = get_folder(identity_number, folder_id) if folder_id is not None else None
    letter.archived = archive and letter.folder is None
    letter.save(update_fields=["folder", "archived"])
    return letter


@transaction.atomic
def delete_letter(identity_number: str, letter_id: UUID | str, *, request=None) -> None:
    """The letter disappears for the citizen, and its encrypted documents from storage."""
    letter = get_letter(identity_number, letter_id)
    letter.deleted_at = timezone.now()
    letter.folder = None
    letter.save(update_fields=["deleted_at", "folder"])
    envelopes = []
    for document in letter.documents.all():
        envelopes.append(document.envelope.name)
        document.envelope = ""
        document.save(update_fields=["envelope"])
    transaction.on_commit(lambda: _remove_envelopes(envelopes))
    _record("postkasse.letter_deleted", identity_number, letter, request=request)


def _remove_envelopes(names: list[str]) -> None:
    for name in names:
        private_storage().delete(name)


def _own_mailbox(identity_number: str) -> Mailbox:
    found = mailbox_of(identity_number)
    if found is None:
        raise NoMailbox(_("You have no digital mailbox."))
    return found


def _clean_folder_name(identity_number: str, name: str, *, folder: Folder | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise FolderRefused(_("Give the folder a name."))
    if len(name) > Folder._meta.get_field("name").max_length:
        raise FolderRefused(_("The name can be at most 60 characters."))
    taken = folders(identity_number).filter(name__iexact=name)
    if folder is not None:
        taken = taken.exclude(pk=folder.pk)
    if taken.exists():
        raise FolderRefused(_("You already have a folder with that name."))
    return name


def create_folder(identity_number: str, name: str) -> Folder:
    name = _clean_folder_name(identity_number, name)
    return Folder.objects.create(mailbox=_own_mailbox(identity_number), name=name)


def rename_folder(identity_number: str, folder_id: int, name: str) -> Folder:
    folder = get_folder(identity_number, folder_id)
    folder.name = _clean_folder_name(identity_number, name, folder=folder)
    folder.save(update_fields=["name"])
    return folder


def delete_folder(identity_number: str, folder_id: int) -> None:
    """The folder goes; its letters go back to the inbox (the foreign key is set to null)."""
    get_folder(identity_number, folder_id).delete()


def set_notifications(identity_number: str, *, sms: bool, email: bool) -> Mailbox:
    """Whether new letters are told about by SMS and by e-mail, for every mailbox the citizen has."""
    own = _own_mailbox(identity_number)
    Mailbox.objects.filter(identity_number=identity_number).update(notify_sms=sms, notify_email=email)
    own.refresh_from_db()
    return own
