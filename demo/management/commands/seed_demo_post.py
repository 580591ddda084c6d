"""manage.py seed_demo_post: the two demo mailbox providers, a contact register for the population
(when it is empty), and three letters to the demo citizen's digital mailbox from demo agencies
(sent once; the worker delivers them)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.pdf import Letter, LetterSender, paragraphs, render_letter_pdf
from kontaktregister.seeding import register_demo_citizen, seed_contact_register
from minid.demo import DEMO_MOBILE, demo_citizen
from postkasse import services as postkasse
from virksomheter.models import Organisation

LETTERS = (
    ("974312344", "demo-post-1", "Vedtak om bostøtte", "Vi har behandlet søknaden din om bostøtte for januar.\n\n"
     "Du får 3 250 kroner. Pengene blir utbetalt til kontoen din den 20. i måneden.", 3),
    ("964201013", "demo-post-2", "Årsoppgave fra Lånekassen", "Her er årsoppgaven for studielånet ditt.\n\n"
     "Restgjelden var 212 400 kroner ved årsskiftet. Renter og gebyrer står på neste side.", 3),
    ("965302026", "demo-post-3", "Svar på byggesøknad", "Søknaden om tilbygg er godkjent.\n\n"
     "Vedtaket kan påklages innen tre uker fra du mottok dette brevet.", 4),
)  # fmt: skip


class Command(BaseCommand):
    help = "Register the demo mailbox providers and send the demo citizen three letters."

    def handle(self, *args, **options):
        providers = postkasse.seed_demo_providers()
        registered = seed_contact_register(seed=1, only_if_empty=True)
        user = demo_citizen()
        if user is None:
            raise CommandError("Run seed_demo_citizen first.")
        person = user.person
        register_demo_citizen(
            person.identity_number,
            mobile=DEMO_MOBILE,
            email="demo@example.no",
            provider_identifier=providers[0].identifier,
        )
        sent = 0
        for number, key, title, text, level in LETTERS:
            organisation = Organisation.objects.filter(organisasjonsnummer=number).first()
            if organisation is None:
                continue
            pdf = render_letter_pdf(
                Letter(
                    sender=LetterSender(
                        name=organisation.display_name(), address_lines=["Postboks 1", "0101 OSLO"]
                    ),
                    recipient_lines=[person.full_name],
                    subject=title,
                    body_html=paragraphs(text),
                    date=timezone.localdate(),
                )
            )
            _letter, created = postkasse.accept_letter(
                organisation,
                idempotency_key=key,
                recipient=person.identity_number,
                title=title,
                documents=[postkasse.DocumentIn(title, "brev.pdf", pdf)],
                security_level=level,
            )
            sent += created
        self.stdout.write(
            f"Contact register: {registered} persons registered. Digital post: {len(providers)} providers; "
            f"{sent} new demo letters to {person.full_name}."
        )
