"""Shared records: the audit trail and the SMS outbox."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit trail is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit trail is append-only.")


class AuditEvent(models.Model):
    """One security-relevant event. Written only through core.audit.record()."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        FAILURE = "failure", _("Failure")
        DENIED = "denied", _("Denied")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.CharField(_("actor"), max_length=200)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        # The event outlives the account: keep the id, never rewrite the row.
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object"), max_length=100, blank=True, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-time", "-id"]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit trail is append-only.")


class OutboundSms(models.Model):
    """An SMS as handed to the outbox backend (the demo's and development's 'phone')."""

    created = models.DateTimeField(_("created"), auto_now_add=True)
    sender = models.CharField(_("sender"), max_length=11)
    to = models.CharField(_("to"), max_length=20, db_index=True)
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS outbox")
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.to} {self.created:%Y-%m-%d %H:%M}"


class ThrottleCounter(models.Model):
    """Hits on one throttle key within one window (core.throttle). The key is stored as an HMAC."""

    digest = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["digest", "window_start"], name="throttle_one_counter")
        ]
