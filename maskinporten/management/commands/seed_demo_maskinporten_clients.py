"""manage.py seed_demo_maskinporten_clients: a Maskinporten client for each demo organisation, and
Velferdsetaten's registered key, its private JWK beside the demo certificates. Runs after
seed_demo_certificates, which grants the organisations the scopes the clients are registered for."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from maskinporten.demo import seed_demo_clients
from virksomheter.demo import DEMO_ORGANISATIONS
from virksomheter.demo_certificates import certificate_dir
from virksomheter.models import Organisation


class Command(BaseCommand):
    help = (
        "Register a Maskinporten client for each demo organisation, and a key for Velferdsetaten's "
        "(idempotent; run seed_demo_certificates first)."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo Maskinporten clients are only made with DEBUG on.")
        folder = certificate_dir()
        if not folder.is_dir():
            raise CommandError(
                "Run seed_demo_certificates first: the key is written beside its certificates."
            )
        numbers = [data["organisasjonsnummer"] for data in DEMO_ORGANISATIONS]
        organisations = Organisation.objects.filter(organisasjonsnummer__in=numbers).order_by(
            "organisasjonsnummer"
        )
        for client, key in seed_demo_clients(organisations, folder):
            line = f"Maskinporten client of {client.organisation}: {client.client_id}"
            self.stdout.write(line + (f" (kid {key.kid}, key {key.path})" if key else ""))
