"""manage.py seed_demo_archive: Fjordvik kommune's case archive for the demo: the `admin` user and a
case handler `saksbehandler` registered there, letter templates, and a few cases with journal posts,
one outgoing letter to the demo citizen ready to dispatch, and a screened case in the public journal."""

import os
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.archive_structure import seed_structure
from minid.demo import demo_citizen
from saksarkiv import services
from saksarkiv.models import AdministrativEnhet, Brevmal, Saksbehandler, Tilgangsgruppe, Tilgangskode
from saksarkiv.services.avskrivning import answer
from virksomheter.models import Organisation

ORGANISATION = "965302026"  # Fjordvik kommune
TEMPLATES = (
    ("Vedtak om bostøtte", "Vedtak i sak {{ saksnummer }}",
     "Hei {{ mottaker_navn }},\n\nVi har behandlet søknaden din om kommunal bostøtte og innvilger den fra neste måned.\n\n"
     "Du kan klage på vedtaket innen tre uker fra du mottok dette brevet.\n\nMed vennlig hilsen\n{{ saksbehandler }}\n{{ virksomhet }}"),
    ("Faktura for kommunale avgifter", "Faktura for kommunale avgifter",
     "Hei {{ mottaker_navn }},\n\nHer er årets faktura for vann, avløp og renovasjon for eiendommen din.\n\n"
     "Beløpet forfaller 20. i måneden. Spørsmål om fakturaen kan du sende til oss med saksnummer {{ saksnummer }}.\n\n"
     "Med vennlig hilsen\n{{ virksomhet }}"),
)  # fmt: skip
# Access codes (tilgangskoder) with the public-law restriction and legal basis each stands for.
ACCESS_CODES = (
    ("BV", "Barnevern", "13", "Offl. § 13 jf. bvl. § 13-1"),
    ("PERS", "Personal", "25", "Offl. § 25"),
    ("HEL", "Helse", "13", "Offl. § 13 jf. hpl. § 21"),
)


class Command(BaseCommand):
    help = "Seed Fjordvik kommune's demo case archive (once)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo archive is only seeded with DEBUG on.")
        organisation = Organisation.objects.filter(organisasjonsnummer=ORGANISATION).first()
        if organisation is None:
            raise CommandError("Run seed_organisations first.")
        users = get_user_model().objects
        password = os.environ.get("DEMO_ADMIN_PASSWORD", "felles-demo")
        handler_user = users.filter(username="saksbehandler").first() or users.create_user(
            "saksbehandler", password=password, is_staff=True, first_name="Ingrid", last_name="Berg"
        )
        velferd, _made = AdministrativEnhet.objects.get_or_create(
            organisation=organisation,
            kortnavn="HOV",
            defaults={"navn": "Helse og velferd", "journalenhet": "SEN"},
        )
        arkivet, _made = AdministrativEnhet.objects.get_or_create(
            organisation=organisation, kortnavn="ARK", defaults={"navn": "Arkiv", "journalenhet": "SEN"}
        )
        handler, created = Saksbehandler.objects.get_or_create(
            user=handler_user,
            defaults={"organisation": organisation, "initialer": "IB", "administrativ_enhet": velferd},
        )
        admin = users.filter(username="admin").first()
        if admin is not None:
            Saksbehandler.objects.get_or_create(
                user=admin,
                defaults={
                    "organisation": organisation,
                    "initialer": "ADM",
                    "administrativ_enhet": arkivet,
                    "arkivleder": True,
                },
            )
        barnevern = self._child_welfare(organisation, velferd, password)
        for name, subject, text in TEMPLATES:
            if not Brevmal.objects.filter(organisation=organisation, navn=name).exists():
                services.save_template(Brevmal(navn=name, emne=subject, tekst=text), handler)
        if not created:
            self.stdout.write("The demo archive is already seeded.")
            return
        leader = self._archive_leader(organisation, arkivet, password)
        # The archive leader handled the 2025 cases, so the case handler's own desk starts with 2026's.
        seed_structure(leader, leader)
        self._cases(handler, barnevern)
        self.stdout.write(
            f"Demo archive for {organisation.name_nb}: log in to the admin as saksbehandler / {password}."
        )

    def _archive_leader(self, organisation, unit, password: str) -> Saksbehandler:
        """The archive leader who closes the 2025 period: `admin` where it is registered, else `arkivar`."""
        leader = Saksbehandler.objects.filter(organisation=organisation, arkivleder=True).first()
        if leader is not None:
            return leader
        users = get_user_model().objects
        user = users.filter(username="arkivar").first() or users.create_user(
            "arkivar", password=password, is_staff=True, first_name="Arne", last_name="Arkivar"
        )
        leader, _made = Saksbehandler.objects.get_or_create(
            user=user,
            defaults={
                "organisation": organisation,
                "initialer": "AA",
                "administrativ_enhet": unit,
                "arkivleder": True,
            },
        )
        return leader

    def _child_welfare(self, organisation, unit, password: str) -> Saksbehandler:
        """The access codes, and Kari Nilsen (`barnevern`) in the group that is granted child welfare;
        `saksbehandler` is not, so child-welfare cases are hidden from them."""
        for kode, navn, restriction, basis in ACCESS_CODES:
            Tilgangskode.objects.get_or_create(
                organisation=organisation, kode=kode,
                defaults={"navn": navn, "tilgangsrestriksjon": restriction, "skjermingshjemmel": basis},
            )  # fmt: skip
        users = get_user_model().objects
        user = users.filter(username="barnevern").first() or users.create_user(
            "barnevern", password=password, is_staff=True, first_name="Kari", last_name="Nilsen"
        )
        barnevern, _made = Saksbehandler.objects.get_or_create(
            user=user, defaults={"organisation": organisation, "initialer": "KN", "administrativ_enhet": unit}
        )
        group, _made = Tilgangsgruppe.objects.get_or_create(
            organisation=organisation, navn="Barnevernstjenesten"
        )
        group.tilgangskoder.add(Tilgangskode.objects.get(organisation=organisation, kode="BV"))
        group.medlemmer.add(barnevern)
        return barnevern

    def _cases(self, handler: Saksbehandler, barnevern_handler: Saksbehandler) -> None:
        citizen = demo_citizen()
        case = services.create_saksmappe(
            handler, tittel="Søknad om bostøtte", offentlig_tittel="Søknad om bostøtte"
        )
        today = timezone.localdate()
        soknad = services.add_journalpost(
            case,
            handler,
            journalposttype="I",
            tittel="Søknad om bostøtte",
            forfallsdato=today - timedelta(days=2),
        )
        vedtak = services.add_journalpost(case, handler, journalposttype="U", tittel="Vedtak om bostøtte")
        vedtak.brevmal = Brevmal.objects.get(organisation=handler.organisation, navn="Vedtak om bostøtte")
        vedtak.save(update_fields=["brevmal"])
        # A restanse, overdue to show the mark: the application waits for the decision that answers it.
        answer(soknad, vedtak, handler)
        if citizen is not None:
            services.add_party(vedtak, handler, identity_number=citizen.person.identity_number)
        # A coded case is always screened too: the access code keeps it from colleagues, the
        # screening keeps its title and names out of the public journal.
        screening = services.screening(
            tilgangsrestriksjon="13",
            skjermingshjemmel="Offl. § 13 jf. bvl. § 13-1",
            skjerming_metadata=["korrespondansepart", "tittel"],
        )
        barnevern = services.create_saksmappe(
            barnevern_handler,
            tittel="Bekymringsmelding – barn i Storgata 1",
            offentlig_tittel="Bekymringsmelding – *****",
            skjerming=screening,
            tilgangskode=Tilgangskode.objects.get(organisation=handler.organisation, kode="BV"),
        )
        services.add_journalpost(
            barnevern,
            barnevern_handler,
            journalposttype="I",
            tittel="Bekymringsmelding fra skole",
            offentlig_tittel="Bekymringsmelding fra *****",
        )
