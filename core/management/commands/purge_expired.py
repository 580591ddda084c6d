"""manage.py purge_expired: delete the rows that guard nothing any more (core.housekeeping)."""

from django.core.management.base import BaseCommand

from core.housekeeping import purge_expired


class Command(BaseCommand):
    help = (
        "Delete expired one-time codes, tokens, sessions, used jtis and assertions, and old finished "
        "task results, and print how many of each. Safe to run at any time; run it every few minutes."
    )

    def handle(self, *args, **options):
        counts = purge_expired()
        for label, count in sorted(counts.items()):
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(f"Deleted {sum(counts.values())} expired rows.")
