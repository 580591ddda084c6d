"""arkivstruktur.xml: the deposited records nested as arkivstruktur.xsd (Noark 5 v5.0) orders them, arkiv →
arkivdel → klassifikasjonssystem → klasse → saksmappe → journalpost → dokumentbeskrivelse → dokumentobjekt,
and the document files copied into dokumenter/ as they go, each checked against its stored checksum.

Where the schema and Felles differ in shape, the module says how it maps:
- A journal post's case handler and unit are written as an internal korrespondansepart (see parties.py).
- Only disposal decisions that destroy something are deposited («Ved deponering/avlevering er det bare
  kassasjonsvedtak som innebærer kassasjon som skal være med»); a missing kassasjonsdato is counted from
  the record's closing and the retention period, as the standard says it is computed.
- The primary classification system goes in whole (unused classes too); of a secondary one only the classes
  the deposited cases refer to (the standard allows it for large systems, and an object-based key of
  identity numbers must not carry other people's numbers into the deposit).
- arkiv requires avsluttetDato/avsluttetAv: an archive still open is written with the closing of the
  deposited archive part, the end of what this copy of it holds.
"""

import hashlib
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from saksarkiv.models import (
    Arkiv,
    Arkivdel,
    Arkivskaper,
    Avskrivning,
    Dokumentbeskrivelse,
    Dokumentmedium,
    Dokumentobjekt,
    Gradering,
    Journalpost,
    Kassasjon,
    Klasse,
    Klassifikasjonssystem,
    Korrespondansepart,
    Kryssreferanse,
    Merknad,
    Presedens,
    Saksmappe,
    Skjerming,
)
from saksarkiv.services.deposit.codes import name
from saksarkiv.services.deposit.parties import parties
from saksarkiv.services.deposit.selection import DEPOSITED_VARIANTS, DepositError, Selection
from saksarkiv.services.deposit.xml import XSI, Writer, document
from saksarkiv.services.entities import kassasjonsdato, years_after
from saksarkiv.services.structure import person

NAMESPACE = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
DOCUMENTS = "dokumenter"
SJEKKSUM_ALGORITME = "SHA256"  # M706: «Algoritmen som skal brukes inntil videre er SHA256»
# Who made what Felles made itself (the archive, its first part and key, when an organisation's archive
# is set up), where the row names no person.
SYSTEM = "Felles"
CHUNK = 200
DESTROYING = (Kassasjon.Vedtak.KASSERES, Kassasjon.Vedtak.VURDERES)


@dataclass
class Written:
    """What arkivstruktur.xml came to hold, for arkivuttrekk.xml and the command's report."""

    mapper: int = 0
    registreringer: int = 0
    dokumentfiler: int = 0
    skjermet: bool = False
    skal_kasseres: bool = False
    # The systemID of everything written: endringslogg.xml may refer to these only.
    system_ids: set[str] = field(default_factory=set)


def at_midnight(day: date | None) -> datetime | None:
    """A date where the schema wants xs:dateTime: the start of that day, local time."""
    return timezone.make_aware(datetime.combine(day, time.min)) if day else None


class _Structure:
    def __init__(self, selection: Selection, folder: Path):
        self.selection = selection
        self.folder = folder
        self.arkivdel = selection.arkivdel
        self.written = Written()
        self.missing: list[str] = []

    # Elements shared by several entities

    def required(self, w: Writer, element: str, value, what: str) -> None:
        """A value the schema requires; a record without it is named in the refusal."""
        if value is None or value == "":
            self.missing.append(_("%(what)s has no %(element)s.") % {"what": what, "element": element})
            return
        w.leaf(element, value)

    def kassasjon(self, w: Writer, record) -> None:
        """The record's disposal, where it destroys something. Its date counts from the case's closing for
        a case or journal post (saksarkiv.services.entities), from the archive part's for a part or class."""
        kassasjon = record.kassasjon
        if kassasjon is None or kassasjon.kassasjonsvedtak not in DESTROYING:
            return
        self.written.skal_kasseres = True
        if isinstance(record, Saksmappe | Journalpost):
            day = kassasjonsdato(record)
        else:
            day = kassasjon.kassasjonsdato or years_after(
                self.arkivdel.avsluttet_dato, kassasjon.bevaringstid
            )
        with w.element("kassasjon"):
            w.leaf("kassasjonsvedtak", name(Kassasjon.Vedtak, kassasjon.kassasjonsvedtak))
            w.leaf("kassasjonshjemmel", kassasjon.kassasjonshjemmel)
            w.leaf("bevaringstid", kassasjon.bevaringstid)
            w.leaf("kassasjonsdato", day)

    def skjerming(self, w: Writer, skjerming: Skjerming | None, what: str) -> None:
        if skjerming is None:
            return
        self.written.skjermet = True
        with w.element("skjerming"):
            w.leaf("tilgangsrestriksjon", skjerming.tilgangsrestriksjon)
            w.leaf("skjermingshjemmel", skjerming.skjermingshjemmel)
            codes = [code for code in skjerming.skjerming_metadata if code in Skjerming.Metadata.values]
            if not codes:
                self.missing.append(
                    _("%(what)s has a screening that names no screened field.") % {"what": what}
                )
            w.leaves("skjermingMetadata", (name(Skjerming.Metadata, code) for code in codes))
            w.leaf("skjermingDokument", name(Skjerming.Dokument, skjerming.skjerming_dokument))
            w.leaf("skjermingsvarighet", skjerming.skjermingsvarighet)
            w.leaf("skjermingOpphoererDato", skjerming.skjerming_opphoerer_dato)

    def gradering(self, w: Writer, gradering: Gradering | None) -> None:
        if gradering is None:
            return
        with w.element("gradering"):
            w.leaf("grad", name(Gradering.Grad, gradering.grad))
            w.leaf("graderingsdato", gradering.graderingsdato)
            w.leaf("gradertAv", gradering.gradert_av)
            w.leaf("nedgraderingsdato", gradering.nedgraderingsdato)
            w.leaf("nedgradertAv", gradering.nedgradert_av)

    def merknader(self, w: Writer, merknader) -> None:
        for merknad in merknader:
            with w.element("merknad"):
                w.leaf("merknadstekst", merknad.merknadstekst)
                w.leaf("merknadstype", name(Merknad.Type, merknad.merknadstype))
                w.leaf("merknadsdato", merknad.merknadsdato)
                w.leaf("merknadRegistrertAv", merknad.merknad_registrert_av)

    def kryssreferanser(self, w: Writer, kryssreferanser: list[Kryssreferanse]) -> None:
        for referanse in kryssreferanser:
            with w.element("kryssreferanse"):
                w.leaf("referanseTilKlasse", referanse.til_klasse and referanse.til_klasse.system_id)
                w.leaf("referanseTilMappe", referanse.til_saksmappe and referanse.til_saksmappe.system_id)
                w.leaf(
                    "referanseTilRegistrering",
                    referanse.til_journalpost and referanse.til_journalpost.system_id,
                )

    def presedenser(self, w: Writer, presedenser: list[Presedens]) -> None:
        for presedens in presedenser:
            with w.element("presedens"):
                w.leaf("presedensDato", presedens.presedens_dato)
                w.leaf("opprettetDato", presedens.opprettet_dato)
                w.leaf("opprettetAv", presedens.opprettet_av)
                w.leaf("tittel", presedens.tittel)
                w.leaf("beskrivelse", presedens.beskrivelse)
                w.leaf("presedensHjemmel", presedens.presedens_hjemmel)
                w.leaf("rettskildefaktor", presedens.rettskildefaktor)
                w.leaf("presedensGodkjentDato", at_midnight(presedens.presedens_godkjent_dato))
                w.leaf("presedensGodkjentAv", presedens.presedens_godkjent_av)
                w.leaf("presedensStatus", name(Presedens.Status, presedens.presedens_status))

    def seen(self, system_id) -> str:
        self.written.system_ids.add(str(system_id))
        return str(system_id)

    def opening(self, w: Writer, record: Arkiv | Arkivdel, status_element: str, status: str) -> None:
        """The elements arkiv and arkivdel both open with, in the schema's order."""
        w.leaf("systemID", self.seen(record.system_id))
        w.leaf("tittel", record.tittel)
        w.leaf("beskrivelse", record.beskrivelse)
        w.leaf(status_element, status)
        w.leaf("dokumentmedium", name(Dokumentmedium, record.dokumentmedium))
        w.leaf("opprettetDato", record.opprettet_dato)
        w.leaf("opprettetAv", record.opprettet_av or SYSTEM)

    # The structure, top down

    def write(self) -> Written:
        arkiv = Arkiv.objects.select_related("organisation").get(pk=self.arkivdel.arkiv_id)
        with document(self.folder / "arkivstruktur.xml", NAMESPACE, "arkiv", "arkivstruktur.xsd") as w:
            self.opening(w, arkiv, "arkivstatus", name(Arkiv.Status, arkiv.arkivstatus))
            closed = arkiv.avsluttet_dato is not None
            w.leaf("avsluttetDato", arkiv.avsluttet_dato if closed else self.arkivdel.avsluttet_dato)
            w.leaf("avsluttetAv", arkiv.avsluttet_av if closed else self.arkivdel.avsluttet_av)
            creators = list(arkiv.arkivskapere.order_by("pk")) or [
                Arkivskaper(
                    arkivskaper_id=arkiv.organisation.organisasjonsnummer,
                    arkivskaper_navn=arkiv.organisation.name_nb,
                )
            ]
            for creator in creators:
                with w.element("arkivskaper"):
                    w.leaf("arkivskaperID", creator.arkivskaper_id)
                    w.leaf("arkivskaperNavn", creator.arkivskaper_navn)
                    w.leaf("beskrivelse", creator.beskrivelse)
            self.write_arkivdel(w)
        return self.written

    def write_arkivdel(self, w: Writer) -> None:
        arkivdel = self.arkivdel
        with w.element("arkivdel"):
            self.opening(w, arkivdel, "arkivdelstatus", name(Arkivdel.Status, arkivdel.arkivdelstatus))
            w.leaf("avsluttetDato", arkivdel.avsluttet_dato)
            w.leaf("avsluttetAv", arkivdel.avsluttet_av)
            w.leaf("arkivperiodeStartDato", arkivdel.arkivperiode_start)
            w.leaf("arkivperiodeSluttDato", arkivdel.arkivperiode_slutt)
            forloeper = arkivdel.referanse_forloeper
            w.leaf("referanseForloeper", forloeper and forloeper.system_id)
            arvtaker = Arkivdel.objects.filter(referanse_forloeper=arkivdel).first()
            w.leaf("referanseArvtaker", arvtaker and arvtaker.system_id)
            self.kassasjon(w, arkivdel)
            primary = arkivdel.klassifikasjonssystem
            if primary is None:
                self.write_saksmapper(w, self.selection.saksmapper())
                return
            self.write_system(w, primary, secondary=False)
            for system in self.secondary_systems(primary):
                self.write_system(w, system, secondary=True)

    def secondary_systems(self, primary: Klassifikasjonssystem) -> list[Klassifikasjonssystem]:
        referred = Klasse.objects.filter(sekundaer_saksmapper__in=self.selection.saksmapper())
        return list(
            Klassifikasjonssystem.objects.filter(klasser__in=referred)
            .exclude(pk=primary.pk)
            .distinct()
            .order_by("pk")
        )

    def write_system(self, w: Writer, system: Klassifikasjonssystem, *, secondary: bool) -> None:
        klasser = system.klasser.select_related("kassasjon", "skjerming").order_by("klasse_id")
        if secondary:
            klasser = klasser.filter(pk__in=self.referred_with_parents(system))
        children = defaultdict(list)
        for klasse in klasser:
            children[klasse.forelder_id].append(klasse)
        with w.element("klassifikasjonssystem"):
            w.leaf("systemID", self.seen(system.system_id))
            w.leaf("klassifikasjonstype", name(Klassifikasjonssystem.Type, system.klassifikasjonstype))
            w.leaf("tittel", system.tittel)
            w.leaf("beskrivelse", system.beskrivelse)
            w.leaf("opprettetDato", system.opprettet_dato)
            w.leaf("opprettetAv", system.opprettet_av or SYSTEM)
            w.leaf("avsluttetDato", system.avsluttet_dato)
            w.leaf("avsluttetAv", system.avsluttet_av)
            for klasse in children[None]:
                self.write_klasse(w, klasse, children, with_cases=not secondary)

    def referred_with_parents(self, system: Klassifikasjonssystem) -> set[int]:
        parents = dict(system.klasser.values_list("pk", "forelder_id"))
        wanted = set(
            system.klasser.filter(sekundaer_saksmapper__in=self.selection.saksmapper()).values_list(
                "pk", flat=True
            )
        )
        for pk in list(wanted):
            while parents.get(pk) is not None:
                pk = parents[pk]
                wanted.add(pk)
        return wanted

    def write_klasse(self, w: Writer, klasse: Klasse, children: dict, *, with_cases: bool) -> None:
        with w.element("klasse"):
            w.leaf("systemID", self.seen(klasse.system_id))
            w.leaf("klasseID", klasse.klasse_id)
            w.leaf("tittel", klasse.tittel)
            w.leaf("beskrivelse", klasse.beskrivelse)
            w.leaf("opprettetDato", klasse.opprettet_dato)
            w.leaf("opprettetAv", klasse.opprettet_av or SYSTEM)
            w.leaf("avsluttetDato", klasse.avsluttet_dato)
            w.leaf("avsluttetAv", klasse.avsluttet_av)
            self.kassasjon(w, klasse)
            self.skjerming(w, klasse.skjerming, _("Class %(id)s") % {"id": klasse.klasse_id})
            for child in children[klasse.pk]:
                self.write_klasse(w, child, children, with_cases=with_cases)
            if with_cases:
                self.write_saksmapper(w, self.selection.saksmapper().filter(klasse=klasse))

    def write_saksmapper(self, w: Writer, saksmapper) -> None:
        dokumenter = Dokumentbeskrivelse.objects.select_related("skjerming").prefetch_related(
            "merknader",
            Prefetch(
                "versjoner",
                queryset=Dokumentobjekt.objects.filter(variantformat__in=DEPOSITED_VARIANTS)
                .exclude(fil="")  # an object still waiting for its file is not deposited
                .order_by("versjonsnummer", "variantformat"),
            ),
        )
        journalposter = Journalpost.objects.select_related(
            "saksbehandler__user", "administrativ_enhet", "skjerming", "kassasjon", "gradering"
        ).prefetch_related(
            Prefetch("korrespondanseparter", queryset=Korrespondansepart.objects.select_related(
                "saksbehandler__user", "administrativ_enhet").order_by("pk")),
            Prefetch("dokumenter", queryset=dokumenter.order_by("dokumentnummer")),
            "merknader",
            Prefetch("kryssreferanser", queryset=_kryssreferanser()),
            Prefetch("avskrivninger", queryset=_avskrivninger()),
            "presedenser",
        )  # fmt: skip
        saksmapper = saksmapper.select_related(
            "saksansvarlig__user", "administrativ_enhet", "skjerming", "kassasjon", "gradering"
        ).prefetch_related(
            Prefetch("journalposter", queryset=journalposter.order_by("journalpostnummer")),
            "merknader",
            Prefetch("kryssreferanser", queryset=_kryssreferanser()),
            "sekundaerklasser",
            "presedenser",
        )
        for saksmappe in saksmapper.iterator(chunk_size=CHUNK):
            self.write_saksmappe(w, saksmappe)

    def write_saksmappe(self, w: Writer, saksmappe: Saksmappe) -> None:
        what = _("Case %(number)s") % {"number": saksmappe.saksnummer}
        self.written.mapper += 1
        with w.element("mappe", {f"{{{XSI}}}type": "saksmappe"}):
            w.leaf("systemID", self.seen(saksmappe.system_id))
            w.leaf("mappeID", saksmappe.saksnummer)
            w.leaf("tittel", saksmappe.tittel)
            w.leaf("offentligTittel", saksmappe.offentlig_tittel)
            w.leaf("beskrivelse", saksmappe.beskrivelse)
            w.leaf("opprettetDato", saksmappe.opprettet_dato)
            self.required(w, "opprettetAv", saksmappe.opprettet_av, what)
            w.leaf("avsluttetDato", saksmappe.avsluttet_dato)
            w.leaf("avsluttetAv", saksmappe.avsluttet_av)
            self.kryssreferanser(w, saksmappe.kryssreferanser.all())
            self.merknader(w, saksmappe.merknader.all())
            self.kassasjon(w, saksmappe)
            self.skjerming(w, saksmappe.skjerming, what)
            self.gradering(w, saksmappe.gradering)
            for journalpost in saksmappe.journalposter.all():
                self.write_journalpost(w, saksmappe, journalpost)
            w.leaf("saksaar", saksmappe.saksaar)
            w.leaf("sakssekvensnummer", saksmappe.sakssekvensnummer)
            w.leaf("saksdato", saksmappe.saksdato)
            unit = saksmappe.administrativ_enhet or saksmappe.saksansvarlig.administrativ_enhet
            self.required(w, "administrativEnhet", unit and unit.navn, what)
            w.leaf("saksansvarlig", person(saksmappe.saksansvarlig))
            w.leaf("journalenhet", saksmappe.journalenhet)
            w.leaf("saksstatus", name(Saksmappe.Status, saksmappe.saksstatus))
            w.leaves(
                "referanseSekundaerKlassifikasjon", (k.system_id for k in saksmappe.sekundaerklasser.all())
            )
            self.presedenser(w, saksmappe.presedenser.all())

    def write_journalpost(self, w: Writer, saksmappe: Saksmappe, journalpost: Journalpost) -> None:
        number = f"{saksmappe.saksnummer}-{journalpost.journalpostnummer}"
        what = _("Journal post %(number)s") % {"number": number}
        void = journalpost.journalstatus == Journalpost.Status.UTGAAR
        self.written.registreringer += 1
        with w.element("registrering", {f"{{{XSI}}}type": "journalpost"}):
            w.leaf("systemID", self.seen(journalpost.system_id))
            w.leaf("opprettetDato", journalpost.opprettet_dato)
            self.required(w, "opprettetAv", journalpost.opprettet_av, what)
            w.leaf("arkivertDato", journalpost.arkivert_dato)
            w.leaf("arkivertAv", journalpost.arkivert_av)
            self.kassasjon(w, journalpost)
            self.skjerming(w, journalpost.skjerming, what)
            self.gradering(w, journalpost.gradering)
            for dokument in journalpost.dokumenter.all():
                # «Dokumentfiler som er knyttet til registreringen som utgår skal ikke være med.»
                self.write_dokument(w, dokument, number, with_files=not void)
            w.leaf("registreringsID", number)
            w.leaf("tittel", journalpost.tittel)
            w.leaf("offentligTittel", journalpost.offentlig_tittel)
            self.merknader(w, journalpost.merknader.all())
            self.kryssreferanser(w, journalpost.kryssreferanser.all())
            self.korrespondanseparter(w, journalpost)
            w.leaf("journalaar", journalpost.journalaar)
            w.leaf("journalsekvensnummer", journalpost.journalsekvensnummer)
            w.leaf("journalpostnummer", journalpost.journalpostnummer)
            w.leaf("journalposttype", name(Journalpost.Type, journalpost.journalposttype))
            w.leaf("journalstatus", name(Journalpost.Status, journalpost.journalstatus))
            w.leaf("journaldato", journalpost.journaldato)
            w.leaf("dokumentetsDato", journalpost.dokumentdato)
            w.leaf("mottattDato", journalpost.mottatt_dato)
            w.leaf("sendtDato", journalpost.sendt_dato)
            w.leaf("forfallsdato", journalpost.forfallsdato)
            w.leaf("journalenhet", journalpost.journalenhet)
            for avskrivning in journalpost.avskrivninger.all():
                with w.element("avskrivning"):
                    w.leaf("avskrivningsdato", avskrivning.avskrivningsdato)
                    w.leaf("avskrevetAv", avskrivning.avskrevet_av)
                    w.leaf("avskrivningsmaate", name(Avskrivning.Maate, avskrivning.avskrivningsmaate))
                    answer = avskrivning.referanse_avskrives_av_journalpost
                    w.leaf("referanseAvskrivesAvJournalpost", answer and answer.system_id)
            self.presedenser(w, journalpost.presedenser.all())

    def korrespondanseparter(self, w: Writer, journalpost: Journalpost) -> None:
        for party in parties(journalpost):
            stored = party.stored
            with w.element("korrespondansepart"):
                w.leaf("korrespondanseparttype", name(Korrespondansepart.Type, party.korrespondanseparttype))
                w.leaf("korrespondansepartNavn", party.navn)
                if stored is not None:
                    w.leaves("postadresse", stored.postadresse)
                    w.leaf("postnummer", stored.postnummer)
                    w.leaf("poststed", stored.poststed)
                    w.leaf("land", stored.land)
                    w.leaf("epostadresse", stored.epostadresse)
                    w.leaf("telefonnummer", stored.telefonnummer)
                    w.leaf("kontaktperson", stored.kontaktperson)
                w.leaf("administrativEnhet", party.administrativ_enhet)
                w.leaf("saksbehandler", party.saksbehandler)

    def write_dokument(
        self, w: Writer, dokument: Dokumentbeskrivelse, number: str, *, with_files: bool
    ) -> None:
        what = _("Document %(number)s in journal post %(post)s") % {
            "number": dokument.dokumentnummer,
            "post": number,
        }
        with w.element("dokumentbeskrivelse"):
            w.leaf("systemID", self.seen(dokument.system_id))
            w.leaf("dokumenttype", name(Dokumentbeskrivelse.Dokumenttype, dokument.dokumenttype))
            w.leaf("dokumentstatus", name(Dokumentbeskrivelse.Status, dokument.dokumentstatus))
            w.leaf("tittel", dokument.tittel)
            w.leaf("forfatter", dokument.forfatter)
            w.leaf("opprettetDato", dokument.opprettet_dato)
            self.required(w, "opprettetAv", dokument.opprettet_av, what)
            w.leaf(
                "tilknyttetRegistreringSom",
                name(Dokumentbeskrivelse.Tilknytning, dokument.tilknyttet_registrering_som),
            )
            w.leaf("dokumentnummer", dokument.dokumentnummer)
            w.leaf("tilknyttetDato", dokument.tilknyttet_dato)
            self.required(w, "tilknyttetAv", dokument.tilknyttet_av, what)
            self.merknader(w, dokument.merknader.all())
            self.skjerming(w, dokument.skjerming, what)
            if with_files:
                for version in dokument.versjoner.all():
                    self.write_dokumentobjekt(w, dokument, version, what)

    def write_dokumentobjekt(
        self, w: Writer, dokument: Dokumentbeskrivelse, version: Dokumentobjekt, what: str
    ) -> None:
        extension = os.path.splitext(version.filnavn)[1].lower() or ".pdf"
        relative = f"{DOCUMENTS}/{version.system_id}{extension}"
        target = self.folder / relative
        target.parent.mkdir(exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with version.fil.open("rb") as source, open(target, "wb") as out:
            for chunk in iter(lambda: source.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        if digest.hexdigest() != version.sjekksum or size != version.filstoerrelse:
            raise DepositError(
                _("The stored file of %(what)s, version %(version)s, does not match its checksum.")
                % {"what": what, "version": version.versjonsnummer}
            )
        self.written.dokumentfiler += 1
        with w.element("dokumentobjekt"):
            w.leaf("systemID", self.seen(version.system_id))
            w.leaf("versjonsnummer", version.versjonsnummer)
            w.leaf("variantformat", name(Dokumentobjekt.Variantformat, version.variantformat))
            w.leaf("format", version.format)
            w.leaf("formatDetaljer", version.format_detaljer)
            w.leaf("opprettetDato", version.opprettet_dato)
            w.leaf("opprettetAv", version.opprettet_av)
            w.leaf("referanseDokumentfil", relative)
            w.leaf("sjekksum", digest.hexdigest())
            w.leaf("sjekksumAlgoritme", SJEKKSUM_ALGORITME)
            w.leaf("filstoerrelse", size)


def _kryssreferanser():
    return Kryssreferanse.objects.select_related("til_klasse", "til_saksmappe", "til_journalpost").order_by(
        "pk"
    )


def _avskrivninger():
    return Avskrivning.objects.select_related("referanse_avskrives_av_journalpost").order_by("pk")


def write(selection: Selection, folder: Path) -> Written:
    """Write arkivstruktur.xml and dokumenter/ into `folder`; DepositError names every record that lacks a
    value the schema requires."""
    structure = _Structure(selection, folder)
    written = structure.write()
    if structure.missing:
        raise DepositError(_("Some records lack values the archive format requires:"), structure.missing)
    return written
