"""manage.py convert_to_pdfa: bring documents stored before PDF/A into the archive format. A version
whose file is PDF/A gets its PRONOM id; any other keeps its file as the production variant (P) beside
its PDF/A-2b conversion (A), under the same version number. Each change is audited as the
organisation's system handler; a file that cannot be converted is named and left as it is."""

from django.core.management.base import BaseCommand, CommandError

from saksarkiv.models import Dokumentobjekt
from saksarkiv.services.api_handler import system_handler
from saksarkiv.services.documents import archive_format_for
from saksarkiv.services.errors import SaksarkivError
from saksarkiv.services.pdfa import PDFA_LEVELS


class Command(BaseCommand):
    help = "Convert the archive's documents stored before PDF/A to PDF/A-2b, keeping the originals."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="only this organisation number")

    def handle(self, *args, org: str | None = None, **options):
        versions = (
            Dokumentobjekt.objects.filter(variantformat=Dokumentobjekt.Variantformat.ARKIV)
            .exclude(format__in=PDFA_LEVELS.values())
            .exclude(fil="")  # waiting for its file
            .select_related("dokumentbeskrivelse__journalpost__saksbehandler__organisation")
            .order_by("pk")
        )
        if org:
            versions = versions.filter(
                dokumentbeskrivelse__journalpost__saksbehandler__organisation__organisasjonsnummer=org
            )
        counts = {"converted": 0, "identified": 0, "unchanged": 0, "failed": 0}
        handlers = {}
        for version in versions.iterator():
            journalpost = version.dokumentbeskrivelse.journalpost
            organisation = journalpost.saksbehandler.organisation
            if organisation.pk not in handlers:
                handlers[organisation.pk] = system_handler(organisation)
            try:
                done = archive_format_for(version, handlers[organisation.pk])
            except SaksarkivError as error:
                counts["failed"] += 1
                self.stderr.write(f"{journalpost} document {version.dokumentbeskrivelse.dokumentnummer} "
                                  f"version {version.versjonsnummer}: {error.message}")  # fmt: skip
                continue
            counts[done] += 1
        self.stdout.write(", ".join(f"{count} {what}" for what, count in counts.items()))
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} documents could not be converted; see above.")
