"""The demo services' OIDC clients (demo-velferd, demo-lanefond), registered once; their
secrets are kept in var/demo-clients.json. Development and demo only."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.services import DEFAULT_BASE_URLS, secrets_file, seed_demo_clients


class Command(BaseCommand):
    help = "Register (once) the OIDC clients of the demo services and keep their secrets under var/."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            action="append",
            dest="base_urls",
            help="Where the demo runs, for the redirect URIs (repeatable; default: "
            + " and ".join(DEFAULT_BASE_URLS)
            + ").",
        )

    def handle(self, *args, base_urls: list[str] | None, **options):
        if not settings.DEBUG:
            raise CommandError("The demo clients are only created with DEBUG on.")
        clients = seed_demo_clients(base_urls=base_urls or list(DEFAULT_BASE_URLS))
        names = ", ".join(client.client_id for client in clients)
        self.stdout.write(f"Demo clients {names}: secrets in {secrets_file()}")
