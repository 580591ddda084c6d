"""Kontakt- og reservasjonsregisteret (KRR): the citizen's contact details for the public
sector, reservation against digital post, and the chosen digital mailbox."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from folkeregister.models import Person


class ContactRecord(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DELETED = "deleted", _("Deleted")

    class Language(models.TextChoices):
        NB = "nb", _("Norwegian Bokmål")
        NN = "nn", _("Norwegian Nynorsk")
        EN = "en", _("English")
        SE = "se", _("Northern Sami")

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    mobile_updated_at = models.DateTimeField(_("mobile updated"), null=True, blank=True)
    mobile_verified_at = models.DateTimeField(_("mobile last verified"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    email_updated_at = models.DateTimeField(_("e-mail updated"), null=True, blank=True)
    email_verified_at = models.DateTimeField(_("e-mail last verified"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.NB)
    language_updated_at = models.DateTimeField(_("language updated"), null=True, blank=True)
    reserved = models.BooleanField(_("reserved against digital post"), default=False)
    reserved_changed_at = models.DateTimeField(_("reservation changed"), null=True, blank=True)
    # The chosen digital mailbox (the digital post issue registers the providers).
    mailbox_provider = models.CharField(_("mailbox provider"), max_length=100, blank=True)
    mailbox_address = models.CharField(_("mailbox address"), max_length=200, blank=True)
    mailbox_certificate = models.TextField(_("provider's encryption certificate (PEM)"), blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("contact record")
        verbose_name_plural = _("contact records")

    def __str__(self):
        return str(self.person)


class MailboxProvider(models.Model):
    """A digital mailbox provider the citizen may choose (e-Boks- and Digipost-like); the digital
    post app registers them. KRR hands out the provider's certificate, never its key."""

    identifier = models.CharField(
        _("provider address"),
        max_length=100,
        unique=True,
        help_text=_("What KRR answers as postkasseleverandoeradresse."),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description shown to citizens"), max_length=300, blank=True)
    certificate = models.TextField(_("encryption certificate (PEM)"))
    active = models.BooleanField(_("open for new mailboxes"), default=True)

    class Meta:
        verbose_name = _("mailbox provider")
        verbose_name_plural = _("mailbox providers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class VerificationCode(models.Model):
    """A code sent to a new mobile number or e-mail address; the change is made when it comes back.
    Stored as a keyed hash; a new code replaces the old one."""

    class Kind(models.TextChoices):
        MOBILE = "mobile", _("mobile")
        EMAIL = "email", _("e-mail")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    value = models.CharField(max_length=254)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="one_code_per_person_and_kind")
        ]
