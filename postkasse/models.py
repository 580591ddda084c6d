"""Sikker digital post: mailbox providers and their mailboxes, letters (forsendelser) with their
encrypted documents, receipts back to the sender, print batches and the price table.

No plaintext letter content is stored: documents are CMS EnvelopedData, to Felles' intake
certificate from acceptance until routing, then to the mailbox provider's certificate."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.storage import private_storage
from virksomheter.models import Organisation

SECURITY_LEVELS = ((3, _("Level 3 (substantial)")), (4, _("Level 4 (high)")))


class Provider(models.Model):
    """A digital mailbox provider (e-Boks- or Digipost-like), a tenant of its own. Its private key
    is read from a file or an environment variable, never stored here."""

    identifier = models.CharField(_("organisation number"), max_length=9, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description shown to citizens"), max_length=300, blank=True)
    certificate = models.TextField(_("encryption certificate (PEM)"))
    key_file = models.CharField(_("private key file"), max_length=500, blank=True)
    key_env = models.CharField(_("environment variable with the private key"), max_length=100, blank=True)
    available = models.BooleanField(
        _("available"), default=True, help_text=_("Deliveries are retried while the provider is unavailable.")
    )

    class Meta:
        verbose_name = _("mailbox provider")
        verbose_name_plural = _("mailbox providers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(key_file="", key_env=""), name="provider_key_has_a_source"
            )
        ]

    def __str__(self):
        return self.name


class Mailbox(models.Model):
    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.PROTECT)
    address = models.CharField(_("mailbox address"), max_length=200)
    identity_number = models.CharField(_("owner"), max_length=11, db_index=True)
    notify_sms = models.BooleanField(_("notify by SMS"), default=True)
    notify_email = models.BooleanField(_("notify by e-mail"), default=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        constraints = [models.UniqueConstraint(fields=["provider", "address"], name="unique_mailbox_address")]

    def __str__(self):
        return f"{self.address} ({self.provider})"


class Folder(models.Model):
    """A folder the citizen made in their mailbox."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="folders")
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["mailbox", "name"], name="unique_folder_name")]

    def __str__(self):
        return self.name


class Letter(models.Model):
    """One forsendelse: from an organisation to a person, through one channel."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        DELIVERED = "delivered", _("Delivered to the mailbox")
        AWAITING_PRINT = "awaiting_print", _("Waiting for print")
        HELD = "held", _("Held for manual handling")
        PRINTED = "printed", _("Printed and posted")
        RETURNED = "returned", _("Returned to sender")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired before delivery")

    class Channel(models.TextChoices):
        DIGITAL = "digital", _("Digital")
        PRINT = "print", _("Print")

    class Priority(models.TextChoices):
        NORMAL = "normal", _("Normal")
        PRIORITISED = "prioritert", _("Prioritised")

    class PostClass(models.TextChoices):
        A = "A", _("A-post")
        B = "B", _("B-post")

    class ReturnHandling(models.TextChoices):
        RETURN = "DIREKTE_RETUR", _("Return to the sender")
        SHRED = "MAKULERING_MED_MELDING", _("Shred and tell the sender")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sender = models.ForeignKey(
        Organisation, verbose_name=_("sender"), on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    recipient = models.CharField(_("recipient"), max_length=11, db_index=True)
    title = models.CharField(_("title (shown in notifications)"), max_length=200)
    sensitive_title = models.CharField(_("sensitive title"), max_length=200, blank=True)
    security_level = models.PositiveSmallIntegerField(_("security level"), choices=SECURITY_LEVELS, default=3)
    virkningsdato = models.DateTimeField(_("virkningsdato"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    notify_sms = models.BooleanField(_("notify by SMS"), default=True)
    notify_email = models.BooleanField(_("notify by e-mail"), default=True)
    reminder_days = models.JSONField(_("reminders after days"), default=list, blank=True)
    opening_receipt = models.BooleanField(_("opening receipt wanted"), default=False)
    print_fallback = models.BooleanField(_("print if not digital"), default=True)
    # Letters that must go on paper whatever the register says (MinID's PIN letters).
    paper_only = models.BooleanField(_("paper only"), default=False)
    post_class = models.CharField(
        _("post class"), max_length=1, choices=PostClass.choices, default=PostClass.B
    )
    colour = models.BooleanField(_("colour print"), default=False)
    return_address = models.JSONField(_("return address lines"), default=list, blank=True)
    return_handling = models.CharField(
        _("returned mail"), max_length=30, choices=ReturnHandling.choices, default=ReturnHandling.RETURN
    )
    # A print letter to the address the sender gave ({"name", "lines", "postal_code", "postal_area",
    # "country"}), not to the population register's; empty: the register's.
    print_address = models.JSONField(_("print address"), default=dict, blank=True)
    # The sender's own notice texts (empty: Felles' default notice), and the letter's language
    # (ISO 639-1, lower case), which the notice is written in where Felles has that language.
    notice_sms_text = models.CharField(_("SMS notice text"), max_length=160, blank=True)
    notice_email_text = models.CharField(_("e-mail notice text"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=2, blank=True)
    # Not delivered to the mailbox or handed to print by then: never delivered (EXPIRED).
    expires_at = models.DateTimeField(_("deliver before"), null=True, blank=True)
    # The sender takes answers from the mailbox (the case archive's letters, which file them on the case).
    replies_allowed = models.BooleanField(_("replies allowed"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACCEPTED)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    failure_reason = models.CharField(_("reason"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("mailbox"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters",
    )
    price_ore = models.PositiveIntegerField(_("price (øre)"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    # The citizen's handling in the mailbox.
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    read = models.BooleanField(_("read"), default=False)
    folder = models.ForeignKey(
        Folder, null=True, blank=True, on_delete=models.SET_NULL, related_name="letters"
    )
    archived = models.BooleanField(_("archived"), default=False)
    deleted_at = models.DateTimeField(_("deleted by the recipient"), null=True, blank=True)

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "idempotency_key"], name="one_letter_per_idempotency_key"
            )
        ]
        indexes = [models.Index(fields=["mailbox", "-delivered_at"], name="mailbox_newest_first")]

    def __str__(self):
        return self.title


class Document(models.Model):
    """A PDF in the letter, stored as CMS EnvelopedData (never in plaintext)."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="documents")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"))
    pages = models.PositiveSmallIntegerField(_("pages"), default=0)
    sha256 = models.CharField(max_length=64)
    envelope = models.FileField(storage=private_storage, upload_to="postkasse/%Y/%m/%d/")

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "position"], name="unique_document_position")
        ]


class Receipt(models.Model):
    """What happened to a letter, for the sender to poll and acknowledge."""

    class Kind(models.TextChoices):
        DELIVERED = "levert", _("Delivered")
        OPENED = "aapnet", _("Opened")
        NOTIFICATION_FAILED = "varsling_feilet", _("Notification failed")
        PRINTED = "printet", _("Printed")
        RETURNED = "returpost", _("Returned to sender")
        FAILED = "feilet", _("Failed")
        EXPIRED = "utlopt", _("Expired before delivery")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="receipts")
    sender = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created = models.DateTimeField(_("time"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        ordering = ["created", "pk"]
        constraints = [models.UniqueConstraint(fields=["letter", "kind"], name="one_receipt_of_each_kind")]
        indexes = [models.Index(fields=["sender", "acknowledged_at", "created"], name="receipt_feed")]


class PrintBatch(models.Model):
    """The letters for one print run: one day, one post class, colour or black and white."""

    day = models.DateField(_("day"))
    post_class = models.CharField(_("post class"), max_length=1, choices=Letter.PostClass.choices)
    colour = models.BooleanField(_("colour"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    # A batch closes by itself at the end of its day, or earlier when the print room closes it.
    closed_at = models.DateTimeField(_("closed for printing"), null=True, blank=True)
    printed_at = models.DateTimeField(_("printed"), null=True, blank=True)

    class Meta:
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")
        ordering = ["-day", "post_class", "colour"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "post_class", "colour"],
                condition=models.Q(printed_at__isnull=True, closed_at__isnull=True),
                name="one_open_batch_per_day_and_kind",
            )
        ]

    def __str__(self):
        colour = _("colour") if self.colour else _("black and white")
        return f"{self.day} {self.get_post_class_display()} {colour}"


class PrintJob(models.Model):
    """A letter in a print batch: its address page, encrypted to the intake certificate; the batch
    PDF puts it before the letter's documents when the batch is fetched for printing."""

    letter = models.OneToOneField(Letter, on_delete=models.CASCADE, related_name="print_job")
    batch = models.ForeignKey(PrintBatch, on_delete=models.PROTECT, related_name="jobs")
    pages = models.PositiveSmallIntegerField(_("pages"))
    envelope = models.FileField(storage=private_storage, upload_to="postkasse/print/%Y/%m/%d/")


class Price(models.Model):
    """The price of one letter by channel and size band (up to and including max_bytes)."""

    channel = models.CharField(_("channel"), max_length=10, choices=Letter.Channel.choices)
    max_bytes = models.PositiveIntegerField(_("up to bytes"))
    price_ore = models.PositiveIntegerField(_("price (øre)"))

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("price table")
        ordering = ["channel", "max_bytes"]
        constraints = [models.UniqueConstraint(fields=["channel", "max_bytes"], name="one_price_per_band")]

    def __str__(self):
        return f"{self.get_channel_display()} ≤ {self.max_bytes} B: {self.price_ore / 100:.2f} kr"


class IntakeKey(models.Model):
    """Felles' intake key pair, one for every node: the private key encrypted with a key derived
    from the settings (POSTKASSE_KEY_ENCRYPTION_KEY, or SECRET_KEY), never stored in plaintext.
    Used unless the operator configured the pair's files."""

    name = models.CharField(max_length=20, unique=True, default="intake")
    certificate = models.TextField(_("certificate (PEM)"))
    encrypted_private_key = models.BinaryField()
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("intake key")
        verbose_name_plural = _("intake keys")

    def __str__(self):
        return self.name
