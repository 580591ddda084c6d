"""The hosted integrasjonspunkt (eFormidling 2, "next move"): the case systems' credentials, their
outgoing messages (a StandardBusinessDocument and its files) until they are sent, and the
conversations with their eFormidling statuses, which outlive the message as Digdir's do.

Files are sealed to postkasse's intake certificate (CMS EnvelopedData) and kept in the database, so
that a message and its files are stored, or refused, in one transaction."""

from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.utils.translation import gettext_lazy as _

from virksomheter.models import Organisation


class Credential(models.Model):
    """HTTP Basic credentials of a case system, for one organisation. Only the hash is stored."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    username = models.CharField(_("username"), max_length=100, unique=True)
    password = models.CharField(_("password"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("integrasjonspunkt credential")
        verbose_name_plural = _("integrasjonspunkt credentials")
        ordering = ["username"]

    def __str__(self):
        return self.username

    def set_password(self, raw_password: str) -> None:
        self.password = make_password(raw_password)

    def check_password(self, raw_password: str) -> bool:
        return check_password(raw_password, self.password)


class Status(models.TextChoices):
    """eFormidling's ReceiptStatus, in its order."""

    OPPRETTET = "OPPRETTET"
    SENDT = "SENDT"
    MOTTATT = "MOTTATT"
    LEVERT = "LEVERT"
    LEST = "LEST"
    FEIL = "FEIL"
    ANNET = "ANNET"
    INNKOMMENDE_MOTTATT = "INNKOMMENDE_MOTTATT"
    INNKOMMENDE_LEVERT = "INNKOMMENDE_LEVERT"
    LEVETID_UTLOPT = "LEVETID_UTLOPT"


# A conversation with one of these is finished (Digdir's Conversation.finished); LEST and FEIL may
# still follow LEVERT.
FINISHING_STATUSES = {Status.LEVERT, Status.LEST, Status.FEIL, Status.LEVETID_UTLOPT}
# Nothing more can follow these: the conversation is no longer followed in postkasse.
CLOSING_STATUSES = {Status.LEST, Status.FEIL, Status.LEVETID_UTLOPT}


class Direction(models.TextChoices):
    OUTGOING = "OUTGOING"
    INCOMING = "INCOMING"


class Conversation(models.Model):
    """One message as eFormidling follows it: an outgoing one created with the message and kept after
    sending; an incoming one (an arkivmelding filed in the organisation's archive) at its receiver."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    conversation_id = models.UUIDField(_("conversation id"))
    message_id = models.UUIDField(_("message id"))
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.OUTGOING
    )
    sender_identifier = models.CharField(_("sender"), max_length=40)
    receiver_identifier = models.CharField(_("receiver"), max_length=40)
    process_identifier = models.CharField(_("process"), max_length=200)
    document_identifier = models.CharField(_("document type"), max_length=200)
    message_type = models.CharField(_("message type"), max_length=20)
    message_title = models.CharField(_("title"), max_length=255, blank=True)
    service_identifier = models.CharField(_("service"), max_length=10, default="DPI")
    # The SBD as answered when it was created: the answer to the same messageId again.
    sbd = models.JSONField(_("standard business document"))
    expiry = models.DateTimeField(_("expiry"))
    last_update = models.DateTimeField(_("last update"))
    finished = models.BooleanField(_("finished"), default=False)
    # Set when a status that ends all following is registered.
    closed = models.BooleanField(_("closed"), default=False)
    pollable = models.BooleanField(_("pollable"), default=False)
    # The letter postkasse accepted when the message was sent.
    letter_id = models.UUIDField(_("postkasse letter"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "direction", "message_id"],
                name="eformidling_one_conversation_per_message",
            )
        ]
        indexes = [models.Index(fields=["organisation", "closed"], name="eformidling_open_conversations")]

    def __str__(self):
        return str(self.message_id)


class OutgoingMessage(models.Model):
    """A message the case system is still putting together: gone once sent or deleted."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="outgoing")
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")


class OutgoingFile(models.Model):
    message = models.ForeignKey(OutgoingMessage, on_delete=models.CASCADE, related_name="files")
    filename = models.CharField(_("file name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    mime_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    primary = models.BooleanField(_("main document"), default=False)
    # The content as CMS EnvelopedData to postkasse's intake certificate, never in plaintext.
    envelope = models.BinaryField()
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "filename"], name="eformidling_unique_filename")
        ]


class MessageStatus(models.Model):
    """One eFormidling status of a conversation; each status at most once per conversation."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="statuses")
    status = models.CharField(_("status"), max_length=30, choices=Status.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    last_update = models.DateTimeField(_("time"))
    # The DPI receipt (a standardBusinessDocument in JSON) the status comes from, as Digdir's rawReceipt.
    raw_receipt = models.TextField(_("receipt"), blank=True)
    # Still in the status queue (GET /api/statuses/peek) until the case system deletes it.
    queued = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("message status")
        verbose_name_plural = _("message statuses")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "status"], name="eformidling_one_status_of_each")
        ]
        indexes = [models.Index(fields=["queued", "id"], name="eformidling_status_queue")]

    def __str__(self):
        return self.status


class CaseLink(models.Model):
    """A case of one organisation's archive and the case of another's that its arkivmelding was filed
    on: a later message about the same case, or an answer from the other side, goes on the same case
    (the sender's mappe systemID means nothing in the receiver's archive by itself)."""

    sender = models.ForeignKey(
        Organisation, verbose_name=_("sender"), on_delete=models.CASCADE, related_name="+"
    )
    # The mappe systemID as the sender's arkivmelding gives it.
    sender_case = models.CharField(_("sender's case"), max_length=40)
    receiver = models.ForeignKey(
        Organisation, verbose_name=_("receiver"), on_delete=models.CASCADE, related_name="+"
    )
    # The systemID of the receiver's case the message was filed on.
    receiver_case = models.UUIDField(_("receiver's case"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("case link")
        verbose_name_plural = _("case links")
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "sender_case", "receiver"], name="eformidling_one_link_per_sender_case"
            )
        ]
        indexes = [models.Index(fields=["receiver", "sender", "receiver_case"], name="eformidling_link_back")]

    def __str__(self):
        return f"{self.sender_case} -> {self.receiver_case}"


class IncomingMessage(models.Model):
    """A message to the organisation waiting in its queue (GET /api/messages/in/peek), until the case
    system deletes it: in Felles, the arkivmelding_kvittering its arkivmelding got back (an arkivmelding
    itself goes straight into the receiver's archive)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    message_id = models.UUIDField(_("message id"))
    conversation_id = models.UUIDField(_("conversation id"))
    sender_identifier = models.CharField(_("sender"), max_length=40)
    receiver_identifier = models.CharField(_("receiver"), max_length=40)
    process_identifier = models.CharField(_("process"), max_length=200)
    service_identifier = models.CharField(_("service"), max_length=10)
    sbd = models.JSONField(_("standard business document"))
    # Taken by a peek until then; another peek skips it (Digdir's lockTimeout).
    lock_timeout = models.DateTimeField(_("locked until"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("incoming message")
        verbose_name_plural = _("incoming messages")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "message_id"], name="eformidling_one_incoming_per_message"
            )
        ]

    def __str__(self):
        return str(self.message_id)
