"""Keeps messages in the outbox table; the demo shows them on /utvikling/sms/."""

from core.models import OutboundSms


class OutboxBackend:
    def send(self, message) -> None:
        OutboundSms.objects.create(to=message.to, text=message.text, sender=message.sender)
