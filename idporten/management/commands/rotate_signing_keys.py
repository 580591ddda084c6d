"""Rotate the signing keys of ID tokens and access tokens, as a schedule: the next key is published in
the JWKS now and signs from IDPORTEN_KEY_PREPUBLISH_SECONDS later, on every node by itself; the key it
replaces signs until then and stays in the JWKS until every token it signed has expired.

`--now` is for a compromised key: the new key signs at once and the old one stops signing. Relying
parties that cached the JWKS then fail on the new key's tokens until they fetch it again, and the other
nodes go on signing with the old key for up to idporten.keys.KEY_SET_SECONDS."""

from django.core.management.base import BaseCommand, CommandError

from core import audit
from idporten import keys


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


class Command(BaseCommand):
    help = (
        "Publish the next ID-porten signing key; it signs from IDPORTEN_KEY_PREPUBLISH_SECONDS later. "
        "--now: it signs at once (a compromised key; breaks relying parties' cached JWKS)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--algorithm",
            choices=[*keys.ALGORITHMS, "all"],
            default="all",
            help="The key to rotate (default: all).",
        )
        parser.add_argument(
            "--now",
            action="store_true",
            help=(
                "Emergency, for a compromised key: the new key signs at once and the old one stops "
                "signing. Relying parties that cached the JWKS fail on new tokens until they fetch it again."
            ),
        )

        parser.add_argument(
            "--withdraw",
            action="store_true",
            help=(
                "With --now: delete the replaced keys at once, so that they leave the JWKS and every "
                "token they signed stops verifying (a stolen key's tokens cannot be told from ours)."
            ),
        )

    def handle(self, *args, algorithm: str, now: bool, withdraw: bool, **options):
        if withdraw and not now:
            raise CommandError("--withdraw is for a compromised key and needs --now.")
        algorithms = keys.ALGORITHMS if algorithm == "all" else (algorithm,)
        for name in algorithms:
            rotation = keys.rotate_now(name, withdraw=withdraw) if now else keys.schedule_rotation(name)
            audit.record(
                "idporten.signing_key_rotated",
                actor="manage.py rotate_signing_keys",
                obj=rotation.key,
                details={
                    "algorithm": name,
                    "kid": rotation.key.kid,
                    "signs_from": rotation.signs_from.isoformat(),
                    "replaces": [key.kid for key in rotation.replaced],
                    "emergency": now,
                    "withdrawn": withdraw,
                },
            )
            self.stdout.write(
                f"{name}: published key {rotation.key.kid}; it signs from {_when(rotation.signs_from)}"
                + (" (at once)." if now else ".")
            )
            for old in rotation.replaced:
                if withdraw:
                    self.stdout.write(f"{name}: key {old.kid} is withdrawn: deleted, out of the JWKS.")
                    continue
                self.stdout.write(
                    f"{name}: key {old.kid} signs until then and leaves the JWKS at "
                    f"{_when(rotation.replaced_leave_jwks_at)}."
                )
        if now:
            self.stderr.write(
                "The new keys sign at once: relying parties that cached the JWKS cannot verify new "
                "tokens until they fetch it again."
            )
