"""manage.py postkasse_recover: queue again the steps of letters whose worker was lost."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from core.tasks import requeue_lost_messages
from postkasse.services.recovery import STALE_AFTER, recover_letters


class Command(BaseCommand):
    help = (
        "Queue routing again for letters still accepted, and notices for delivered letters never "
        "notified, when their task was lost with a killed worker, and the SMS and e-mail it was "
        "sending. Safe to run at any time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=STALE_AFTER.total_seconds(),
            metavar="SECONDS",
            help="Leave tasks started more recently than this alone (default: %(default)d).",
        )

    def handle(self, *args, older_than, **options):
        older_than = timedelta(seconds=older_than)
        recovered = recover_letters(older_than=older_than)
        messages = requeue_lost_messages(older_than=older_than)
        self.stdout.write(
            f"Queued routing again for {recovered.routed} letters, notices for {recovered.notified}, "
            f"and {messages} SMS and e-mail messages."
        )
