"""The arkivmelding Felles sends for an outgoing journal post: one saksmappe (the post's case) with
the post as its journalpost, its external parties and its documents, in the order and with the code
texts of the published schema (arkivmelding.xsd and metadatakatalog.xsd v3.1). Built XML is checked
against the schema before it leaves (schema.check).

A screened post or case carries its screening (skjerming: the access restriction code, the legal
basis and the screened fields), so that the receiver's archive screens it too. Personal data goes no
further than the letter needs: parties' names and postal addresses (none for a
protected address), never an identity number, e-mail address or telephone number."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from lxml import etree

from saksarkiv.models import Dokumentbeskrivelse, Journalpost, Korrespondansepart, Saksmappe, Skjerming
from saksarkiv.services.arkivmelding.schema import NS, XSI, check

SYSTEM = "Felles"
JOURNALPOSTTYPE = {
    Journalpost.Type.INNGAAENDE: "Inngående dokument",
    Journalpost.Type.UTGAAENDE: "Utgående dokument",
    Journalpost.Type.NOTAT: "Organinternt dokument for oppfølging",
    Journalpost.Type.NOTAT_UTEN_OPPFOELGING: "Organinternt dokument uten oppfølging",
    Journalpost.Type.SAKSFRAMLEGG: "Saksframlegg",
}
SAKSSTATUS = {
    Saksmappe.Status.UNDER_BEHANDLING: "Under behandling",
    Saksmappe.Status.AVSLUTTET: "Avsluttet",
    Saksmappe.Status.UTGAAR: "Utgår",
}
KORRESPONDANSEPARTTYPE = {
    Korrespondansepart.Type.AVSENDER: "Avsender",
    Korrespondansepart.Type.MOTTAKER: "Mottaker",
    Korrespondansepart.Type.KOPIMOTTAKER: "Kopimottaker",
    Korrespondansepart.Type.GRUPPEMOTTAKER: "Gruppemottaker",
}
DOKUMENTTYPE = {
    Dokumentbeskrivelse.Dokumenttype.BREV: "Brev",
    Dokumentbeskrivelse.Dokumenttype.RUNDSKRIV: "Rundskriv",
    Dokumentbeskrivelse.Dokumenttype.FAKTURA: "Faktura",
    Dokumentbeskrivelse.Dokumenttype.ORDREBEKREFTELSE: "Ordrebekreftelse",
}
DISPATCHED = "Ekspedert"
FINISHED_DOCUMENT = "Dokumentet er ferdigstilt"
ARCHIVE_FORMAT = "Arkivformat"
SKJERMING_DOKUMENT = {
    Skjerming.Dokument.HELE: "Skjerming av hele dokumentet",
    Skjerming.Dokument.DELER: "Skjerming av deler av dokumentet",
}


@dataclass(frozen=True)
class OutgoingDocument:
    """One document of the message: its description and the file it travels as."""

    system_id: uuid.UUID
    tittel: str
    dokumenttype: str  # Dokumentbeskrivelse.Dokumenttype
    hoveddokument: bool
    dokumentnummer: int
    filename: str


def _moment(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


class _Builder:
    def __init__(self):
        self.nsmap = {None: NS, "xsi": XSI}

    def element(self, parent, name: str, text=None, **attributes):
        node = etree.SubElement(parent, f"{{{NS}}}{name}", **attributes)
        if text is not None:
            node.text = str(text)
        return node

    def fields(self, parent, *pairs) -> None:
        """Each (name, value) in order; a value of None leaves the element out."""
        for name, value in pairs:
            if value is not None:
                self.element(parent, name, value)


def _user_name(user) -> str:
    return user.get_full_name() or user.get_username()


def build(
    journalpost: Journalpost,
    documents: list[OutgoingDocument],
    *,
    melding_id: str,
    parties: list[Korrespondansepart],
) -> bytes:
    """The arkivmelding.xml of `journalpost` with `documents` and `parties`, valid against the schema."""
    now = timezone.now()
    saksmappe = journalpost.saksmappe
    b = _Builder()
    root = etree.Element(f"{{{NS}}}arkivmelding", nsmap=b.nsmap)
    b.fields(root, ("system", SYSTEM), ("meldingId", melding_id), ("tidspunkt", _moment(now)),
             ("antallFiler", len(documents)))  # fmt: skip
    mappe = b.element(root, "mappe", **{f"{{{XSI}}}type": "saksmappe"})
    b.fields(
        mappe,
        ("systemID", saksmappe.system_id),
        ("mappeID", saksmappe.saksnummer),
        ("tittel", saksmappe.tittel),
        ("offentligTittel", saksmappe.offentlig_tittel),
        ("opprettetDato", _moment(saksmappe.opprettet_dato)),
        ("opprettetAv", saksmappe.opprettet_av),
    )
    _screening(b, mappe, saksmappe.skjerming)
    post = b.element(mappe, "basisregistrering", **{f"{{{XSI}}}type": "journalpost"})
    b.fields(
        post,
        ("systemID", journalpost.system_id),
        ("opprettetDato", _moment(journalpost.opprettet_dato)),
        ("opprettetAv", journalpost.opprettet_av),
        ("arkivertDato", _moment(journalpost.arkivert_dato or now)),
        ("arkivertAv", journalpost.arkivert_av or journalpost.opprettet_av),
        ("registreringsID", f"{saksmappe.saksnummer}-{journalpost.journalpostnummer}"),
        ("referanseForelderMappe", saksmappe.system_id),
    )
    _screening(b, post, journalpost.skjerming)
    for document in documents:
        _document(b, post, document, journalpost, now)
    b.fields(
        post,
        ("tittel", journalpost.tittel),
        ("offentligTittel", journalpost.offentlig_tittel),
        ("journalaar", journalpost.journalaar),
        ("journalsekvensnummer", journalpost.journalsekvensnummer),
        ("journalpostnummer", journalpost.journalpostnummer),
        ("journalposttype", JOURNALPOSTTYPE[journalpost.journalposttype]),
        ("journalstatus", DISPATCHED),
        ("journaldato", journalpost.journaldato.isoformat()),
        ("dokumentetsDato", journalpost.dokumentdato.isoformat()),
        ("sendtDato", _moment(now)),
        ("antallVedlegg", sum(1 for document in documents if not document.hoveddokument)),
        ("journalenhet", journalpost.journalenhet or None),
    )
    for party in parties:
        _party(b, post, party)
    b.fields(
        mappe,
        ("saksaar", saksmappe.saksaar),
        ("sakssekvensnummer", saksmappe.sakssekvensnummer),
        ("saksdato", saksmappe.saksdato.isoformat()),
        ("administrativEnhet", saksmappe.administrativ_enhet.navn if saksmappe.administrativ_enhet else ""),
        ("saksansvarlig", _user_name(saksmappe.saksansvarlig.user)),
        ("journalenhet", saksmappe.journalenhet or None),
        ("saksstatus", SAKSSTATUS[saksmappe.saksstatus]),
    )
    content = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    check(content)
    return content


def _screening(b: _Builder, parent, skjerming: Skjerming | None) -> None:
    if skjerming is None:
        return
    node = b.element(parent, "skjerming")
    b.fields(
        node,
        ("tilgangsrestriksjon", skjerming.tilgangsrestriksjon),
        ("skjermingshjemmel", skjerming.skjermingshjemmel),
    )
    # The schema wants at least one skjermingMetadata: a screening of the document alone has an empty one.
    for code in skjerming.skjerming_metadata or [""]:
        b.element(node, "skjermingMetadata", code)
    b.fields(
        node,
        ("skjermingDokument", SKJERMING_DOKUMENT.get(skjerming.skjerming_dokument)),
        ("skjermingsvarighet", skjerming.skjermingsvarighet),
        (
            "skjermingOpphoererDato",
            skjerming.skjerming_opphoerer_dato.isoformat() if skjerming.skjerming_opphoerer_dato else None,
        ),
    )


def _document(b: _Builder, post, document: OutgoingDocument, journalpost: Journalpost, now) -> None:
    by = journalpost.opprettet_av
    node = b.element(post, "dokumentbeskrivelse")
    b.fields(
        node,
        ("systemID", document.system_id),
        ("dokumenttype", DOKUMENTTYPE.get(document.dokumenttype, "Brev")),
        ("dokumentstatus", FINISHED_DOCUMENT),
        ("tittel", document.tittel),
        ("opprettetDato", _moment(now)),
        ("opprettetAv", by),
        ("tilknyttetRegistreringSom", "Hoveddokument" if document.hoveddokument else "Vedlegg"),
        ("dokumentnummer", document.dokumentnummer),
        ("tilknyttetDato", _moment(now)),
        ("tilknyttetAv", by),
    )
    version = b.element(node, "dokumentobjekt")
    b.fields(
        version,
        ("versjonsnummer", 1),
        ("variantformat", ARCHIVE_FORMAT),
        ("opprettetDato", _moment(now)),
        ("opprettetAv", by),
        ("referanseDokumentfil", document.filename),
    )


def _party(b: _Builder, post, party: Korrespondansepart) -> None:
    kind = KORRESPONDANSEPARTTYPE.get(party.korrespondanseparttype)
    if kind is None:
        return  # internal parties stay in the sender's archive
    node = b.element(post, "korrespondansepart")
    b.fields(node, ("korrespondanseparttype", kind), ("korrespondansepartNavn", party.navn))
    if not party.adresse_beskyttet:
        for line in party.postadresse or []:
            b.element(node, "postadresse", line)
        b.fields(
            node,
            ("postnummer", party.postnummer or None),
            ("poststed", party.poststed or None),
            ("land", party.land or None),
        )
    b.fields(node, ("kontaktperson", party.kontaktperson or None))
