"""manage.py seed_contact_register: contact records for the synthetic population."""

from django.core.management.base import BaseCommand

from kontaktregister.seeding import seed_contact_register


class Command(BaseCommand):
    help = "Register contact information for most living adults who have none (demo and benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same register.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the register has records."
        )

    def handle(self, *args, seed, if_empty, **options):
        made = seed_contact_register(seed=seed, only_if_empty=if_empty)
        self.stdout.write(self.style.SUCCESS(f"Registered contact information for {made} persons."))
