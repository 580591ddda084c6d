"""dokumentbeskrivelse, dokumentobjekt and the file through the Noark 5 interface (chapter 6, "Hente og
overføre filer"), followed by rel from the journal post; and that an object still waiting for its file
breaks none of the archive's readers (finalising, dispatch, the public journal, the deposit)."""

import hashlib

import pytest
from django.utils import translation

from core.models import AuditEvent
from postkasse.models import Letter
from saksarkiv import services
from saksarkiv.models import Dokumentbeskrivelse, Dokumentobjekt, Journalpost, Tilgangskode
from saksarkiv.services import documents
from tests.core.hostile_pdfs import inflation_bomb, large_pdf
from tests.postkasse.factories import citizen, pdf
from tests.saksarkiv.factories import handler, organisation

pytestmark = pytest.mark.django_db

REL = "https://rel.arkivverket.no/noark5/v5/api/"
NY_DOKUMENTBESKRIVELSE = "arkivstruktur/ny-dokumentbeskrivelse/"
NY_DOKUMENTOBJEKT = "arkivstruktur/ny-dokumentobjekt/"
FIL = "arkivstruktur/fil/"


def described(machine, journalpost=None, **fields) -> dict:
    journalpost = journalpost or machine.journalpost()
    return machine.create(journalpost, NY_DOKUMENTBESKRIVELSE, {"tittel": "Vedtak", **fields})


def upload(machine, href: str, content: bytes, content_type="application/pdf", **headers):
    return machine.post(href, content, content_type=content_type, **headers)


def test_the_whole_path_from_journal_post_to_the_file_and_back(machine):
    content = pdf("Vedtak om bostøtte")
    journalpost = machine.journalpost()
    template = machine.follow(journalpost, NY_DOKUMENTBESKRIVELSE)
    assert template["tilknyttetRegistreringSom"]["kode"] == "H"
    assert template["dokumentstatus"]["kode"] == "B"
    dokument = described(machine, journalpost, dokumenttype={"kode": "B"})
    assert (dokument["dokumentnummer"], dokument["tilknyttetRegistreringSom"]["kode"]) == (1, "H")
    assert machine.href(dokument, "sakarkiv/journalpost/") == machine.href(journalpost, "self")
    objekt_template = machine.follow(dokument, NY_DOKUMENTOBJEKT)
    assert objekt_template["versjonsnummer"] == 1
    objekt = machine.create(
        dokument,
        NY_DOKUMENTOBJEKT,
        {
            "versjonsnummer": 1,
            "variantformat": {"kode": "P"},
            "filnavn": "vedtak.pdf",
            "mimeType": "application/pdf",
            "sjekksum": hashlib.sha256(content).hexdigest(),
            "sjekksumAlgoritme": "SHA-256",
            "filstoerrelse": len(content),
        },
    )
    assert "referanseDokumentfil" not in objekt

    answer = upload(machine, machine.href(objekt, FIL), content, HTTP_CONTENT_LENGTH=str(len(content)))

    assert answer.status_code == 201, answer.content
    filed = answer.json()
    assert filed["systemID"] == objekt["systemID"]
    assert filed["sjekksum"] == hashlib.sha256(content).hexdigest()
    assert filed["filstoerrelse"] == len(content)
    assert filed["mimeType"] == "application/pdf"
    assert filed["format"]["kode"].startswith("fmt/")
    assert filed["referanseDokumentfil"] == machine.href(filed, FIL)
    download = machine.get(machine.href(filed, FIL), HTTP_ACCEPT="*/*")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == content
    assert AuditEvent.objects.filter(action="saksarkiv.document_read").count() == 1
    # The archive keeps the same version in PDF/A beside the file as it came, or the file itself is PDF/A.
    versions = machine.follow(dokument, "arkivstruktur/dokumentobjekt/")
    assert {version["variantformat"]["kode"] for version in versions["results"]} >= {"A"}
    assert {version["versjonsnummer"] for version in versions["results"]} == {1}


def test_a_file_posted_to_the_description_becomes_its_next_object(machine):
    dokument = described(machine)

    answer = upload(
        machine,
        machine.href(dokument, FIL),
        pdf("Vedtak"),
        HTTP_CONTENT_DISPOSITION='attachment; filename="v.pdf"',
    )

    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert answer["Location"] == machine.href(created, "self")
    assert created["versjonsnummer"] == 1 and created["filnavn"] == "v.pdf"
    assert machine.href(created, "arkivstruktur/dokumentbeskrivelse/") == machine.href(dokument, "self")


def test_a_second_upload_to_a_filled_object_is_refused_with_409(machine):
    dokument = described(machine)
    objekt = machine.create(dokument, NY_DOKUMENTOBJEKT, {})
    assert upload(machine, machine.href(objekt, FIL), pdf("Første")).status_code == 201

    again = upload(machine, machine.href(objekt, FIL), pdf("Andre"))

    assert again.status_code == 409
    assert "feil" in again.json()
    stored = Dokumentobjekt.objects.get(system_id=objekt["systemID"])
    assert stored.sjekksum == hashlib.sha256(pdf("Første")).hexdigest()


def test_a_declared_checksum_that_differs_is_refused_and_nothing_stored(machine):
    dokument = described(machine)
    objekt = machine.create(dokument, NY_DOKUMENTOBJEKT, {"sjekksum": hashlib.sha256(b"other").hexdigest()})

    answer = upload(machine, machine.href(objekt, FIL), pdf("Vedtak"))

    assert answer.status_code == 400
    assert "feil" in answer.json()
    stored = Dokumentobjekt.objects.get(system_id=objekt["systemID"])
    assert not stored.fil and stored.filstoerrelse is None
    assert Dokumentobjekt.objects.count() == 1


def test_a_declared_size_that_differs_is_refused(machine):
    objekt = machine.create(described(machine), NY_DOKUMENTOBJEKT, {"filstoerrelse": 10})

    answer = upload(machine, machine.href(objekt, FIL), pdf("Vedtak"))

    assert answer.status_code == 400
    assert not Dokumentobjekt.objects.get(system_id=objekt["systemID"]).fil


def test_a_file_that_is_not_a_pdf_gets_415_and_a_pdf_that_is_not_one_400(machine):
    objekt = machine.create(described(machine), NY_DOKUMENTOBJEKT, {})

    image = upload(machine, machine.href(objekt, FIL), b"\x89PNG\r\n", content_type="image/png")
    pretending = upload(machine, machine.href(objekt, FIL), b"not a pdf at all")

    assert image.status_code == 415 and "feil" in image.json()
    assert pretending.status_code == 400 and "feil" in pretending.json()
    assert not Dokumentobjekt.objects.get(system_id=objekt["systemID"]).fil


def test_a_25_megabyte_pdf_is_over_the_limit_and_refused_with_403(machine, settings):
    assert settings.SAKSARKIV_MAX_DOCUMENT_BYTES < 25 * 1024 * 1024
    content = large_pdf(25)
    assert len(content) >= 25 * 1024 * 1024 - 64 * 1024
    objekt = machine.create(described(machine), NY_DOKUMENTOBJEKT, {})

    answer = upload(machine, machine.href(objekt, FIL), content)

    assert answer.status_code == 403
    assert "bulkgrense" in answer.json()["feil"]["beskrivelse"]
    assert not Dokumentobjekt.objects.get(system_id=objekt["systemID"]).fil


def test_a_pdf_bomb_is_refused_and_nothing_stored(machine):
    dokument = described(machine)

    answer = upload(machine, machine.href(dokument, FIL), inflation_bomb())

    assert answer.status_code == 400
    assert "feil" in answer.json()
    assert not Dokumentobjekt.objects.exists()


def test_a_transfer_in_parts_answers_501(machine):
    objekt = machine.create(described(machine), NY_DOKUMENTOBJEKT, {})

    started = upload(
        machine,
        machine.href(objekt, FIL),
        b"",
        HTTP_X_UPLOAD_CONTENT_TYPE="application/pdf",
        HTTP_X_UPLOAD_CONTENT_LENGTH="300000000",
    )

    assert started.status_code == 501
    assert "feil" in started.json()


def test_an_accept_that_is_not_the_files_type_gets_406(machine):
    dokument = described(machine)
    filed = upload(machine, machine.href(dokument, FIL), pdf("Vedtak")).json()

    answer = machine.get(machine.href(filed, FIL), HTTP_ACCEPT="image/png")

    assert answer.status_code == 406


def test_the_file_of_a_waiting_object_does_not_exist(machine):
    objekt = machine.create(described(machine), NY_DOKUMENTOBJEKT, {})

    answer = machine.get(machine.href(objekt, FIL), HTTP_ACCEPT="*/*")

    assert answer.status_code == 404


def test_one_object_waits_at_a_time_and_a_waiting_one_is_deleted(machine):
    dokument = described(machine)
    objekt = machine.create(dokument, NY_DOKUMENTOBJEKT, {})

    second = machine.post(machine.href(dokument, NY_DOKUMENTOBJEKT), {})
    deleted = machine.delete(machine.href(objekt, "self"))

    assert second.status_code == 409
    assert deleted.status_code == 204
    assert not Dokumentobjekt.objects.exists()


def test_a_filed_object_and_its_description_cannot_be_deleted(machine):
    dokument = described(machine)
    filed = upload(machine, machine.href(dokument, FIL), pdf("Vedtak")).json()

    assert machine.delete(machine.href(filed, "self")).status_code == 409
    assert machine.delete(machine.href(dokument, "self")).status_code == 409
    assert Dokumentbeskrivelse.objects.count() == 1
    assert Dokumentobjekt.objects.filter(system_id=filed["systemID"]).exists()


def test_a_description_without_a_file_is_deleted_while_the_post_is_open(machine):
    dokument = described(machine)
    machine.create(dokument, NY_DOKUMENTOBJEKT, {})

    assert machine.delete(machine.href(dokument, "self")).status_code == 204
    assert not Dokumentbeskrivelse.objects.exists() and not Dokumentobjekt.objects.exists()


def test_the_title_changes_with_the_etag_while_the_post_is_open(machine):
    dokument = described(machine)
    read = machine.get(machine.href(dokument, "self"))

    changed = machine.patch(
        machine.href(dokument, "self"), {"tittel": "Vedtak, rettet"}, HTTP_IF_MATCH=read["ETag"]
    )
    stale = machine.patch(machine.href(dokument, "self"), {"tittel": "Igjen"}, HTTP_IF_MATCH=read["ETag"])

    assert changed.status_code == 200 and changed.json()["tittel"] == "Vedtak, rettet"
    assert stale.status_code == 409
    assert Dokumentbeskrivelse.objects.get().tittel == "Vedtak, rettet"


def test_an_attachment_follows_the_main_document(machine):
    journalpost = machine.journalpost()
    main = described(machine, journalpost)
    attachment = described(machine, journalpost, tittel="Vedlegg")
    second_main = machine.post(
        machine.href(journalpost, NY_DOKUMENTBESKRIVELSE),
        {"tittel": "Enda et", "tilknyttetRegistreringSom": {"kode": "H"}},
    )

    assert main["tilknyttetRegistreringSom"]["kode"] == "H"
    assert (attachment["tilknyttetRegistreringSom"]["kode"], attachment["dokumentnummer"]) == ("V", 2)
    assert second_main.status_code == 400
    assert machine.follow(journalpost, "arkivstruktur/dokumentbeskrivelse/")["count"] == 2


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"tittel": ""},
        {"tittel": "X", "dokumentstatus": {"kode": "F"}},
        {"tittel": "X", "dokumenttype": {"kode": "ZZ"}},
        {"tittel": "X", "systemID": "not-yours"},
        {"tittel": ["X"]},
    ],
)
def test_a_bad_description_is_refused_with_400(machine, body):
    journalpost = machine.journalpost()

    answer = machine.post(machine.href(journalpost, NY_DOKUMENTBESKRIVELSE), body)

    assert answer.status_code == 400
    assert "feil" in answer.json()
    assert not Dokumentbeskrivelse.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"versjonsnummer": 7},
        {"mimeType": "image/jpeg"},
        {"sjekksum": "xyz"},
        {"sjekksumAlgoritme": "MD5"},
        {"variantformat": {"kode": "O"}},
        {"filstoerrelse": -1},
        {"format": {"kode": "fmt/95"}},
    ],
)
def test_a_bad_object_is_refused_with_400(machine, body):
    dokument = described(machine)

    answer = machine.post(machine.href(dokument, NY_DOKUMENTOBJEKT), body)

    assert answer.status_code == 400
    assert not Dokumentobjekt.objects.exists()


def test_another_organisations_documents_do_not_exist_nor_count(machine, other_machine):
    dokument = described(machine)
    filed = upload(machine, machine.href(dokument, FIL), pdf("Vedtak")).json()

    assert other_machine.get(machine.href(dokument, "self")).status_code == 404
    assert other_machine.get(machine.href(filed, FIL), HTTP_ACCEPT="*/*").status_code == 404
    assert upload(other_machine, machine.href(dokument, FIL), pdf("Falsk")).status_code == 404
    structure = other_machine.arkivstruktur()
    assert other_machine.follow(structure, "arkivstruktur/dokumentbeskrivelse/")["count"] == 0
    assert other_machine.follow(structure, "arkivstruktur/dokumentobjekt/")["count"] == 0
    assert machine.follow(machine.arkivstruktur(), "arkivstruktur/dokumentbeskrivelse/")["count"] == 1


def test_the_documents_of_a_post_coded_against_the_system_do_not_exist_for_it(machine):
    case_handler = handler(organisation())
    case = services.create_saksmappe(case_handler, tittel="Barnevern")
    journalpost = services.add_journalpost(case, case_handler, journalposttype="I", tittel="Melding")
    dokument = services.add_document(
        journalpost,
        case_handler,
        tittel="Melding",
        content=pdf("Melding"),
        filnavn="m.pdf",
        hoveddokument=True,
    )
    code = Tilgangskode.objects.create(organisation=case_handler.organisation, kode="BV", navn="Barnevern")
    Journalpost.objects.filter(pk=journalpost.pk).update(tilgangskode=code)
    version = documents.current_version(dokument)

    structure = machine.arkivstruktur()
    listed = machine.follow(structure, "arkivstruktur/dokumentbeskrivelse/")
    found = machine.get(f"/api/noark5/arkivstruktur/dokumentbeskrivelse/{dokument.system_id}/")
    file = machine.get(f"/api/noark5/arkivstruktur/dokumentobjekt/{version.system_id}/referanseFil/")
    searched = machine.follow(structure, "arkivstruktur/dokumentobjekt/", {"$filter": "filnavn eq 'm.pdf'"})

    assert listed["count"] == 0 and searched["count"] == 0
    assert found.status_code == 404 and file.status_code == 404


# ---- an object waiting for its file breaks none of the archive's readers -----------------------------


def waiting_post(machine) -> Journalpost:
    """An outgoing post to a citizen, with a document whose object waits for its file."""
    journalpost = machine.journalpost()
    machine.create(
        journalpost,
        "arkivstruktur/ny-korrespondansepartperson/",
        {
            "korrespondanseparttype": {"kode": "EM"},
            "personidentifikator": [{"foedselsnummer": citizen().identity_number}],
        },
    )
    machine.create(described(machine, journalpost), NY_DOKUMENTOBJEKT, {})
    return Journalpost.objects.get(system_id=journalpost["systemID"])


def test_a_post_with_a_document_waiting_for_its_file_is_not_finalised(machine):
    journalpost = waiting_post(machine)
    before = journalpost.journalstatus

    with translation.override(None), pytest.raises(services.InvalidInput, match="has no file yet"):
        services.finalise(journalpost, journalpost.saksbehandler)

    journalpost.refresh_from_db()
    assert journalpost.journalstatus == before != Journalpost.Status.FERDIGSTILT
    assert Dokumentbeskrivelse.objects.get().dokumentstatus == Dokumentbeskrivelse.Status.UNDER_REDIGERING


def test_a_description_without_any_object_stops_finalising_too(machine):
    journalpost = machine.journalpost()
    machine.create(
        journalpost,
        "arkivstruktur/ny-korrespondansepartenhet/",
        {"korrespondanseparttype": {"kode": "EM"}, "navn": "Ola Hansen"},
    )
    described(machine, journalpost)
    post = Journalpost.objects.get(system_id=journalpost["systemID"])

    with translation.override(None), pytest.raises(services.InvalidInput, match="has no file yet"):
        services.finalise(post, post.saksbehandler)


def test_a_post_with_a_document_waiting_for_its_file_is_not_dispatched(machine):
    journalpost = waiting_post(machine)
    Journalpost.objects.filter(pk=journalpost.pk).update(journalstatus=Journalpost.Status.REGISTRERT)
    journalpost.refresh_from_db()

    with translation.override(None), pytest.raises(services.InvalidInput, match="has no file yet"):
        services.dispatch(journalpost, journalpost.saksbehandler)

    journalpost.refresh_from_db()
    assert journalpost.journalstatus == Journalpost.Status.REGISTRERT
    assert journalpost.sendt_dato is None
    assert not Letter.objects.exists()


def test_the_public_journal_lists_a_post_whose_document_waits_for_its_file(machine):
    journalpost = waiting_post(machine)
    Journalpost.objects.filter(pk=journalpost.pk).update(journalstatus=Journalpost.Status.REGISTRERT)

    page = services.public.public_journal(journalpost.saksbehandler.organisation)

    assert [entry.pk for entry in page.object_list] == [journalpost.pk]


def test_the_version_readers_skip_a_waiting_object(machine):
    dokument = described(machine)
    upload(machine, machine.href(dokument, FIL), pdf("Vedtak"))
    stored = Dokumentbeskrivelse.objects.get(system_id=dokument["systemID"])
    machine.create(dokument, NY_DOKUMENTOBJEKT, {"variantformat": {"kode": "A"}})

    current = documents.current_version(stored)

    assert current.versjonsnummer == 1 and current.fil
    assert documents.find_version(stored, 2) is None
    with pytest.raises(services.NotFound):
        documents.open_version(stored.journalpost.saksbehandler, stored.versjoner.get(versjonsnummer=2))


def test_a_period_with_an_object_waiting_for_its_file_is_deposited_without_it(tmp_path):
    from saksarkiv.services.deposit import make_deposit
    from tests.saksarkiv.test_deposit import NS, Archive, assert_valid, xml

    leader = handler(first_name="Arne", last_name="Arkiv")
    leader.arkivleder = True
    leader.save(update_fields=["arkivleder"])
    period = Archive(leader, close=False)
    dokument = period.decision.dokumenter.get()
    waiting = documents.await_file(dokument, leader, variantformat="A", filnavn="ny.pdf")
    period.close()

    result = make_deposit(period.arkivdel, by=leader, target=tmp_path / "pakke")

    assert_valid(result.path)
    structure = xml(result.path, "arkivstruktur.xml")
    described = structure.xpath(
        "//a:dokumentbeskrivelse[a:systemID=$id]", namespaces=NS, id=str(dokument.system_id)
    )
    versions = [
        element.findtext("a:versjonsnummer", namespaces=NS)
        for element in described[0].iterfind("a:dokumentobjekt", NS)
    ]
    assert versions == ["1"]
    assert waiting.versjonsnummer == 2
    assert result.dokumentfiler == len(structure.findall(".//a:dokumentobjekt", NS))


def test_a_finalised_post_takes_no_new_description(machine):
    journalpost = machine.journalpost()
    Journalpost.objects.filter(system_id=journalpost["systemID"]).update(journalstatus="F")
    again = machine.get(machine.href(journalpost, "self")).json()

    answer = machine.post(machine.href(journalpost, "self") + "ny-dokumentbeskrivelse/", {"tittel": "Sent"})

    assert REL + NY_DOKUMENTBESKRIVELSE not in again["_links"]
    assert answer.status_code == 403
    assert not Dokumentbeskrivelse.objects.exists()


def test_a_content_disposition_that_names_no_file_is_refused(machine):
    dokument = described(machine)

    answer = upload(
        machine, machine.href(dokument, FIL), pdf("Vedtak"), HTTP_CONTENT_DISPOSITION="attachment; filename="
    )

    assert answer.status_code == 400
    assert not Dokumentobjekt.objects.exists()


def test_a_file_to_an_archived_post_is_refused(machine):
    dokument = described(machine)
    Journalpost.objects.filter(dokumenter__system_id=dokument["systemID"]).update(journalstatus="A")

    answer = upload(machine, machine.href(dokument, FIL), pdf("Vedtak"))

    assert answer.status_code == 409
    assert not Dokumentobjekt.objects.exists()


def test_an_ordinary_pdf_stays_as_produced_and_its_pdfa_is_the_same_versions_archive_variant(machine):
    from tests.saksarkiv.test_pdfa import assert_pdfa_2b, file_of, ordinary_pdf

    content = ordinary_pdf()
    dokument = described(machine)
    objekt = machine.create(dokument, NY_DOKUMENTOBJEKT, {"variantformat": {"kode": "A"}})

    filed = upload(machine, machine.href(objekt, FIL), content).json()

    # The object holds the file as it came, so its variant says what the file is: produksjonsformat.
    assert (filed["systemID"], filed["variantformat"]["kode"]) == (objekt["systemID"], "P")
    assert filed["sjekksum"] == hashlib.sha256(content).hexdigest()
    listed = machine.follow(dokument, "arkivstruktur/dokumentobjekt/")["results"]
    assert sorted((each["versjonsnummer"], each["variantformat"]["kode"]) for each in listed) == [
        (1, "A"),
        (1, "P"),
    ]
    archived = Dokumentobjekt.objects.get(variantformat="A")
    assert_pdfa_2b(file_of(archived))
    stored = Dokumentbeskrivelse.objects.get(system_id=dokument["systemID"])
    assert documents.current_version(stored) == archived


def test_a_finalised_posts_description_is_neither_changed_nor_deleted(machine):
    dokument = described(machine)
    Journalpost.objects.filter(dokumenter__system_id=dokument["systemID"]).update(journalstatus="F")
    read = machine.get(machine.href(dokument, "self"))

    changed = machine.patch(machine.href(dokument, "self"), {"tittel": "Endret"}, HTTP_IF_MATCH=read["ETag"])
    deleted = machine.delete(machine.href(dokument, "self"))

    assert changed.status_code == deleted.status_code == 409
    assert Dokumentbeskrivelse.objects.get().tittel == "Vedtak"
