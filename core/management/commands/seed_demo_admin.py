"""The demo's case-handler login: a superuser `admin` with the password from
DEMO_ADMIN_PASSWORD (default `felles-demo`). Refuses to run with DEBUG off."""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the demo admin user if it does not exist (development and demo only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo admin user is only created with DEBUG on.")
        username = "admin"
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write("Demo admin user already exists.")
            return
        password = os.environ.get("DEMO_ADMIN_PASSWORD", "felles-demo")
        User.objects.create_superuser(username=username, email="admin@felles.localhost", password=password)
        self.stdout.write(f"Demo admin user created: {username}")
