"""manage.py deliver_backchannel_logouts: attempt every back-channel logout delivery that is due."""

from django.core.management.base import BaseCommand

from idporten.services.logout import deliver_due


class Command(BaseCommand):
    help = (
        "Attempt every pending back-channel logout delivery whose next attempt is due, also those whose "
        "queued task was lost with a killed worker, and print how many ended in each state. Safe to run "
        "at any time; run it every few minutes (and at start), like purge_expired."
    )

    def handle(self, *args, **options):
        counts = deliver_due()
        for state, count in sorted(counts.items()):
            self.stdout.write(f"{state}: {count}")
        self.stdout.write(f"Attempted {sum(counts.values())} back-channel logout deliveries.")
