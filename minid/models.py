"""MinID: the citizens' eID at security level 3 (substantial).

A person orders a PIN letter (numbered one-time codes), registers with two of its
codes, and then logs in with fødselsnummer + password + a one-time code, sent by
SMS or taken from the letter. Codes are stored only as keyed, salted hashes.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.storage import private_storage
from folkeregister.models import Person


class CodeChannel(models.TextChoices):
    SMS = "sms", _("SMS to my mobile")
    PIN = "pin", _("PIN code from my letter")


class MinidUser(models.Model):
    class Status(models.TextChoices):
        REGISTERING = "registering", _("Registration not finished")
        ACTIVE = "active", _("Active")
        LOCKED = "locked", _("Locked")

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="minid_user"
    )
    password = models.CharField(_("password"), max_length=200, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    mobile_verified_at = models.DateTimeField(_("mobile verified"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    email_verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)
    code_channel = models.CharField(
        _("one-time codes by"), max_length=3, choices=CodeChannel.choices, default=CodeChannel.SMS
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REGISTERING)
    failed_attempts = models.PositiveSmallIntegerField(_("failed attempts in a row"), default=0)
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True)
    # Shown to the citizen as "last login": the one before the session they are in.
    previous_login_at = models.DateTimeField(_("previous login"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("MinID user")
        verbose_name_plural = _("MinID users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="active") | ~models.Q(mobile="", email=""),
                name="minid_active_user_has_contact",
            ),
        ]

    def __str__(self):
        return f"MinID {self.person}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.LOCKED


class PinLetter(models.Model):
    """A letter of numbered one-time PIN codes. Only a person's newest letter counts."""

    class PrintStatus(models.TextChoices):
        QUEUED = "queued", _("Queued for printing")
        HELD = "held", _("Held for manual handling (protected address)")
        PRINTED = "printed", _("Printed and sent")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(_("created"), auto_now_add=True)
    failed_attempts = models.PositiveSmallIntegerField(_("wrong codes given"), default=0)
    blocked_at = models.DateTimeField(_("blocked"), null=True, blank=True)
    print_status = models.CharField(_("print status"), max_length=8, choices=PrintStatus.choices)
    printed_at = models.DateTimeField(_("printed"), null=True, blank=True)
    # The print-ready PDF holds the codes in clear; it is deleted once the letter is printed.
    pdf = models.FileField(_("letter (PDF)"), upload_to="pinbrev/", blank=True, storage=private_storage)

    class Meta:
        verbose_name = _("PIN letter")
        verbose_name_plural = _("PIN letters")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["person", "-created"], name="pinletter_person_newest")]

    def __str__(self):
        return f"PIN letter {self.serial} ({self.created:%d.%m.%Y})"

    @property
    def serial(self) -> str:
        return f"{self.pk:07d}"

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None


class PinCode(models.Model):
    letter = models.ForeignKey(PinLetter, on_delete=models.CASCADE, related_name="codes")
    number = models.PositiveSmallIntegerField()
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["letter", "number"], name="pincode_number_once")]
        ordering = ["number"]


class OneTimeCode(models.Model):
    """A code sent by SMS or e-mail: to log in, or to verify a new mobile or e-mail."""

    class Purpose(models.TextChoices):
        LOGIN = "login", _("Login")
        VERIFY_MOBILE = "verify_mobile", _("Verify mobile")
        VERIFY_EMAIL = "verify_email", _("Verify e-mail")

    user = models.ForeignKey(MinidUser, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    # The login attempt, or the mobile/e-mail being verified, the code is bound to.
    bound_to = models.CharField(max_length=254)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class Login(models.Model):
    """A login attempt: password checked in step 1, code in step 2."""

    class Method(models.TextChoices):
        SMS = "sms", "Minid-OTC"
        PIN = "pin", "Minid-PIN"

    id = models.UUIDField(primary_key=True)
    user = models.ForeignKey(MinidUser, on_delete=models.CASCADE, related_name="logins")
    started_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    method = models.CharField(max_length=3, choices=Method.choices)
    pin_number = models.PositiveSmallIntegerField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["completed_at", "method"], name="login_completed_method")]
