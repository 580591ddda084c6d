"""Background delivery of outbound messages (run by `manage.py db_worker`)."""

from django.core.mail import send_mail
from django_tasks import task

from core.sms import send_sms


@task()
def deliver_sms(to: str, text: str) -> str:
    """Hand one SMS to the configured backend; returns the number it went to."""
    return send_sms(to, text).to


@task()
def deliver_email(to: str, subject: str, body: str) -> str:
    """Send one plain-text e-mail through Django's e-mail framework."""
    send_mail(subject, body, None, [to])
    return to
