"""manage.py seed_population --count N --seed S: a deterministic synthetic population."""

from django.core.management.base import BaseCommand, CommandError

from core.progress import progress
from folkeregister import seeding
from folkeregister.models import Person


class Command(BaseCommand):
    help = "Fill an empty population register with N synthetic persons (Tenor-style numbers)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many persons.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same people.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the register already has persons.",
        )

    def handle(self, *args, count, seed, if_empty, verbosity, **options):
        if if_empty and Person.objects.exists():
            self.stdout.write("The population register is already seeded; nothing to do.")
            return
        bar = progress(count, description="Seeding persons", unit="persons", enabled=verbosity > 0)
        try:
            with bar:
                added = seeding.seed_population(count, seed=seed, on_progress=bar.update)
        except seeding.SeedError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Seeded {added} synthetic persons (seed {seed})."))
