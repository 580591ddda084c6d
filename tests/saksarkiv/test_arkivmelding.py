"""Arkivmelding in the case archive's services: an incoming one filed in the receiver's archive (on
a new case or the case it refers to), refused whole when anything in it is wrong or hostile, and an
outgoing journal post to an organisation in Felles built as arkivmelding (valid against the vendored
schema) and filed in that organisation's archive."""

import uuid

import pytest
from lxml import etree

from core.models import AuditEvent
from saksarkiv import services
from saksarkiv.models import Dokumentbeskrivelse, Journalpost, Korrespondansepart, Saksmappe
from saksarkiv.services import arkivmelding
from saksarkiv.services.api_handler import system_handler
from tests.core.hostile_pdfs import inflation_bomb
from tests.eformidling import arkivmelding_examples as examples
from tests.postkasse.factories import pdf
from tests.saksarkiv.factories import handler, organisation

pytestmark = pytest.mark.django_db

NS = {"a": "http://www.arkivverket.no/standarder/noark5/arkivmelding"}


@pytest.fixture
def receiver():
    return organisation(examples.RECEIVER, examples.RECEIVER_NAME)


@pytest.fixture
def velferdsetaten():
    return organisation("974312344", "Velferdsetaten")


def _files(**changes) -> dict:
    return {"bestilling.pdf": pdf("Bestilling"), "tegning.pdf": pdf("Tegning"), **changes}


def _file(receiver, sender, xml=None, files=None):
    return arkivmelding.file_arkivmelding(
        receiver,
        sender=sender,
        message_id=str(uuid.uuid4()),
        arkivmelding=xml or examples.arkivmelding(),
        files=_files() if files is None else files,
    )


def _archive_is_empty(organisation) -> bool:
    return not Journalpost.objects.filter(saksmappe__arkivdel__arkiv__organisation=organisation).exists()


def test_an_incoming_arkivmelding_is_filed_as_an_incoming_post_on_a_new_case(receiver, velferdsetaten):
    filed = _file(receiver, velferdsetaten)
    [journalpost] = filed.journalposts
    journalpost.refresh_from_db()
    assert journalpost.journalposttype == Journalpost.Type.INNGAAENDE
    assert journalpost.tittel == "Nye lysrør" and journalpost.dokumentdato.isoformat() == "2026-05-22"
    assert journalpost.saksmappe.tittel == "Nye lysrør Hauketo skole"
    assert journalpost.saksmappe.arkivdel.arkiv.organisation == receiver
    parties = {(p.korrespondanseparttype, p.navn, p.organisasjonsnummer, p.kontaktperson)
               for p in journalpost.korrespondanseparter.all()}  # fmt: skip
    assert parties == {
        ("EA", "Velferdsetaten", "974312344", "Knut Hansen"),
        ("EK", "Elektrikeren AS", "", ""),
    }
    documents = list(journalpost.dokumenter.order_by("dokumentnummer"))
    assert [(d.tittel, d.tilknyttet_registrering_som) for d in documents] == [
        ("Bestilling av nye lysrør", "H"),
        ("Tegning", "V"),
    ]
    assert AuditEvent.objects.filter(action="saksarkiv.arkivmelding_filed").count() == 1


def test_an_arkivmelding_naming_the_receivers_case_is_filed_on_that_case(receiver, velferdsetaten):
    own = services.create_saksmappe(system_handler(receiver), tittel="Vedlikehold av skolene")
    filed = _file(receiver, velferdsetaten, examples.arkivmelding(mappe=own.system_id))
    assert filed.journalposts[0].saksmappe == own
    assert Saksmappe.objects.filter(arkivdel__arkiv__organisation=receiver).count() == 1


def test_a_case_of_another_archive_is_not_a_reference_and_gets_a_new_case(receiver, velferdsetaten):
    theirs = services.create_saksmappe(handler(velferdsetaten), tittel="Velferdsetatens sak")
    filed = _file(receiver, velferdsetaten, examples.arkivmelding(mappe=theirs.system_id))
    assert filed.journalposts[0].saksmappe != theirs
    assert filed.journalposts[0].saksmappe.arkivdel.arkiv.organisation == receiver


def test_an_arkivmelding_invalid_against_the_schema_is_refused_and_nothing_is_stored(
    receiver, velferdsetaten
):
    invalid = examples.arkivmelding().replace(b"<journalstatus>Ekspedert", b"<journalstatus>Sendt")
    with pytest.raises(arkivmelding.InvalidArkivmelding) as refused:
        _file(receiver, velferdsetaten, invalid)
    assert any("journalstatus" in problem for problem in refused.value.problems)
    assert _archive_is_empty(receiver)


def test_a_document_file_the_arkivmelding_names_but_the_message_lacks_is_refused(receiver, velferdsetaten):
    with pytest.raises(arkivmelding.MissingDocumentFile) as refused:
        _file(receiver, velferdsetaten, files={"bestilling.pdf": pdf("Bestilling")})
    assert refused.value.filenames == ["tegning.pdf"]
    assert _archive_is_empty(receiver)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"Not a PDF at all", id="not-a-pdf"),
        pytest.param(inflation_bomb(300), id="pdf-bomb"),
    ],
)
def test_a_document_that_is_no_pdf_the_archive_takes_is_refused_and_nothing_is_stored(
    receiver, velferdsetaten, content
):
    with pytest.raises(services.InvalidInput):
        _file(receiver, velferdsetaten, files=_files(**{"tegning.pdf": content}))
    assert _archive_is_empty(receiver)
    assert not Saksmappe.objects.filter(arkivdel__arkiv__organisation=receiver).exists()


@pytest.mark.parametrize(
    "hostile",
    [
        pytest.param(examples.BILLION_LAUGHS, id="billion-laughs"),
        pytest.param(examples.external_entity("/etc/passwd"), id="external-entity"),
        pytest.param(examples.deep(), id="100000-deep"),
    ],
)
def test_hostile_xml_is_refused_without_reading_local_files(receiver, velferdsetaten, hostile):
    with pytest.raises(arkivmelding.InvalidArkivmelding) as refused:
        _file(receiver, velferdsetaten, hostile)
    assert "root:" not in " ".join([refused.value.message, *refused.value.problems])
    assert _archive_is_empty(receiver)


def test_the_parser_never_expands_an_entity_even_without_a_doctype_check():
    """The safe parser itself leaves an external entity unresolved (the DOCTYPE refusal is a second line)."""
    tree = etree.fromstring(examples.external_entity("/etc/passwd"), arkivmelding.schema._parser())
    assert "root:" not in etree.tostring(tree).decode()


# Outgoing: a journal post dispatched to an organisation in Felles.


def _outgoing(case_handler, *, recipient_number, navn="", skjerming=None):
    case = services.create_saksmappe(
        case_handler, tittel="Bestilling av lysrør", offentlig_tittel="Bestilling"
    )
    journalpost = services.add_journalpost(
        case, case_handler, journalposttype="U", tittel="Bestilling av lysrør", skjerming=skjerming
    )
    services.add_document(
        journalpost,
        case_handler,
        tittel="Bestilling",
        content=pdf("Bestilling"),
        filnavn="b.pdf",
        hoveddokument=True,
    )
    services.add_document(
        journalpost,
        case_handler,
        tittel="Tegning",
        content=pdf("Tegning"),
        filnavn="t.pdf",
        hoveddokument=False,
    )
    services.add_party(journalpost, case_handler, organisasjonsnummer=recipient_number, navn=navn)
    return journalpost


def test_the_arkivmelding_felles_builds_is_valid_against_the_published_schema(receiver, velferdsetaten):
    case_handler = handler(velferdsetaten)
    journalpost = _outgoing(case_handler, recipient_number=examples.RECEIVER)
    documents = [
        arkivmelding.OutgoingDocument(d.system_id, d.tittel, d.dokumenttype, d.tilknyttet_registrering_som == "H",
                                      d.dokumentnummer, f"{d.dokumentnummer}.pdf")
        for d in Dokumentbeskrivelse.objects.filter(journalpost=journalpost).order_by("dokumentnummer")
    ]  # fmt: skip
    xml = arkivmelding.build(
        journalpost,
        documents,
        melding_id=str(uuid.uuid4()),
        parties=list(journalpost.korrespondanseparter.all()),
    )
    schema = etree.XMLSchema(etree.parse(str(arkivmelding.schema.SCHEMA)))
    root = etree.fromstring(xml)
    schema.assertValid(root)
    assert (
        root.findtext("a:mappe/a:basisregistrering/a:journalposttype", namespaces=NS) == "Utgående dokument"
    )
    assert root.findtext("a:mappe/a:systemID", namespaces=NS) == str(journalpost.saksmappe.system_id)
    assert [e.text for e in root.iterfind(".//a:referanseDokumentfil", NS)] == ["1.pdf", "2.pdf"]
    assert (
        root.findtext(".//a:korrespondansepart/a:korrespondansepartNavn", namespaces=NS) == "Fjordvik kommune"
    )


def test_dispatch_to_an_organisation_in_felles_files_the_letter_in_its_archive(receiver, velferdsetaten):
    case_handler = handler(velferdsetaten)
    journalpost = _outgoing(case_handler, recipient_number=examples.RECEIVER)
    services.dispatch(journalpost, case_handler)
    journalpost.refresh_from_db()
    assert journalpost.journalstatus == Journalpost.Status.EKSPEDERT
    party = journalpost.korrespondanseparter.get()
    assert party.ekspedering == Korrespondansepart.Ekspedering.LEVERT and party.forsendelse_id
    filed = Journalpost.objects.get(saksmappe__arkivdel__arkiv__organisation=receiver)
    assert filed.journalposttype == Journalpost.Type.INNGAAENDE and filed.tittel == "Bestilling av lysrør"
    assert filed.korrespondanseparter.get().organisasjonsnummer == "974312344"
    assert list(
        filed.dokumenter.order_by("dokumentnummer").values_list("tittel", "tilknyttet_registrering_som")
    ) == [
        ("Bestilling", "H"),
        ("Tegning", "V"),
    ]


def test_dispatch_to_an_organisation_not_in_felles_is_refused_and_nothing_changes(velferdsetaten):
    case_handler = handler(velferdsetaten)
    journalpost = _outgoing(case_handler, recipient_number="923609016", navn="Equinor ASA")  # not in Felles
    with pytest.raises(services.DispatchRefused, match="Equinor ASA"):
        services.dispatch(journalpost, case_handler)
    journalpost.refresh_from_db()
    assert journalpost.journalstatus == Journalpost.Status.REGISTRERT
    assert journalpost.korrespondanseparter.get().ekspedering == ""


def test_the_answer_to_an_arkivmelding_comes_back_on_the_senders_case(receiver, velferdsetaten):
    """Velferdsetaten writes to Fjordvik kommune from its case; the letter gets a new case there; the
    kommune's answer from that case comes back on Velferdsetaten's case, and Velferdsetaten's next
    letter from its case goes on the kommune's case again."""
    etaten, kommunen = handler(velferdsetaten), handler(receiver, first_name="Kari")
    first = _outgoing(etaten, recipient_number=examples.RECEIVER)
    services.dispatch(first, etaten)
    at_kommunen = Journalpost.objects.get(saksmappe__arkivdel__arkiv__organisation=receiver).saksmappe
    answer = services.add_journalpost(at_kommunen, kommunen, journalposttype="U", tittel="Svar på bestilling")
    services.add_document(
        answer, kommunen, tittel="Svar", content=pdf("Svar"), filnavn="s.pdf", hoveddokument=True
    )
    services.add_party(answer, kommunen, organisasjonsnummer="974312344")
    services.dispatch(answer, kommunen)
    assert (
        Journalpost.objects.get(tittel="Svar på bestilling", journalposttype="I").saksmappe == first.saksmappe
    )
    again = services.add_journalpost(first.saksmappe, etaten, journalposttype="U", tittel="Ny bestilling")
    services.add_document(again, etaten, tittel="Ny", content=pdf("Ny"), filnavn="n.pdf", hoveddokument=True)
    services.add_party(again, etaten, organisasjonsnummer=examples.RECEIVER)
    services.dispatch(again, etaten)
    assert Journalpost.objects.get(tittel="Ny bestilling", journalposttype="I").saksmappe == at_kommunen
    assert Saksmappe.objects.filter(arkivdel__arkiv__organisation=receiver).count() == 1


def test_a_screened_post_is_screened_the_same_way_in_the_receivers_archive(receiver, velferdsetaten):
    case_handler = handler(velferdsetaten)
    screened = services.screening(
        tilgangsrestriksjon="13",
        skjermingshjemmel="Offl. § 13, jf. fvl. § 13",
        skjerming_metadata=["TR1", "NA"],
    )
    journalpost = _outgoing(case_handler, recipient_number=examples.RECEIVER, skjerming=screened)
    services.dispatch(journalpost, case_handler)
    filed = Journalpost.objects.get(saksmappe__arkivdel__arkiv__organisation=receiver)
    assert (filed.skjerming.tilgangsrestriksjon, filed.skjerming.skjermingshjemmel) == (
        "13",
        "Offl. § 13, jf. fvl. § 13",
    )
    assert sorted(filed.skjerming.skjerming_metadata) == ["NA", "TR1"]


def test_a_screening_the_archive_cannot_keep_refuses_the_message(receiver, velferdsetaten):
    screened = examples.arkivmelding().replace(
        b"<dokumentbeskrivelse>",
        b"<skjerming><tilgangsrestriksjon>13</tilgangsrestriksjon><skjermingshjemmel>Offl. 13</skjermingshjemmel>"
        b"<skjermingMetadata>Hemmelig felt</skjermingMetadata></skjerming><dokumentbeskrivelse>",
        1,
    )
    with pytest.raises(services.InvalidInput):
        _file(receiver, velferdsetaten, screened)
    assert _archive_is_empty(receiver)


def test_an_arkivmelding_with_more_journal_posts_than_one_message_may_file_is_refused(
    receiver, velferdsetaten
):
    xml = examples.arkivmelding().decode()
    start, end = (
        xml.index("<basisregistrering"),
        xml.index("</basisregistrering>") + len("</basisregistrering>"),
    )
    many = xml[:start] + xml[start:end] * (arkivmelding.filing.MAX_RECORDS + 1) + xml[end:]
    with pytest.raises(arkivmelding.InvalidArkivmelding):
        _file(receiver, velferdsetaten, many.encode())
    assert _archive_is_empty(receiver)


def test_the_expected_split_counts_organisations_as_letters_to_their_archive(receiver, velferdsetaten):
    case_handler = handler(velferdsetaten)
    journalpost = _outgoing(case_handler, recipient_number=examples.RECEIVER)
    services.add_party(journalpost, case_handler, organisasjonsnummer="974312344")
    split = services.expected_channels(journalpost)
    assert (split.archive, split.digital, split.paper, split.held, split.total) == (2, 0, 0, 0, 2)
