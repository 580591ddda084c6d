"""manage.py seed_demo_eformidling: an integrasjonspunkt Basic credential for Velferdsetaten, the demo
agency whose letters the demo citizen gets, with the password from DEMO_ADMIN_PASSWORD (default
`felles-demo`) and the send grant the integrasjonspunkt requires. Idempotent: run again, the
credential is the same and its password the demo password. Refuses to run with DEBUG off."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from eformidling.auth import SCOPE
from eformidling.services.credentials import set_credential
from virksomheter import services as virksomheter
from virksomheter.models import Organisation

ORGANISATION_NUMBER = "974312344"
USERNAME = "velferdsetaten-demo"
SEEDED_BY = "demo-seed"


class Command(BaseCommand):
    help = "Make the demo integrasjonspunkt credential for Velferdsetaten (development and demo only)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="", help="Where the demo is served, for the printed line.")

    def handle(self, *args, base_url, **options):
        if not settings.DEBUG:
            raise CommandError("The demo integrasjonspunkt credential is only made with DEBUG on.")
        organisation = Organisation.objects.filter(organisasjonsnummer=ORGANISATION_NUMBER).first()
        if organisation is None:
            raise CommandError("Run seed_organisations first: Velferdsetaten does not exist.")
        virksomheter.grant_scope(organisation, SCOPE, granted_by=SEEDED_BY)
        password = os.environ.get("DEMO_ADMIN_PASSWORD", "felles-demo")
        credential = set_credential(organisation, USERNAME, password, changed_by=SEEDED_BY)
        self.stdout.write(
            f"Integrasjonspunkt credential of {organisation}: {credential.username} at {base_url.rstrip('/')}/api/"
        )
