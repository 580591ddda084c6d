"""Digdir's signing service: a service owner asks one named citizen to sign a document (a PDF or a
plain text) with their level-4 card; the service gets a detached CMS signature back."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from virksomheter.models import Organisation


class Signeringsoppdrag(models.Model):
    """A signing job: one document, one signer, one answer (signed, declined or expired)."""

    class Status(models.TextChoices):
        VENTER = "venter", _("Waiting for the signer")
        SIGNERT = "signert", _("Signed")
        AVVIST = "avvist", _("Declined")
        UTLOPT = "utlopt", _("Expired")

    class Kind(models.TextChoices):
        PDF = "application/pdf", _("PDF document")
        TEXT = "text/plain", _("Text")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="signing_jobs", verbose_name=_("organisation")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("document type"), max_length=20, choices=Kind.choices)
    # Exactly the bytes the service sent (a text in UTF-8): the signature's messageDigest is over them.
    document = models.BinaryField(_("document"))
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 of the document"), max_length=64)
    signer = models.CharField(_("signer (identity number)"), max_length=11, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VENTER)
    return_url = models.URLField(_("return URL"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    # Between "prepare" and "complete": what the card is asked to sign, never taken back from the browser.
    signed_attributes = models.BinaryField(_("signed attributes (DER)"), null=True, editable=False)
    prepared_certificate = models.BinaryField(
        _("certificate being signed with (DER)"), null=True, editable=False
    )
    prepared_at = models.DateTimeField(_("prepared"), null=True, blank=True)
    signature = models.BinaryField(_("signature (CMS SignedData, DER)"), null=True, editable=False)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    signer_subject = models.CharField(_("signer certificate's subject"), max_length=500, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing job")
        verbose_name_plural = _("signing jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="signing_job_org_created")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["venter", "signert", "avvist", "utlopt"]),
                name="signing_job_status_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="signert")
                | models.Q(signature__isnull=False, signed_at__isnull=False),
                name="signing_job_signed_has_signature",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="avvist") | models.Q(declined_at__isnull=False),
                name="signing_job_declined_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_pdf(self) -> bool:
        return self.kind == self.Kind.PDF

    @property
    def text(self) -> str:
        return bytes(self.document).decode() if self.kind == self.Kind.TEXT else ""
