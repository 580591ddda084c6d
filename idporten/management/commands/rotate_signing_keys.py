"""Make new signing keys for ID tokens and access tokens. The keys they replace stay in the
JWKS until every token they signed has expired, so relying parties can still verify those."""

from django.core.management.base import BaseCommand

from idporten import keys


class Command(BaseCommand):
    help = "Rotate ID-porten's signing keys; prints the new key ids (kid)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--algorithm",
            choices=[*keys.ALGORITHMS, "all"],
            default="all",
            help="The key to rotate (default: all).",
        )

    def handle(self, *args, algorithm: str, **options):
        algorithms = keys.ALGORITHMS if algorithm == "all" else (algorithm,)
        for name in algorithms:
            key = keys.rotate(name)
            self.stdout.write(f"{name}: {key.kid}")
