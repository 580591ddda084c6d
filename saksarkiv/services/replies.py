"""Replies in: a citizen's answer from the mailbox to a letter the archive dispatched is filed as an
incoming journal post on the same case, with the citizen as sender, and the citizen gets a receipt
in their mailbox. Connected to postkasse's `reply_received` signal in SaksarkivConfig.ready()."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.pdf import paragraphs, render_letter_pdf
from postkasse import services as postkasse
from saksarkiv.models import Journalpost, Korrespondansepart, Saksbehandler
from saksarkiv.services import public
from saksarkiv.services.api_handler import system_handler
from saksarkiv.services.archive import add_journalpost, record_change
from saksarkiv.services.documents import add_document
from saksarkiv.services.letters import _letter
from saksarkiv.services.parties import add_party


def _filing_handler(original: Journalpost, organisation) -> Saksbehandler:
    """Who files the reply: the organisation's system handler, or, in a case or post under an access
    code, the case's saksansvarlig. The letter itself is the citizen's authority to answer; a coded
    case's replies go straight to the one person who always sees it (and onto their restanser),
    instead of waiting until the organisation grants its system handler the code."""
    if original.tilgangskode_id or original.saksmappe.tilgangskode_id:
        return original.saksmappe.saksansvarlig
    return system_handler(organisation)


def reference(journalpost: Journalpost) -> str:
    return f"{journalpost.saksmappe.saksnummer}-{journalpost.journalpostnummer}"


def _original_party(letter, identity_number: str) -> Korrespondansepart | None:
    """The citizen as recipient of the journal post the letter was dispatched from, by its sender."""
    party = (
        Korrespondansepart.objects.select_related(
            "journalpost__saksmappe__arkivdel__arkiv",
            "journalpost__saksmappe__skjerming",
            "journalpost__skjerming",
        )
        .filter(forsendelse_id=letter.pk, foedselsnummer=identity_number)
        .order_by("pk")
        .first()
    )
    if party is None or party.journalpost.saksmappe.arkivdel.arkiv.organisation_id != letter.sender_id:
        return None
    return party


def _titles(original: Journalpost, party: Korrespondansepart) -> tuple[str, str]:
    """The title names the citizen and the original's title. The public title is made from the
    original's public title and never names the citizen: the sender is listed beside it where the
    public journal may name them, and a name in the title would escape that rule (a mass
    dispatch's persons, a case whose public title leaves the name out). The reply is screened as
    the original is (by its own screening or its case's)."""
    longest = Journalpost._meta.get_field("tittel").max_length
    title = (_("Reply from %(name)s: %(title)s") % {"name": party.navn, "title": original.tittel})[:longest]
    screening = original.skjerming or original.saksmappe.skjerming
    if (
        screening is not None
        and screening.screens("tittel")
        and original.offentlig_tittel in ("", original.tittel)
    ):
        # The original's title is screened but was not blanked out, so nothing of it may be
        # published: equal to the title, the public journal withholds it as it does the original's.
        return title, title
    public = _("Reply: %(title)s") % {"title": original.offentlig_tittel}
    return title, public[:longest]


def _send_receipt(journalpost: Journalpost, identity_number: str) -> None:
    subject = _("We have received your reply")
    body = _("We have received your reply in case %(case)s, journal post %(number)s, %(date)s.") % {
        "case": journalpost.saksmappe.saksnummer,
        "number": journalpost.journalpostnummer,
        "date": timezone.localdate(journalpost.mottatt_dato).strftime("%d.%m.%Y"),
    }
    pdf = render_letter_pdf(
        _letter(journalpost, recipient_lines=[], subject=subject, body_html=paragraphs(body))
    )
    postkasse.accept_letter(
        journalpost.saksbehandler.organisation,
        idempotency_key=f"saksarkiv:reply-receipt:{journalpost.system_id}",
        recipient=identity_number,
        title=subject,
        documents=[postkasse.DocumentIn(subject, "kvittering.pdf", pdf)],
        replies_allowed=False,
    )


@transaction.atomic
def file_reply(
    sender,
    *,
    letter,
    identity_number: str,
    reply: postkasse.DocumentIn,
    attachments: list[postkasse.DocumentIn],
    request=None,
    **kwargs,
) -> str | None:
    """File the answer to one of the archive's letters; returns its journal reference, or None for
    a letter the archive did not send. Raises (and so rolls back) when it cannot be filed."""
    party = _original_party(letter, identity_number)
    if party is None:
        return None
    original = party.journalpost
    handler = _filing_handler(original, letter.sender)
    # The archive's records and the receipt are in the organisation's language, not the visitor's.
    with override(settings.LANGUAGE_CODE):
        tittel, offentlig_tittel = _titles(original, party)
        journalpost = add_journalpost(
            original.saksmappe, handler, journalposttype=Journalpost.Type.INNGAAENDE, tittel=tittel,
            offentlig_tittel=offentlig_tittel, skjerming=original.skjerming,
            tilgangskode=original.tilgangskode, request=request,
        )  # fmt: skip
        if not public.names_persons(original):
            # One of a mass dispatch's recipients answering stays as unnamed as the recipients.
            journalpost.offentlig_med_navn = False
            journalpost.save(update_fields=["offentlig_med_navn"])
        add_party(
            journalpost,
            handler,
            identity_number=identity_number,
            korrespondanseparttype=Korrespondansepart.Type.AVSENDER,
            request=request,
        )
        add_document(
            journalpost, handler, tittel=reply.title, content=reply.content, filnavn=reply.filename,
            hoveddokument=True, request=request,
        )  # fmt: skip
        for attachment in attachments:
            add_document(
                journalpost, handler, tittel=attachment.title, content=attachment.content,
                filnavn=attachment.filename, hoveddokument=False, request=request,
            )  # fmt: skip
        _send_receipt(journalpost, identity_number)
    record_change(
        "reply_received", handler, journalpost, request=request, letter=str(letter.pk),
        original=reference(original), attachments=len(attachments),
    )  # fmt: skip
    return reference(journalpost)
