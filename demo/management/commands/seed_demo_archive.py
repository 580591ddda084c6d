"""manage.py seed_demo_archive: Fjordvik kommune's case archive for the demo: the `admin` user and a
case handler `saksbehandler` registered there, letter templates, and a few cases with journal posts,
one outgoing letter to the demo citizen ready to dispatch, and a screened case in the public journal."""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from minid.demo import demo_citizen
from saksarkiv import services
from saksarkiv.models import AdministrativEnhet, Brevmal, Saksbehandler
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
        for name, subject, text in TEMPLATES:
            if not Brevmal.objects.filter(organisation=organisation, navn=name).exists():
                services.save_template(Brevmal(navn=name, emne=subject, tekst=text), handler)
        if not created:
            self.stdout.write("The demo archive is already seeded.")
            return
        self._cases(handler)
        self.stdout.write(
            f"Demo archive for {organisation.name_nb}: log in to the admin as saksbehandler / {password}."
        )

    def _cases(self, handler: Saksbehandler) -> None:
        citizen = demo_citizen()
        case = services.create_saksmappe(
            handler, tittel="Søknad om bostøtte", offentlig_tittel="Søknad om bostøtte"
        )
        services.add_journalpost(case, handler, journalposttype="I", tittel="Søknad om bostøtte")
        vedtak = services.add_journalpost(case, handler, journalposttype="U", tittel="Vedtak om bostøtte")
        vedtak.brevmal = Brevmal.objects.get(organisation=handler.organisation, navn="Vedtak om bostøtte")
        vedtak.save(update_fields=["brevmal"])
        if citizen is not None:
            services.add_party(vedtak, handler, identity_number=citizen.person.identity_number)
        screening = services.screening(
            tilgangsrestriksjon="13",
            skjermingshjemmel="Offl. § 13 jf. fvl. § 13",
            skjerming_metadata=["korrespondansepart", "tittel"],
        )
        barnevern = services.create_saksmappe(
            handler,
            tittel="Bekymringsmelding – barn i Storgata 1",
            offentlig_tittel="Bekymringsmelding – *****",
            skjerming=screening,
        )
        services.add_journalpost(
            barnevern,
            handler,
            journalposttype="I",
            tittel="Bekymringsmelding fra skole",
            offentlig_tittel="Bekymringsmelding fra *****",
        )
