from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from virksomheter.demo_certificates import seed_demo_certificates


class Command(BaseCommand):
    help = (
        "Create the demo test CA and an enterprise certificate for each demo organisation, granted every "
        "scope (idempotent). maskinporten's seed_demo_maskinporten_clients registers their clients."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo certificates are only made with DEBUG on.")
        folder = seed_demo_certificates()
        self.stdout.write(f"Demo enterprise certificates and keys: {folder}")
