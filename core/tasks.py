"""Background delivery of outbound messages (run by `manage.py db_worker`)."""

from django_tasks import task

from core.sms import send_sms


@task()
def deliver_sms(to: str, text: str) -> str:
    """Hand one SMS to the configured backend; returns the number it went to."""
    return send_sms(to, text).to
