"""The case archive through its services: numbering, parties, documents, finalised records,
letters from templates and seamless dispatch into digital post."""

import io

import pytest
from pypdf import PdfReader

from core.models import AuditEvent
from folkeregister.models import AddressProtection
from postkasse.models import Letter
from saksarkiv import services
from saksarkiv.models import Journalpost, Korrespondansepart, Saksmappe
from tests.postkasse.factories import citizen, pdf, providers
from tests.saksarkiv.factories import brevmal, handler, organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def digipost(settings, tmp_path):
    return providers(settings, tmp_path)[0]


def outgoing(case_handler, **fields):
    case = services.create_saksmappe(
        case_handler, tittel="Søknad om bostøtte – Kari Nordmann", offentlig_tittel="Søknad om bostøtte"
    )
    return services.add_journalpost(
        case, case_handler, journalposttype="U", tittel="Vedtak om bostøtte", **fields
    )


def _add_recipient(journalpost, case_handler):
    """A free-text recipient, as an outgoing post needs before it is finalised."""
    services.add_party(
        journalpost,
        case_handler,
        navn="Ola Hansen",
        postadresse=["Storgata 2"],
        postnummer="9990",
        poststed="Båtsfjord",
    )


def test_cases_and_journal_posts_are_numbered_per_archive_and_year():
    first, second = handler(), handler()
    a = services.create_saksmappe(first, tittel="A")
    b = services.create_saksmappe(second, tittel="B")
    assert (a.sakssekvensnummer, b.sakssekvensnummer) == (1, 2)
    other = services.create_saksmappe(handler(organisation("974312344", "Velferdsetaten")), tittel="C")
    assert other.sakssekvensnummer == 1  # another organisation, another archive
    one = services.add_journalpost(a, first, journalposttype="I", tittel="Søknad")
    two = services.add_journalpost(
        b, first.__class__.objects.get(pk=second.pk), journalposttype="U", tittel="Svar"
    )
    three = services.add_journalpost(a, first, journalposttype="N", tittel="Notat")
    assert [j.journalsekvensnummer for j in (one, two, three)] == [1, 2, 3]
    assert [j.journalpostnummer for j in (one, three)] == [1, 2]
    assert str(three).startswith(f"{a.saksaar}/1-2")


def test_a_handler_cannot_touch_another_organisations_case():
    mine, theirs = handler(), handler(organisation("974312344", "Velferdsetaten"))
    case = services.create_saksmappe(theirs, tittel="Hemmelig")
    assert not services.cases_for(mine).filter(pk=case.pk).exists()
    with pytest.raises(services.NotFound):
        services.add_journalpost(case, mine, journalposttype="I", tittel="x")
    journalpost = services.add_journalpost(case, theirs, journalposttype="I", tittel="x")
    with pytest.raises(services.NotFound):
        services.get_journalpost(mine, journalpost.pk)


def test_a_person_party_gets_name_and_address_from_the_register():
    case_handler = handler()
    journalpost = outgoing(case_handler)
    person = citizen(given_name="Ola", family_name="Nordmann")
    party = services.add_party(journalpost, case_handler, identity_number=person.identity_number)
    assert party.navn == "Ola Nordmann" and party.postadresse == ["Storgata 1", "0150 OSLO"]


def test_a_protected_address_is_never_stored():
    case_handler = handler()
    journalpost = outgoing(case_handler)
    person = citizen(address_protection=AddressProtection.STRENGT_FORTROLIG)
    party = services.add_party(journalpost, case_handler, identity_number=person.identity_number)
    assert party.adresse_beskyttet and party.postadresse == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"identity_number": "12345678901"}, "ikke et gyldig"),
        ({"organisasjonsnummer": "123456789"}, "ikke et gyldig organisasjonsnummer"),
        ({}, "Oppgi et fødselsnummer, et organisasjonsnummer eller et navn med postadresse"),
    ],
)
def test_bad_parties_are_refused(fields, message):
    case_handler = handler()
    journalpost = outgoing(case_handler)
    with pytest.raises(services.InvalidInput, match=message):
        services.add_party(journalpost, case_handler, **fields)
    assert not Korrespondansepart.objects.exists()


def test_documents_must_be_pdfs_within_the_size_limit(settings):
    case_handler = handler()
    journalpost = outgoing(case_handler)
    with pytest.raises(services.InvalidInput, match="er ikke en PDF"):
        services.add_document(
            journalpost, case_handler, tittel="x", content=b"hello", filnavn="x.pdf", hoveddokument=True
        )
    settings.SAKSARKIV_MAX_DOCUMENT_BYTES = 100
    with pytest.raises(services.InvalidInput, match="større enn"):
        services.add_document(
            journalpost, case_handler, tittel="x", content=pdf(), filnavn="x.pdf", hoveddokument=True
        )
    assert not journalpost.dokumenter.exists()


def test_a_finalised_journal_post_changes_only_by_new_versions():
    case_handler = handler()
    journalpost = outgoing(case_handler)
    dokument = services.add_document(
        journalpost, case_handler, tittel="Vedtak", content=pdf(), filnavn="v.pdf", hoveddokument=True
    )
    _add_recipient(journalpost, case_handler)
    services.finalise(journalpost, case_handler)
    with pytest.raises(services.RecordFinalised, match="er ferdigstilt"):
        services.add_document(
            journalpost, case_handler, tittel="V", content=pdf(), filnavn="v.pdf", hoveddokument=False
        )
    with pytest.raises(services.RecordFinalised):
        services.add_party(journalpost, case_handler, identity_number=citizen().identity_number)
    services.new_version(dokument, case_handler, content=pdf("Rettet vedtak"), filnavn="v2.pdf")
    assert [v.versjonsnummer for v in dokument.versjoner.all()] == [1, 2]
    assert AuditEvent.objects.filter(action="saksarkiv.document_version_added").exists()


def test_a_template_with_an_unknown_field_is_refused():
    with pytest.raises(services.InvalidInput, match="Feltet {{ personnummer }} finnes ikke"):
        services.validate_template("Vedtak", "Hei {{ personnummer }}")
    with pytest.raises(services.InvalidInput, match="kan ikke leses"):
        services.validate_template("Vedtak", "{% load static %}")
    with pytest.raises(services.InvalidInput, match="bare inneholde tekst og felt"):
        services.validate_template("Vedtak", "{% if saksnummer %}x{% endif %}")


def test_dispatch_sends_each_recipient_a_letter_and_brings_receipts_back(digipost):
    case_handler = handler()
    journalpost = outgoing(case_handler)
    journalpost.brevmal = brevmal(case_handler.organisation)
    journalpost.save()
    digital = citizen(mailbox_provider=digipost, given_name="Kari")
    paper = citizen(given_name="Per", family_name="Hansen")
    for person in (digital, paper):
        services.add_party(journalpost, case_handler, identity_number=person.identity_number)
    services.dispatch(journalpost, case_handler)
    journalpost.refresh_from_db()
    assert journalpost.journalstatus == Journalpost.Status.EKSPEDERT and journalpost.sendt_dato
    letters = {letter.recipient: letter for letter in Letter.objects.all()}
    assert letters[digital.identity_number].status == Letter.Status.DELIVERED
    assert letters[paper.identity_number].status == Letter.Status.AWAITING_PRINT
    states = {
        party.navn: (party.ekspedering, [r.kind for r in found])
        for party, found in services.receipts(journalpost)
    }
    assert states["Kari Nordmann"] == ("levert", ["levert"])
    assert states["Per Hansen"] == ("sendt", [])
    text = (
        PdfReader(io.BytesIO(_paper_pdf(letters[paper.identity_number])))
        .pages[1]  # page 0 is the print channel's address page
        .extract_text()
    )
    assert "Hei Per Hansen" in text


def _paper_pdf(letter) -> bytes:
    from postkasse.services import printing

    return printing.print_job_pdf(letter.print_job)


def test_dispatch_without_recipient_or_document_is_refused_and_nothing_changes():
    case_handler = handler()
    journalpost = outgoing(case_handler)
    with pytest.raises(services.DispatchRefused, match="mottaker"):
        services.dispatch(journalpost, case_handler)
    services.add_party(journalpost, case_handler, identity_number=citizen().identity_number)
    with pytest.raises(services.DispatchRefused, match="dokument"):
        services.dispatch(journalpost, case_handler)
    journalpost.refresh_from_db()
    assert journalpost.journalstatus == Journalpost.Status.REGISTRERT and not Letter.objects.exists()


def test_a_dispatched_journal_post_cannot_be_dispatched_again(digipost):
    case_handler = handler()
    journalpost = outgoing(case_handler)
    services.add_document(
        journalpost, case_handler, tittel="Vedtak", content=pdf(), filnavn="v.pdf", hoveddokument=True
    )
    services.add_party(
        journalpost, case_handler, identity_number=citizen(mailbox_provider=digipost).identity_number
    )
    services.dispatch(journalpost, case_handler)
    with pytest.raises(services.DispatchRefused):
        services.dispatch(journalpost, case_handler)
    assert Letter.objects.count() == 1


def test_a_screened_title_never_reaches_the_notification(digipost):
    from saksarkiv.models import Skjerming

    screening = Skjerming.objects.create(
        tilgangsrestriksjon="13", skjermingshjemmel="Offl. § 13 jf. fvl. § 13", skjerming_metadata=["tittel"]
    )
    case_handler = handler()
    journalpost = outgoing(case_handler, skjerming=screening)
    services.add_document(
        journalpost, case_handler, tittel="Vedtak", content=pdf(), filnavn="v.pdf", hoveddokument=True
    )
    services.add_party(
        journalpost, case_handler, identity_number=citizen(mailbox_provider=digipost).identity_number
    )
    services.dispatch(journalpost, case_handler)
    letter = Letter.objects.get()
    assert letter.title == "Brev fra Fjordvik kommune" and letter.sensitive_title == "Vedtak om bostøtte"


def test_a_case_closes_only_when_every_journal_post_is_finalised():
    case_handler = handler()
    journalpost = outgoing(case_handler)
    with pytest.raises(services.InvalidInput):
        services.close_case(journalpost.saksmappe, case_handler)
    services.add_document(
        journalpost, case_handler, tittel="Vedtak", content=pdf(), filnavn="v.pdf", hoveddokument=True
    )
    _add_recipient(journalpost, case_handler)
    services.finalise(journalpost, case_handler)
    case = services.close_case(journalpost.saksmappe, case_handler)
    assert case.saksstatus == Saksmappe.Status.AVSLUTTET


def test_many_recipients_get_letters_laid_out_once_with_their_own_name_and_address(digipost):
    """Mass dispatch: the shared letter is laid out once; each PDF still names its own recipient."""
    case_handler = handler()
    journalpost = outgoing(case_handler)
    journalpost.brevmal = brevmal(case_handler.organisation)
    journalpost.save()
    people = [citizen(given_name=name, family_name="Ødegård", residential_street=f"Gate {i}") for i, name in
              enumerate(["Åse", "Bjørn", "Cæcilie", "Dag"])]  # fmt: skip
    long_name = citizen(
        given_name="Maximiliana Wilhelmina Bernadette Augusta", family_name="von Habsburg-Lothringen"
    )
    for person in [*people, long_name]:
        services.add_party(journalpost, case_handler, identity_number=person.identity_number)
    services.dispatch(journalpost, case_handler)
    for person in [*people, long_name]:
        letter = Letter.objects.get(recipient=person.identity_number)
        text = PdfReader(io.BytesIO(_paper_pdf(letter))).pages[1].extract_text()
        assert f"{person.given_name} {person.family_name}" in text
        assert f"Hei {person.given_name} {person.family_name}," in text
        for other in people:
            if other != person:
                assert other.given_name not in text
