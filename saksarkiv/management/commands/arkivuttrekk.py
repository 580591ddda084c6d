"""manage.py arkivuttrekk: make the deposit (arkivuttrekk) of a closed archive part as a folder, as Noark 5
v5.0 and Arkade expect it, and print what it holds and each file's SHA-256."""

import getpass
import uuid
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saksarkiv.models import Arkivdel, Saksbehandler
from saksarkiv.services.deposit import DepositError, make_deposit
from saksarkiv.services.deposit.selection import CLOSED_ARKIVDEL


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date like 2025-12-31.") from None


class Command(BaseCommand):
    help = (
        "Make the deposit (arkivuttrekk) of a closed archive part: give the archive part's systemID, or the "
        "organisation number when the organisation has one closed archive part."
    )

    def add_arguments(self, parser):
        parser.add_argument("which", help="archive part systemID, or organisation number")
        parser.add_argument("--from", dest="start", type=_date, help="period start (default: the part's)")
        parser.add_argument("--to", dest="end", type=_date, help="period end (default: the part's)")
        parser.add_argument("--out", type=Path, help="the package folder to create (must not exist)")
        parser.add_argument("--by", help="username of the archive leader making the deposit (default: you)")

    def _arkivdel(self, which: str) -> Arkivdel:
        try:
            return Arkivdel.objects.select_related("arkiv__organisation").get(system_id=uuid.UUID(which))
        except ValueError:
            pass
        except Arkivdel.DoesNotExist:
            raise CommandError(f"No archive part has systemID {which}.") from None
        closed = list(
            Arkivdel.objects.select_related("arkiv__organisation")
            .filter(arkiv__organisation__organisasjonsnummer=which, arkivdelstatus__in=CLOSED_ARKIVDEL)
            .order_by("arkivperiode_start")
        )
        if len(closed) == 1:
            return closed[0]
        if not closed:
            if not Arkivdel.objects.filter(arkiv__organisation__organisasjonsnummer=which).exists():
                raise CommandError(
                    f"{which} is neither an archive part's systemID nor an organisation with an archive."
                )
            raise CommandError(f"Organisation {which} has no closed archive part; close a period first.")
        lines = [
            f"  {part.system_id}  {part.tittel} ({part.arkivperiode_start}–{part.arkivperiode_slutt})"
            for part in closed
        ]
        listing = "\n".join(lines)
        raise CommandError(
            f"Organisation {which} has several closed archive parts; give one's systemID:\n{listing}"
        )

    def _by(self, username: str | None):
        if username is None:
            return f"manage.py arkivuttrekk ({getpass.getuser()})"
        handler = (
            Saksbehandler.objects.select_related("user", "organisation")
            .filter(user__username=username)
            .first()
        )
        if handler is None:
            raise CommandError(f"{username} is not a case handler.")
        return handler

    def handle(self, *args, which, start, end, out, by, **options):
        arkivdel = self._arkivdel(which)
        organisation = arkivdel.arkiv.organisation
        if out is None:
            out = Path(f"arkivuttrekk-{organisation.organisasjonsnummer}-{arkivdel.system_id}")
        try:
            result = make_deposit(arkivdel, by=self._by(by), target=out, period_start=start, period_end=end)
        except DepositError as error:
            raise CommandError(
                "\n".join([error.summary, *(f"  - {problem}" for problem in error.problems)])
            ) from None
        write = self.stdout.write
        write(f"Deposit of «{arkivdel.tittel}» ({organisation.name_nb}, {organisation.organisasjonsnummer})")
        write(f"  period {result.start.isoformat()} – {result.end.isoformat()}, written to {result.path}")
        write(
            f"  mapper: {result.mapper}, registreringer: {result.registreringer}, endringer: {result.endringer}"
        )
        write(
            f"  journalregistreringer: {result.loepende_journalposter} in loependeJournal.xml, "
            f"{result.offentlige_journalposter} in offentligJournal.xml"
        )
        write(f"  dokumentfiler: {result.dokumentfiler} in dokumenter/")
        write("  SHA-256:")
        for name, checksum in sorted(result.checksums.items()):
            write(f"    {checksum}  {name}")
        write("Every XML file validates against Arkivverket's schemas (saksarkiv/schemas).")
