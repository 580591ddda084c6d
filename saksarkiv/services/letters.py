"""Letters from templates: a subject and body with fields ({{ mottaker_navn }}, {{ saksnummer }}, ...)
that are checked when the template is saved, rendered as the business-letter PDF per recipient."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import TextNode, VariableNode
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.pdf import Letter, LetterSender, paragraphs, render_letter_html, render_letter_pdf
from core.stamping import LetterStamp
from saksarkiv.models import Brevmal, Journalpost, Korrespondansepart, Saksbehandler
from saksarkiv.services.archive import record_change
from saksarkiv.services.errors import InvalidInput, NotFound

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
MAX_ADDRESS_LINES = 5


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


TEMPLATE_FIELDS = ("navn", "emne", "tekst")


def save_template(brevmal: Brevmal, handler: Saksbehandler, *, request=None) -> Brevmal:
    """Store a new letter template for the handler's organisation, or a change to one of its own.
    What every letter from it will say is audited, with the old text beside the new."""
    validate_template(brevmal.emne, brevmal.tekst)
    with transaction.atomic():
        stored = None
        if brevmal.pk is not None:
            stored = (
                Brevmal.objects.select_for_update()
                .filter(pk=brevmal.pk, organisation=handler.organisation)
                .first()
            )
            if stored is None:
                raise NotFound(_("No such letter template."))
        brevmal.organisation = handler.organisation
        try:
            brevmal.full_clean()
        except ValidationError as error:
            raise InvalidInput(" ".join(error.messages)) from None
        brevmal.save()
        if stored is None:
            record_change("template_created", handler, brevmal, request=request, navn=brevmal.navn)
        else:
            changed = {
                field: [getattr(stored, field), getattr(brevmal, field)]
                for field in TEMPLATE_FIELDS
                if getattr(stored, field) != getattr(brevmal, field)
            }
            if changed:
                record_change("template_changed", handler, brevmal, request=request, changed=changed)
    return brevmal


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


def _letter(journalpost: Journalpost, *, recipient_lines: list[str], subject: str, body_html) -> Letter:
    organisation = journalpost.saksbehandler.organisation
    logo = organisation.logo.read() if organisation.logo else None
    return Letter(
        sender=LetterSender(
            name=organisation.name_nb,
            address_lines=[],
            organisation_number=organisation.organisasjonsnummer,
            phone=organisation.phone,
            email=organisation.email,
            logo_png=logo,
        ),
        recipient_lines=recipient_lines,
        subject=subject,
        body_html=body_html,
        our_reference=f"{journalpost.saksmappe.saksnummer}-{journalpost.journalpostnummer}",
    )


def _address(party: Korrespondansepart | None) -> list[str]:
    """The window's lines; empty for a protected address (the print channel handles those)."""
    return [party.navn, *party.postadresse] if party and not party.adresse_beskyttet else []


def letter_pdf(journalpost: Journalpost, party: Korrespondansepart | None) -> bytes:
    """The letter from the journal post's template, addressed to one party, laid out on its own."""
    template = journalpost.brevmal
    fields = fields_for(journalpost, party)
    return render_letter_pdf(
        _letter(
            journalpost,
            recipient_lines=_address(party),
            subject=render(template.emne, fields),
            body_html=paragraphs(render(template.tekst, fields)),
        )
    )


RECIPIENT_FIELDS = ("mottaker_navn", "mottaker_adresse")
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use marks around a recipient field in the shared text


def _recipient_values(party: Korrespondansepart) -> dict[str, str]:
    return {"mottaker_navn": party.navn, "mottaker_adresse": ", ".join(party.postadresse)}


def _fill(line: str, values: dict[str, str]) -> str:
    for name in RECIPIENT_FIELDS:
        line = line.replace(f"{_OPEN}{name}{_CLOSE}", values[name])
    return line


class LetterBatch:
    """The journal post's letter for many recipients. What they share is laid out once; each
    recipient's address and the lines that name them are stamped in (core.stamping). A letter
    whose lines would not fit is laid out on its own, as is every letter when the subject names
    the recipient."""

    def __init__(self, journalpost: Journalpost, parties: list[Korrespondansepart]):
        self.journalpost = journalpost
        template = journalpost.brevmal
        marked = {
            **fields_for(journalpost, None),
            **{name: f"{_OPEN}{name}{_CLOSE}" for name in RECIPIENT_FIELDS},
        }
        subject = render(template.emne, marked)
        self.stamp = None
        if _OPEN in subject:
            return
        self.lines: dict[str, str] = {}
        blocks = []
        for block in render(template.tekst, marked).replace("\r\n", "\n").split("\n\n"):
            if not block.strip():
                continue
            spans = []
            for line in block.strip().split("\n"):
                if _OPEN in line:
                    slot = f"slot-{len(self.lines)}"
                    self.lines[slot] = line
                    spans.append(format_html('<span id="{}" style="display: block">&#8203;</span>', slot))
                else:
                    spans.append(format_html('<span style="display: block">{}</span>', line))
            blocks.append(format_html("<p>{}</p>", mark_safe("".join(spans))))  # noqa: S308 (escaped above)
        html = render_letter_html(
            _letter(journalpost, recipient_lines=[], subject=subject, body_html=mark_safe("".join(blocks)))  # noqa: S308
        )
        alphabet = {char for line in self.lines.values() for char in line}
        for party in parties:
            values = _recipient_values(party)
            alphabet.update(
                char for line in self._values(party, values).values() for text in line for char in text
            )
        alphabet -= {_OPEN, _CLOSE}
        self.stamp = LetterStamp(
            html, {"recipient": MAX_ADDRESS_LINES, **dict.fromkeys(self.lines, 1)}, alphabet="".join(alphabet)
        )

    def _values(self, party: Korrespondansepart, values: dict[str, str]) -> dict[str, list[str]]:
        return {
            "recipient": _address(party),
            **{slot: [_fill(line, values)] for slot, line in self.lines.items()},
        }

    def letter(self, party: Korrespondansepart) -> tuple[bytes, int | None]:
        """The recipient's letter, and its page count when it is a stamped copy of the shared one
        (a letter laid out on its own is counted by whoever reads it)."""
        if self.stamp is not None:
            values = self._values(party, _recipient_values(party))
            if all(self.stamp.fits(slot, lines) for slot, lines in values.items()):
                return self.stamp.letter(values), self.stamp.pages
        return letter_pdf(self.journalpost, party), None
