"""manage.py load_klassifikasjon: load a classification key, such as KS's K-koder, into an organisation's
archive from a semicolon-separated file (klasseID;tittel;forelder), all or nothing. Run it again with a
newer edition: classes already there get the file's title and place, new ones are added, none removed."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saksarkiv.models import Klassifikasjonssystem
from saksarkiv.services.classification import load_key, read_key
from saksarkiv.services.errors import SaksarkivError
from virksomheter.models import Organisation


class Command(BaseCommand):
    help = (
        "Load a classification key (klasseID;tittel;forelder, UTF-8, # lines are comments) into an "
        "organisation's archive, for example the K-koder exported from a municipal case system."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the key as klasseID;tittel;forelder")
        parser.add_argument("--org", required=True, help="the organisation number")
        parser.add_argument("--system", default="K-koder", help="the classification system's title")
        parser.add_argument(
            "--type",
            default=Klassifikasjonssystem.Type.K_KODER,
            choices=Klassifikasjonssystem.Type.values,
            help="the system's klassifikasjonstype when it is made (default KK, K-koder)",
        )
        parser.add_argument("--by", default="load_klassifikasjon", help="who loads it, for the audit trail")

    def handle(self, *args, file: Path, org: str, system: str, type: str, by: str, **options):
        organisation = Organisation.objects.filter(organisasjonsnummer=org).first()
        if organisation is None:
            raise CommandError(f"No organisation has the number {org}.")
        try:
            with file.open(encoding="utf-8") as lines:
                rows = read_key(lines)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8.") from None
        except SaksarkivError as error:
            raise CommandError(error.message) from None
        try:
            found, result = load_key(organisation, rows, tittel=system, klassifikasjonstype=type, by=by)
        except SaksarkivError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"{found.tittel} ({found.get_klassifikasjonstype_display()}): {result.created} classes added, "
            f"{result.updated} renamed, {result.unchanged} unchanged."
        )
