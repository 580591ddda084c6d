"""The demo's MinID citizen: a living adult from the synthetic population with a MinID
user, a known password and a PIN letter. Prints how to log in. Development and demo only."""

import os

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from folkeregister.models import AddressProtection, Person, Status
from minid import services
from minid.demo import DEMO_MOBILE
from minid.models import CodeChannel, MinidUser


class Command(BaseCommand):
    help = "Create (once) and show the demo MinID citizen."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo citizen is only created with DEBUG on.")
        password = os.environ.get("DEMO_CITIZEN_PASSWORD", "Fjellet2026")
        user = MinidUser.objects.filter(mobile=DEMO_MOBILE).select_related("person").first()
        if user is None:
            person = (
                Person.objects.filter(
                    status=Status.BOSATT,
                    address_protection=AddressProtection.UGRADERT,
                    birth_date__year__lte=timezone.now().year - 30,
                    minid_user__isnull=True,
                )
                .order_by("identity_number")
                .first()
            )
            if person is None:
                raise CommandError("No person to make the demo citizen of: seed the population first.")
            services.order_pin_letter(person.identity_number, ordered_by="demo-seed")
            now = timezone.now()
            user = MinidUser.objects.create(
                person=person,
                password=make_password(password),
                password_changed_at=now,
                mobile=DEMO_MOBILE,
                mobile_verified_at=now,
                code_channel=CodeChannel.SMS,
                status=MinidUser.Status.ACTIVE,
                consent_at=now,
            )
        self.stdout.write(
            f"MinID demo citizen: {user.person.full_name}, fødselsnummer {user.person.identity_number}, "
            f"password {password} (SMS codes at /utvikling/sms/, PIN letter in the admin under PIN-brev)"
        )
