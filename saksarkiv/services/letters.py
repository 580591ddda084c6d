"""Letters from templates: a subject and body with fields ({{ mottaker_navn }}, {{ saksnummer }}, ...)
that are checked when the template is saved, rendered as the business-letter PDF per recipient."""

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import TextNode, VariableNode
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.pdf import Letter, LetterSender, paragraphs, render_letter_pdf
from saksarkiv.models import Journalpost, Korrespondansepart
from saksarkiv.services.errors import InvalidInput

FIELDS = {
    "mottaker_navn": gettext_lazy("the recipient's name"),
    "mottaker_adresse": gettext_lazy("the recipient's postal address, on one line"),
    "saksnummer": gettext_lazy("the case number"),
    "sakstittel": gettext_lazy("the case title"),
    "saksbehandler": gettext_lazy("the case handler's name"),
    "virksomhet": gettext_lazy("your organisation's name"),
    "dato": gettext_lazy("today's date"),
}
# Only text and fields: no tags, so a template cannot load anything or reach other data.
_ENGINE = Engine(builtins=[], autoescape=False)


def _parse(text: str):
    try:
        template = _ENGINE.from_string(text)
    except TemplateSyntaxError as error:
        raise InvalidInput(_("The template cannot be read: %(error)s") % {"error": error}) from None
    for node in template.nodelist:
        if isinstance(node, TextNode):
            continue
        if not isinstance(node, VariableNode) or node.filter_expression.filters:
            raise InvalidInput(_("A template may hold only text and fields like {{ mottaker_navn }}."))
        name = str(node.filter_expression.var)
        if name not in FIELDS:
            raise InvalidInput(
                _("The field {{ %(name)s }} does not exist. Fields: %(fields)s")
                % {"name": name, "fields": ", ".join(sorted(FIELDS))}
            )
    return template


def validate_template(emne: str, tekst: str) -> None:
    _parse(emne)
    _parse(tekst)


def fields_for(journalpost: Journalpost, party: Korrespondansepart | None) -> dict:
    handler = journalpost.saksbehandler
    return {
        "mottaker_navn": party.navn if party else "",
        "mottaker_adresse": ", ".join(party.postadresse) if party else "",
        "saksnummer": journalpost.saksmappe.saksnummer,
        "sakstittel": journalpost.saksmappe.offentlig_tittel,
        "saksbehandler": handler.user.get_full_name() or handler.initialer,
        "virksomhet": handler.organisation.name_nb,
        "dato": timezone.localdate().strftime("%d.%m.%Y"),
    }


def render(text: str, fields: dict) -> str:
    return _parse(text).render(Context(fields))


def letter_pdf(journalpost: Journalpost, party: Korrespondansepart | None) -> bytes:
    """The letter from the journal post's template, addressed to one party (the address window
    stays empty for a protected address: the print channel handles those)."""
    template = journalpost.brevmal
    fields = fields_for(journalpost, party)
    organisation = journalpost.saksbehandler.organisation
    logo = organisation.logo.read() if organisation.logo else None
    recipient_lines = [party.navn, *party.postadresse] if party and not party.adresse_beskyttet else []
    return render_letter_pdf(
        Letter(
            sender=LetterSender(
                name=organisation.name_nb,
                address_lines=[],
                organisation_number=organisation.organisasjonsnummer,
                phone=organisation.phone,
                email=organisation.email,
                logo_png=logo,
            ),
            recipient_lines=recipient_lines,
            subject=render(template.emne, fields),
            body_html=paragraphs(render(template.tekst, fields)),
            our_reference=f"{journalpost.saksmappe.saksnummer}-{journalpost.journalpostnummer}",
        )
    )
