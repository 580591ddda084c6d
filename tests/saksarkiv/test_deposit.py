"""The deposit (arkivuttrekk) of a closed period: an archive built through the services, closed, deposited,
and every XML file checked with lxml against Arkivverket's schemas as vendored in saksarkiv/schemas, the
checksums and counts of arkivuttrekk.xml against the files, and the refusals."""

import hashlib
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from core.models import AuditEvent
from saksarkiv import services
from saksarkiv.models import Arkivdel, Dokumentobjekt
from saksarkiv.services import archive, avskrivning, classification, entities, periods
from saksarkiv.services.deposit import DepositError, make_deposit
from saksarkiv.services.deposit.codes import NAMES
from tests.postkasse.factories import citizen, pdf
from tests.saksarkiv.factories import handler, organisation

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parents[2] / "saksarkiv" / "schemas"
N5 = "http://www.arkivverket.no/standarder/noark5/"
NS = {
    "a": N5 + "arkivstruktur",
    "e": N5 + "endringslogg",
    "l": N5 + "loependeJournal",
    "o": N5 + "offentligJournal",
    "addml": "http://www.arkivverket.no/standarder/addml",
}
FILES = {
    "arkivstruktur.xml": "arkivstruktur.xsd",
    "endringslogg.xml": "endringslogg.xsd",
    "loependeJournal.xml": "loependeJournal.xsd",
    "offentligJournal.xml": "offentligJournal.xsd",
    "arkivuttrekk.xml": "addml.xsd",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_valid(folder: Path) -> None:
    """Every XML file of the package against its official schema, read here with lxml on its own."""
    for xml_name, schema_name in FILES.items():
        schema = etree.XMLSchema(etree.parse(str(SCHEMAS / schema_name)))
        document = etree.parse(str(folder / xml_name))
        assert schema.validate(document), f"{xml_name}: {schema.error_log}"


def xml(folder: Path, name: str):
    return etree.parse(str(folder / name))


@pytest.fixture
def leader():
    archive_leader = handler(first_name="Arne", last_name="Arkiv")
    archive_leader.arkivleder = True
    archive_leader.save(update_fields=["arkivleder"])
    return archive_leader


def test_an_archive_part_still_active_is_not_deposited(leader, tmp_path):
    case = services.create_saksmappe(leader, tittel="Søknad om bostøtte")
    with pytest.raises(DepositError) as refused:
        make_deposit(case.arkivdel, by=leader, target=tmp_path / "pakke")
    assert case.arkivdel.tittel in refused.value.message
    assert str(Arkivdel.Status.AKTIV.label) in refused.value.message
    assert not (tmp_path / "pakke").exists()
    assert list(tmp_path.glob("pakke*")) == [] and list(tmp_path.glob(".pakke*")) == []


def test_only_an_archive_leader_of_the_organisation_deposits(leader, tmp_path):
    case = services.create_saksmappe(leader, tittel="Søknad om bostøtte")
    for outsider in (handler(), handler(organisation("974312344", "Velferdsetaten"))):
        with pytest.raises(DepositError) as refused:
            make_deposit(case.arkivdel, by=outsider, target=tmp_path / "pakke")
        assert refused.value.message == _(
            "Only the archive leaders of %(organisation)s make its deposits."
        ) % {"organisation": "Fjordvik kommune"}
    assert not AuditEvent.objects.filter(action="saksarkiv.deposit_made").exists()


def test_every_code_felles_stores_has_the_standards_name():
    for choices, names in NAMES.items():
        assert set(names) == set(choices.values), choices
        assert all(name.strip() for name in names.values())


def assert_complete(folder: Path) -> None:
    """What Arkade checks beside the schemas: arkivuttrekk.xml's checksums and counts match the files,
    every document file is referenced once with its checksum and size, systemIDs are unique, and the change
    log and the secondary classes point at records in the package."""
    addml = xml(folder, "arkivuttrekk.xml")
    for file_property in addml.iterfind(".//addml:property[@name='file']", NS):
        name = file_property.findtext(
            "addml:properties/addml:property[@name='name']/addml:value", namespaces=NS
        )
        checksum = file_property.findtext(
            "addml:properties/addml:property[@name='checksum']/addml:properties/addml:property[@name='value']/addml:value",
            namespaces=NS,
        )
        if checksum is not None:
            assert sha256(folder / name) == checksum, name
    structure = xml(folder, "arkivstruktur.xml")
    occurrences = {
        (data_object.get("name"), occurrence.findtext("addml:value", namespaces=NS)): int(
            occurrence.findtext("addml:properties/addml:property[@name='value']/addml:value", namespaces=NS)
        )
        for data_object in addml.iterfind(".//addml:dataObject", NS)
        for occurrence in data_object.iterfind(
            "addml:properties/addml:property[@name='info']/addml:properties/addml:property[@name='numberOfOccurrences']",
            NS,
        )
    }
    assert occurrences[("arkivstruktur", "mappe")] == len(structure.findall(".//a:mappe", NS))
    assert occurrences[("arkivstruktur", "registrering")] == len(structure.findall(".//a:registrering", NS))
    assert occurrences[("endringslogg", "endring")] == len(
        xml(folder, "endringslogg.xml").findall("e:endring", NS)
    )
    for journal, prefix in (("loependeJournal", "l"), ("offentligJournal", "o")):
        registrations = xml(folder, f"{journal}.xml").findall(f"{prefix}:journalregistrering", NS)
        assert occurrences[(journal, "journalregistrering")] == len(registrations)
        assert xml(folder, f"{journal}.xml").findtext(
            f".//{prefix}:antallJournalposter", namespaces=NS
        ) == str(len(registrations))
    files = {
        path.relative_to(folder).as_posix() for path in (folder / "dokumenter").rglob("*") if path.is_file()
    }
    objects = structure.findall(".//a:dokumentobjekt", NS)
    referenced = [o.findtext("a:referanseDokumentfil", namespaces=NS) for o in objects]
    assert sorted(referenced) == sorted(files)
    antall = addml.findtext(".//addml:property[@name='antallDokumentfiler']/addml:value", namespaces=NS)
    assert int(antall) == len(files)
    for dokumentobjekt in objects:
        path = folder / dokumentobjekt.findtext("a:referanseDokumentfil", namespaces=NS)
        assert dokumentobjekt.findtext("a:sjekksum", namespaces=NS) == sha256(path)
        assert dokumentobjekt.findtext("a:sjekksumAlgoritme", namespaces=NS) == "SHA256"
        assert int(dokumentobjekt.findtext("a:filstoerrelse", namespaces=NS)) == path.stat().st_size
    system_ids = [element.text for element in structure.iterfind(".//a:systemID", NS)]
    assert len(system_ids) == len(set(system_ids))
    for reference in xml(folder, "endringslogg.xml").iterfind(".//e:referanseArkivenhet", NS):
        assert reference.text in system_ids
    classes = {k.findtext("a:systemID", namespaces=NS) for k in structure.iterfind(".//a:klasse", NS)}
    for reference in structure.iterfind(".//a:referanseSekundaerKlassifikasjon", NS):
        assert reference.text in classes


class Archive:
    """Fjordvik kommune's archive for one period, made through the services: a housing-benefit case with an
    application from a citizen written off by the decision, the decision screened and graded, a post voided,
    a building case under a sub-class with a memo taken for information, remarks, cross-references, a
    precedent, disposal and a secondary class, every case closed and the period closed."""

    def __init__(self, leader, *, close=True):
        self.leader = leader
        self.arkivdel = archive.active_arkivdel(leader.organisation)
        primary = self.arkivdel.klassifikasjonssystem
        bostoette = primary.klasser.get(klasse_id="610")
        plan = primary.klasser.get(klasse_id="900")
        byggesak = classification.add_class(
            primary, leader, klasse_id="901", tittel="Byggesaker", forelder=plan
        )
        gbnr = classification.create_system(leader, tittel="Gårds- og bruksnummer", klassifikasjonstype="GBN")
        storgata = classification.add_class(gbnr, leader, klasse_id="12/34", tittel="Storgata 1")
        self.kari = citizen()
        self.screening = services.screening(
            tilgangsrestriksjon="13",
            skjermingshjemmel="Offl. § 13 jf. fvl. § 13",
            skjerming_metadata=["tittel", "korrespondansepart"],
        )
        self.case = services.create_saksmappe(
            leader, tittel="Bostøtte – Kari Nordmann", offentlig_tittel="Bostøtte – *****", klasse=bostoette
        )
        services.update_saksmappe(self.case, leader, tittel="Bostøtte 2026 – Kari Nordmann")
        self.application = services.add_journalpost(
            self.case, leader, journalposttype="I", tittel="Søknad om bostøtte"
        )
        services.add_party(
            self.application, leader, identity_number=self.kari.identity_number, korrespondanseparttype="EA"
        )
        services.add_document(
            self.application, leader, tittel="Søknad", content=pdf("Søknad om bostøtte"), filnavn="soknad.pdf",
            hoveddokument=True,
        )  # fmt: skip
        services.add_document(
            self.application, leader, tittel="Lønnsslipp", content=pdf("Lønnsslipp"), filnavn="lonn.pdf",
            hoveddokument=False,
        )  # fmt: skip
        self.decision = services.add_journalpost(
            self.case, leader, journalposttype="U", tittel="Vedtak om bostøtte til Kari Nordmann",
            offentlig_tittel="Vedtak om bostøtte", skjerming=self.screening,
        )  # fmt: skip
        services.add_party(self.decision, leader, identity_number=self.kari.identity_number)
        services.add_document(
            self.decision, leader, tittel="Vedtak", content=pdf("Vedtak om bostøtte"), filnavn="vedtak.pdf",
            hoveddokument=True,
        )  # fmt: skip
        self.void = services.add_journalpost(
            self.case, leader, journalposttype="N", tittel="Feilregistrert notat"
        )
        services.add_document(
            self.void, leader, tittel="Feil", content=pdf("Feil"), filnavn="feil.pdf", hoveddokument=True
        )
        archive.void(self.void, leader, reason="Registrert i feil sak")
        self.building = services.create_saksmappe(
            leader, tittel="Byggesak Storgata 1", klasse=byggesak, sekundaerklasser=[storgata]
        )
        self.memo = services.add_journalpost(self.building, leader, journalposttype="N", tittel="Befaring")
        services.add_party(self.memo, leader, korrespondanseparttype="IM", saksbehandler=leader)
        services.add_document(
            self.memo, leader, tittel="Befaringsnotat", content=pdf("Befaring"), filnavn="befaring.pdf",
            hoveddokument=True,
        )  # fmt: skip
        for journalpost in (self.application, self.decision, self.memo):
            services.finalise(journalpost, leader)
        avskrivning.write_off(self.application, leader, by_journalpost=self.decision)
        avskrivning.write_off(self.memo, leader, maate="TO")
        entities.add_merknad(self.case, leader, merknadstekst="Søknaden kom inn komplett.")
        entities.add_merknad(self.decision, leader, merknadstekst="Sendt digitalt.", merknadstype="MA")
        entities.add_kryssreferanse(self.case, leader, target=self.building)
        entities.add_kryssreferanse(self.memo, leader, target=plan)
        entities.create_presedens(
            leader, tittel="Bostøtte ved delt bosted", presedens_dato=timezone.localdate(),
            rettskildefaktor="Husbankens retningslinjer", records=[self.decision],
        )  # fmt: skip
        entities.set_kassasjon(self.building, leader, kassasjonsvedtak="K", bevaringstid=10)
        entities.grade(self.decision, leader, grad="B")
        if close:
            self.close()

    def close(self):
        for case in (self.case, self.building):
            services.close_case(case, self.leader)
        periods.close_period(
            self.arkivdel,
            self.leader,
            new_title="Sakarkiv 2027",
            start=timezone.localdate() + timedelta(days=1),
        )
        self.arkivdel.refresh_from_db()


@pytest.fixture
def period(leader):
    return Archive(leader)


def test_a_closed_period_is_deposited_and_every_file_validates_against_arkivverkets_schemas(period, tmp_path):
    result = make_deposit(period.arkivdel, by=period.leader, target=tmp_path / "avleveringspakke")
    folder = tmp_path / "avleveringspakke"
    assert result.path == folder
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*FILES, *FILES.values(), "metadatakatalog.xsd", "dokumenter"]
    )
    for schema_name in (*FILES.values(), "metadatakatalog.xsd"):
        assert (folder / schema_name).read_bytes() == (SCHEMAS / schema_name).read_bytes()
    assert_valid(folder)
    assert_complete(folder)
    assert (result.mapper, result.registreringer) == (2, 4)
    # The void post is deposited without its file; the others with their archival versions.
    structure = xml(folder, "arkivstruktur.xml")
    void = structure.xpath("//a:registrering[a:systemID=$id]", namespaces=NS, id=str(period.void.system_id))[
        0
    ]
    assert void.findtext("a:journalstatus", namespaces=NS) == "Utgår"
    assert void.find(".//a:dokumentobjekt", NS) is None
    assert result.dokumentfiler == len(structure.findall(".//a:dokumentobjekt", NS)) >= 4
    # Everything the archive keeps beside the records goes with them.
    for element in ("merknad", "kryssreferanse", "presedens", "kassasjon", "gradering", "skjerming",
                    "referanseSekundaerKlassifikasjon", "korrespondansepart", "avskrivning"):  # fmt: skip
        assert structure.find(f".//a:{element}", NS) is not None, element
    decision = structure.xpath(
        "//a:registrering[a:systemID=$id]", namespaces=NS, id=str(period.decision.system_id)
    )[0]
    assert decision.findtext("a:gradering/a:grad", namespaces=NS) == "Begrenset (sikkerhetsgrad)"
    assert decision.findtext("a:skjerming/a:skjermingshjemmel", namespaces=NS) == "Offl. § 13 jf. fvl. § 13"
    application = structure.xpath(
        "//a:registrering[a:systemID=$id]", namespaces=NS, id=str(period.application.system_id)
    )[0]
    assert application.findtext("a:avskrivning/a:referanseAvskrivesAvJournalpost", namespaces=NS) == str(
        period.decision.system_id
    )
    assert [
        p.findtext("a:korrespondanseparttype", namespaces=NS)
        for p in application.findall("a:korrespondansepart", NS)
    ] == [
        "Avsender",
        "Intern mottaker",  # the case handler, as Noark 5 groups a post's handler and unit
    ]
    building = structure.xpath("//a:mappe[a:systemID=$id]", namespaces=NS, id=str(period.building.system_id))[
        0
    ]
    assert building.findtext("a:kassasjon/a:kassasjonsvedtak", namespaces=NS) == "Kasseres"


def endringer(folder: Path) -> list[dict]:
    return [
        {child.tag.split("}")[1]: child.text for child in endring}
        for endring in xml(folder, "endringslogg.xml").iterfind("e:endring", NS)
    ]


def test_the_change_log_holds_each_changed_value_before_and_after(period, tmp_path):
    make_deposit(period.arkivdel, by=period.leader, target=tmp_path / "pakke")
    changes = endringer(tmp_path / "pakke")
    case = str(period.case.system_id)
    assert {
        "referanseArkivenhet": case,
        "referanseMetadata": "tittel",
        "endretAv": period.leader.user.get_username(),
        "tidligereVerdi": "Bostøtte – Kari Nordmann",
        "nyVerdi": "Bostøtte 2026 – Kari Nordmann",
    }.items() <= next(c for c in changes if c["referanseMetadata"] == "tittel").items()
    assert ("saksstatus", "Under behandling", "Avsluttet") in {
        (c["referanseMetadata"], c["tidligereVerdi"], c["nyVerdi"])
        for c in changes
        if c["referanseArkivenhet"] == case
    }
    decision = str(period.decision.system_id)
    assert ("journalstatus", "Arkivert") in {
        (c["referanseMetadata"], c["nyVerdi"]) for c in changes if c["referanseArkivenhet"] == decision
    }
    assert ("arkivdelstatus", "Avsluttet periode") in {
        (c["referanseMetadata"], c["nyVerdi"])
        for c in changes
        if c["referanseArkivenhet"] == str(period.arkivdel.system_id)
    }


def test_the_public_journal_holds_only_what_the_public_journal_shows(period, tmp_path):
    make_deposit(period.arkivdel, by=period.leader, target=tmp_path / "pakke")
    public = (tmp_path / "pakke" / "offentligJournal.xml").read_text()
    running = (tmp_path / "pakke" / "loependeJournal.xml").read_text()
    # The running journal is the archive's own: real titles and names, with what is screened marked.
    assert "Vedtak om bostøtte til Kari Nordmann" in running and "Skjerming tittel registrering" in running
    # The public one: the screened decision without its title or its recipient's name, the void post left
    # out; the application, which is not screened, names its sender as the public journal does.
    assert "Vedtak om bostøtte til" not in public and "Bostøtte 2026" not in public
    assert "Feilregistrert notat" not in public
    registrations = xml(tmp_path / "pakke", "offentligJournal.xml").findall("o:journalregistrering", NS)
    assert len(registrations) == 3
    decision = next(
        r
        for r in registrations
        if r.findtext(".//o:systemID", namespaces=NS) == str(period.decision.system_id)
    )
    assert decision.findtext(".//o:skjermingshjemmel", namespaces=NS) == "Offl. § 13 jf. fvl. § 13"
    assert decision.findtext(".//o:korrespondansepartNavn", namespaces=NS) == "Skjermet"
    application = next(
        r
        for r in registrations
        if r.findtext(".//o:systemID", namespaces=NS) == str(period.application.system_id)
    )
    assert application.findtext(".//o:korrespondansepartNavn", namespaces=NS) == period.kari.full_name


def test_a_period_with_open_cases_is_refused_naming_each_until_they_move_on(leader, tmp_path):
    period = Archive(leader, close=False)
    services.close_case(period.case, leader)
    still_open = period.building
    periods.close_period(
        period.arkivdel, leader, new_title="Sakarkiv 2027", start=timezone.localdate() + timedelta(days=1)
    )
    period.arkivdel.refresh_from_db()
    assert period.arkivdel.arkivdelstatus == Arkivdel.Status.OVERLAPPING
    with pytest.raises(DepositError) as refused:
        make_deposit(period.arkivdel, by=leader, target=tmp_path / "pakke")
    assert period.arkivdel.tittel in refused.value.summary
    assert refused.value.problems == [
        _("Case %(case)s is not closed (%(status)s).")
        % {
            "case": f"{still_open.saksnummer} {still_open.tittel}",
            "status": still_open.get_saksstatus_display(),
        }
    ]
    assert list(tmp_path.glob("*pakke*")) == []
    # The open case moves on to the next period; what is left is closed and deposited without it.
    periods.finish_period(period.arkivdel, leader, move_open=True)
    period.arkivdel.refresh_from_db()
    result = make_deposit(period.arkivdel, by=leader, target=tmp_path / "pakke")
    assert result.mapper == 1
    structure = xml(tmp_path / "pakke", "arkivstruktur.xml")
    assert structure.xpath("//a:mappe[a:systemID=$id]", namespaces=NS, id=str(still_open.system_id)) == []
    assert_valid(tmp_path / "pakke")


def test_a_period_that_ends_before_it_starts_or_holds_nothing_is_refused(period, tmp_path):
    today = timezone.localdate()
    with pytest.raises(DepositError) as starts_late:
        make_deposit(
            period.arkivdel,
            by=period.leader,
            target=tmp_path / "a",
            period_start=today,
            period_end=today - timedelta(days=1),
        )
    with pytest.raises(DepositError) as nothing:
        make_deposit(
            period.arkivdel, by=period.leader, target=tmp_path / "b",
            period_start=today - timedelta(days=400), period_end=today - timedelta(days=380),
        )  # fmt: skip
    assert starts_late.value.message == _("The period starts (%(start)s) after it ends (%(end)s).") % {
        "start": today.isoformat(),
        "end": (today - timedelta(days=1)).isoformat(),
    }
    assert nothing.value.message == _(
        "No case of archive part %(arkivdel)s was closed between %(start)s and %(end)s."
    ) % {
        "arkivdel": period.arkivdel.tittel,
        "start": (today - timedelta(days=400)).isoformat(),
        "end": (today - timedelta(days=380)).isoformat(),
    }
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_deposit_never_writes_into_a_folder_that_exists(period, tmp_path):
    (tmp_path / "pakke").mkdir()
    (tmp_path / "pakke" / "notat.txt").write_text("behold meg")
    with pytest.raises(DepositError) as refused:
        make_deposit(period.arkivdel, by=period.leader, target=tmp_path / "pakke")
    assert refused.value.message == _("%(path)s exists already; a deposit is written to a new folder.") % {
        "path": tmp_path / "pakke"
    }
    assert [p.name for p in (tmp_path / "pakke").iterdir()] == ["notat.txt"]


def test_a_stored_file_that_no_longer_matches_its_checksum_stops_the_deposit(period, tmp_path):
    version = Dokumentobjekt.objects.get(dokumentbeskrivelse__journalpost=period.decision, variantformat="A")
    with version.fil.open("wb") as file:
        file.write(pdf("Et annet dokument"))
    with pytest.raises(DepositError) as refused:
        make_deposit(period.arkivdel, by=period.leader, target=tmp_path / "pakke")
    document = _("Document %(number)s in journal post %(post)s") % {
        "number": 1,
        "post": f"{period.case.saksnummer}-2",
    }
    assert refused.value.message == _(
        "The stored file of %(what)s, version %(version)s, does not match its checksum."
    ) % {"what": document, "version": version.versjonsnummer}
    assert list(tmp_path.glob("*pakke*")) == []  # the half-written package is gone
    assert not AuditEvent.objects.filter(action="saksarkiv.deposit_made").exists()


def test_the_deposit_is_in_the_audit_trail_with_its_checksums(period, tmp_path):
    result = make_deposit(period.arkivdel, by=period.leader, target=tmp_path / "pakke")
    event = AuditEvent.objects.get(action="saksarkiv.deposit_made")
    assert event.actor_user == period.leader.user
    assert event.details["checksums"]["arkivuttrekk.xml"] == sha256(tmp_path / "pakke" / "arkivuttrekk.xml")
    assert event.details["mapper"] == result.mapper


def test_the_command_writes_the_package_and_prints_its_counts_and_checksums(period, tmp_path):
    out = io.StringIO()
    call_command("arkivuttrekk", "965302026", "--out", str(tmp_path / "pakke"), stdout=out)
    printed = out.getvalue()
    folder = tmp_path / "pakke"
    assert_valid(folder)
    assert "mapper: 2, registreringer: 4" in printed
    for name in (*FILES, "metadatakatalog.xsd"):
        assert f"{sha256(folder / name)}  {name}" in printed
    event = AuditEvent.objects.get(action="saksarkiv.deposit_made")
    assert event.actor.startswith("manage.py arkivuttrekk")


def test_the_command_says_what_stops_a_deposit(leader, tmp_path):
    case = services.create_saksmappe(leader, tittel="Søknad om skoleskyss")
    arkivdel = case.arkivdel
    with pytest.raises(CommandError) as refused:
        call_command("arkivuttrekk", str(arkivdel.system_id), "--out", str(tmp_path / "pakke"))
    assert _("Case %(case)s is not closed (%(status)s).") % {
        "case": f"{case.saksnummer} Søknad om skoleskyss",
        "status": case.get_saksstatus_display(),
    } in str(refused.value)
    with pytest.raises(CommandError, match="has no closed archive part"):
        call_command("arkivuttrekk", "965302026")
    with pytest.raises(CommandError, match="neither an archive part"):
        call_command("arkivuttrekk", "999999999")
    with pytest.raises(CommandError, match="No archive part has systemID"):
        call_command("arkivuttrekk", "6f1c2a1e-0000-4000-8000-000000000000")
    with pytest.raises(CommandError, match="is not a date"):
        call_command("arkivuttrekk", "965302026", "--from", "31.12.2026")
    with pytest.raises(CommandError, match="is not a case handler"):
        call_command("arkivuttrekk", str(arkivdel.system_id), "--by", "ingen")
    assert list(tmp_path.glob("*pakke*")) == []


def test_the_command_asks_which_part_when_an_organisation_has_several_closed(period, tmp_path):
    successor = archive.active_arkivdel(period.leader.organisation)
    startlaan = successor.klassifikasjonssystem.klasser.get(klasse_id="610")
    case = services.create_saksmappe(period.leader, tittel="Søknad om startlån", klasse=startlaan)
    memo = services.add_journalpost(case, period.leader, journalposttype="X", tittel="Notat")
    services.add_party(memo, period.leader, korrespondanseparttype="IA", saksbehandler=period.leader)
    services.add_document(
        memo, period.leader, tittel="Notat", content=pdf("Notat"), filnavn="notat.pdf", hoveddokument=True
    )
    services.finalise(memo, period.leader)
    services.close_case(case, period.leader)
    periods.close_period(
        successor, period.leader, new_title="Sakarkiv 2028", start=timezone.localdate() + timedelta(days=2)
    )
    with pytest.raises(CommandError) as refused:
        call_command("arkivuttrekk", "965302026")
    assert str(period.arkivdel.system_id) in str(refused.value) and str(successor.system_id) in str(
        refused.value
    )
    out = io.StringIO()
    today = timezone.localdate().isoformat()
    call_command(
        "arkivuttrekk",
        str(successor.system_id),
        "--from",
        today,
        "--out",
        str(tmp_path / "pakke"),
        stdout=out,
    )
    assert "mapper: 1, registreringer: 1" in out.getvalue()
    assert_valid(tmp_path / "pakke")


def test_the_archive_leader_downloads_the_deposit_as_a_zip_from_the_admin(period, client, tmp_path):
    client.force_login(period.leader.user)
    response = client.post(
        "/admin/saksarkiv/arkivdel/", {"action": "make_deposit", "_selected_action": [period.arkivdel.pk]}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"arkivuttrekk-965302026-{period.arkivdel.system_id}.zip" in response["Content-Disposition"]
    package = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    top = f"arkivuttrekk-965302026-{period.arkivdel.system_id}/"
    assert {top + name for name in FILES} <= set(package.namelist())
    package.extractall(tmp_path)
    folder = tmp_path / top
    assert_valid(folder)
    assert_complete(folder)


def test_the_admin_says_what_stops_a_deposit_and_a_case_handler_has_no_such_action(leader, client):
    case = services.create_saksmappe(leader, tittel="Søknad om skoleskyss")
    client.force_login(leader.user)
    response = client.post(
        "/admin/saksarkiv/arkivdel/",
        {"action": "make_deposit", "_selected_action": [case.arkivdel.pk]},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert case.saksnummer in page and "Søknad om skoleskyss" in page
    plain = handler()
    client.force_login(plain.user)
    response = client.post(
        "/admin/saksarkiv/arkivdel/", {"action": "make_deposit", "_selected_action": [case.arkivdel.pk]}
    )
    assert response["Content-Type"] != "application/zip"
    assert not AuditEvent.objects.filter(action="saksarkiv.deposit_made").exists()


def test_the_demo_archives_closed_period_deposits_and_validates(settings, tmp_path):
    from folkeregister.seeding import seed_population

    settings.DEBUG = True  # the demo seeds only in development
    seed_population(300, seed=3)
    for command in ("seed_organisations", "seed_demo_admin", "seed_demo_citizen", "seed_demo_archive"):
        call_command(command, stdout=io.StringIO())
    out = io.StringIO()
    call_command("arkivuttrekk", "965302026", "--out", str(tmp_path / "pakke"), stdout=out)
    assert_valid(tmp_path / "pakke")
    assert_complete(tmp_path / "pakke")
    assert "Every XML file validates" in out.getvalue()


def closed_case_by(case_handler, leader, *, tittel: str, klasse=None):
    case = services.create_saksmappe(case_handler, tittel=tittel, klasse=klasse)
    memo = services.add_journalpost(case, case_handler, journalposttype="X", tittel="Notat")
    services.add_party(memo, case_handler, korrespondanseparttype="IA", saksbehandler=case_handler)
    services.add_document(memo, case_handler, tittel="Notat", content=pdf("Notat"), filnavn="notat.pdf",
                          hoveddokument=True)  # fmt: skip
    services.finalise(memo, case_handler)
    services.close_case(case, case_handler)
    periods.close_period(
        case.arkivdel, leader, new_title="Sakarkiv 2027", start=timezone.localdate() + timedelta(days=1)
    )
    case.arkivdel.refresh_from_db()
    return case


def test_a_case_without_a_class_is_named_as_the_classified_archive_part_cannot_carry_it(leader, tmp_path):
    case = closed_case_by(leader, leader, tittel="Henvendelse uten arkivkode")
    with pytest.raises(DepositError) as refused:
        make_deposit(case.arkivdel, by=leader, target=tmp_path / "pakke")
    assert refused.value.problems == [
        _("Case %(case)s has no class.") % {"case": f"{case.saksnummer} Henvendelse uten arkivkode"}
    ]
    assert list(tmp_path.glob("*pakke*")) == []


def test_a_case_without_an_administrative_unit_is_named(leader, tmp_path):
    from django.contrib.auth import get_user_model

    from saksarkiv.models import Saksbehandler

    user = get_user_model().objects.create_user("uten-enhet", first_name="Per", last_name="Uten")
    unitless = Saksbehandler.objects.create(user=user, organisation=leader.organisation, initialer="PU")
    klasse = archive.active_arkivdel(leader.organisation).klassifikasjonssystem.klasser.get(klasse_id="000")
    case = closed_case_by(unitless, leader, tittel="Innkjøp av møbler", klasse=klasse)
    with pytest.raises(DepositError) as refused:
        make_deposit(case.arkivdel, by=leader, target=tmp_path / "pakke")
    what = _("Case %(number)s") % {"number": case.saksnummer}
    assert refused.value.problems == [
        _("%(what)s has no %(element)s.") % {"what": what, "element": "administrativEnhet"}
    ]
    assert list(tmp_path.glob("*pakke*")) == []
