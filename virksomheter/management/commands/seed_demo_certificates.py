from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from maskinporten.demo import seed_demo_clients
from virksomheter.demo import DEMO_ORGANISATIONS
from virksomheter.demo_certificates import seed_demo_certificates
from virksomheter.models import Organisation


class Command(BaseCommand):
    help = (
        "Create the demo test CA, an enterprise certificate and a Maskinporten client for each demo "
        "organisation, and a registered key for one client (idempotent)."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo certificates are only made with DEBUG on.")
        folder = seed_demo_certificates()
        self.stdout.write(f"Demo enterprise certificates and keys: {folder}")
        # The command, not virksomheter's services, reaches up to maskinporten: seeding spans both.
        numbers = [data["organisasjonsnummer"] for data in DEMO_ORGANISATIONS]
        organisations = Organisation.objects.filter(organisasjonsnummer__in=numbers).order_by(
            "organisasjonsnummer"
        )
        for client, key_file in seed_demo_clients(organisations, folder):
            line = f"Maskinporten client of {client.organisation}: {client.client_id}"
            self.stdout.write(
                line
                + (
                    f" (kid {client.keys.get(revoked_at__isnull=True).kid}, key {key_file})"
                    if key_file
                    else ""
                )
            )
