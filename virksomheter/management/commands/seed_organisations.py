from django.core.management.base import BaseCommand

from virksomheter.demo import seed_demo_organisations


class Command(BaseCommand):
    help = "Create the demo organisations (idempotent)."

    def handle(self, *args, **options):
        created = seed_demo_organisations()
        self.stdout.write(f"Demo organisations: {len(created)} created.")
