"""loependeJournal.xml and offentligJournal.xml: the journal reports for the deposited period. The running
journal lists every deposited journal post as it is; the public journal lists what the organisation's public
journal shows (saksarkiv.services.public decides what is screened, here as there) and leaves out void posts,
as the public journal does."""

from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.db.models import Prefetch
from django.utils import translation

from saksarkiv.models import Journalpost, Korrespondansepart, Saksmappe, Skjerming
from saksarkiv.services import public
from saksarkiv.services.deposit.codes import name
from saksarkiv.services.deposit.parties import parties, person
from saksarkiv.services.deposit.selection import DepositError, Selection
from saksarkiv.services.deposit.xml import Writer, document

LOEPENDE = "http://www.arkivverket.no/standarder/noark5/loependeJournal"
OFFENTLIG = "http://www.arkivverket.no/standarder/noark5/offentligJournal"
# korrespondansepartNavn is required: where the names are screened, the public journal says so.
SCREENED_NAME = "Skjermet"
# The screening codes that hide a party's name, by the party's role.
NAME_CODES = {
    Korrespondansepart.Type.AVSENDER: ("NA", "NPS"),
    Korrespondansepart.Type.MOTTAKER: ("NM", "NPS"),
    Korrespondansepart.Type.KOPIMOTTAKER: ("NM", "NPS"),
    Korrespondansepart.Type.GRUPPEMOTTAKER: ("NM", "NPS"),
}
CHUNK = 200


@dataclass(frozen=True)
class Head:
    start: object
    end: object
    seleksjon: str
    arkivskapere: tuple[tuple[str, str], ...]  # (arkivskaperID, arkivskaperNavn)


def _head(w: Writer, head: Head, count: int) -> None:
    with w.element("journalhode"):
        w.leaf("journalStartDato", head.start)
        w.leaf("journalSluttDato", head.end)
        w.leaf("seleksjon", head.seleksjon)
        w.leaf("antallJournalposter", count)
        for arkivskaper_id, arkivskaper_navn in head.arkivskapere:
            with w.element("arkivskaper"):
                w.leaf("arkivskaperID", arkivskaper_id)
                w.leaf("arkivskaperNavn", arkivskaper_navn)


def _screening(journalpost: Journalpost) -> Skjerming | None:
    return journalpost.skjerming or journalpost.saksmappe.skjerming


# skjermingMetadata occurs at most once per element in the journals: the code that says most about the element.
CASE_CODES = ("TMO", "TM1", "NPS", "KID", "TKL", "M")
POST_CODES = ("TRO", "TR1", "NA", "NM", "TD", "MT", "M")


def _first_code(skjerming: Skjerming | None, codes: tuple[str, ...]) -> str:
    if skjerming is None:
        return ""
    for code in codes:
        if code in skjerming.skjerming_metadata:
            return name(Skjerming.Metadata, code)
    return ""


def _journalposter(selection: Selection):
    return (
        selection.journalposter()
        .select_related(
            "saksmappe__klasse__skjerming",
            "saksmappe__skjerming",
            "saksmappe__saksansvarlig__user",
            "saksmappe__administrativ_enhet",
            "saksbehandler__user",
            "saksbehandler__administrativ_enhet",
            "administrativ_enhet",
            "skjerming",
        )
        .prefetch_related(
            Prefetch(
                "korrespondanseparter",
                queryset=Korrespondansepart.objects.select_related(
                    "saksbehandler__user", "administrativ_enhet"
                ).order_by("pk"),
            ),
            "avskrivninger__referanse_avskrives_av_journalpost",
        )
    )


def _klasse(w: Writer, saksmappe: Saksmappe, *, screened_codes: bool) -> None:
    klasse = saksmappe.klasse
    if klasse is None:
        return
    with w.element("klasse"):
        w.leaf("klasseID", klasse.klasse_id)
        w.leaf("tittel", klasse.tittel)
        if screened_codes and klasse.skjerming is not None:
            w.leaves(
                "skjermingMetadata",
                (
                    name(Skjerming.Metadata, c)
                    for c in klasse.skjerming.skjerming_metadata
                    if c in Skjerming.Metadata.values
                ),
            )


def _avskrivning(w: Writer, journalpost: Journalpost) -> None:
    avskrivning = next(iter(journalpost.avskrivninger.all()), None)
    if avskrivning is None:
        return
    w.leaf("avskrivningsdato", avskrivning.avskrivningsdato)
    w.leaf("avskrivningsmaate", name(type(avskrivning).Maate, avskrivning.avskrivningsmaate))


def _unit(journalpost: Journalpost) -> str:
    unit = journalpost.administrativ_enhet or journalpost.saksbehandler.administrativ_enhet
    return unit.navn if unit else ""


def _case_number(w: Writer, saksmappe: Saksmappe) -> None:
    w.leaf("mappeID", saksmappe.saksnummer)
    w.leaf("saksaar", saksmappe.saksaar)
    w.leaf("sakssekvensnummer", saksmappe.sakssekvensnummer)


def _case_handler(w: Writer, saksmappe: Saksmappe) -> None:
    unit = saksmappe.administrativ_enhet or saksmappe.saksansvarlig.administrativ_enhet
    w.leaf("administrativEnhet", unit and unit.navn)
    w.leaf("saksansvarlig", person(saksmappe.saksansvarlig))


def _post_number(w: Writer, journalpost: Journalpost) -> None:
    w.leaf("journalaar", journalpost.journalaar)
    w.leaf("journalsekvensnummer", journalpost.journalsekvensnummer)
    w.leaf("journalpostnummer", journalpost.journalpostnummer)


def _post_details(w: Writer, journalpost: Journalpost, screening: Skjerming | None) -> None:
    """What both journals say of a post from its screening codes to its case handler."""
    w.leaf("skjermingMetadata", _first_code(screening, POST_CODES))
    w.leaf("journaldato", journalpost.journaldato)
    w.leaf("dokumentetsDato", journalpost.dokumentdato)
    _avskrivning(w, journalpost)
    w.leaf("administrativEnhet", _unit(journalpost))
    w.leaf("saksbehandler", person(journalpost.saksbehandler))


def _answer(w: Writer, journalpost: Journalpost) -> None:
    avskrivning = next(iter(journalpost.avskrivninger.all()), None)
    answer = avskrivning and avskrivning.referanse_avskrives_av_journalpost
    w.leaf("referanseAvskrivesAvJournalpost", answer and answer.system_id)


def _restriction(w: Writer, skjerming: Skjerming | None) -> None:
    if skjerming is not None:
        w.leaf("tilgangsrestriksjon", skjerming.tilgangsrestriksjon)
        w.leaf("skjermingshjemmel", skjerming.skjermingshjemmel)


def write_loepende(path: Path, selection: Selection, head: Head) -> int:
    count = selection.journalposter().count()
    with document(path, LOEPENDE, "loependeJournal", "loependeJournal.xsd") as w:
        _head(w, head, count)
        for journalpost in _journalposter(selection).iterator(chunk_size=CHUNK):
            saksmappe = journalpost.saksmappe
            screening = _screening(journalpost)
            with w.element("journalregistrering"):
                _klasse(w, saksmappe, screened_codes=True)
                with w.element("saksmappe"):
                    _case_number(w, saksmappe)
                    w.leaf("tittel", saksmappe.tittel)
                    w.leaf("offentligTittel", saksmappe.offentlig_tittel)
                    w.leaf("skjermingMetadata", _first_code(saksmappe.skjerming, CASE_CODES))
                    _case_handler(w, saksmappe)
                    w.leaf("referanseArkivdel", selection.arkivdel.system_id)
                with w.element("journalpost"):
                    w.leaf("systemID", journalpost.system_id)
                    w.leaf("registreringsID", f"{saksmappe.saksnummer}-{journalpost.journalpostnummer}")
                    _post_number(w, journalpost)
                    w.leaf("tittel", journalpost.tittel)
                    w.leaf("offentligTittel", journalpost.offentlig_tittel)
                    _post_details(w, journalpost, screening)
                    w.leaf("journalenhet", journalpost.journalenhet)
                    _answer(w, journalpost)
                    _restriction(w, screening)
                    for party in parties(journalpost):
                        with w.element("korrespondansepart"):
                            w.leaf(
                                "korrespondanseparttype",
                                name(Korrespondansepart.Type, party.korrespondanseparttype),
                            )
                            w.leaf("korrespondansepartNavn", party.navn)
                            w.leaf(
                                "skjermingMetadata",
                                _first_code(screening, NAME_CODES.get(party.korrespondanseparttype, ())),
                            )
    return count


def _public_parties(journalpost: Journalpost, entry: public.PublicEntry) -> list[tuple[str, str]]:
    """(type, name) as the public journal shows the post's parties."""
    listed_types = public.LISTED_PARTIES.get(journalpost.journalposttype, ())
    listed = [p for p in journalpost.korrespondanseparter.all() if p.korrespondanseparttype in listed_types]
    own = parties(journalpost)[-1]
    if entry.parter_hjemmel:
        kinds = [p.korrespondanseparttype for p in listed] or [own.korrespondanseparttype]
        return [(kind, SCREENED_NAME) for kind in dict.fromkeys(kinds)]
    if not listed:
        # Nobody listed (a memo, an incoming post without a sender): the case handler, as the running journal.
        return [(own.korrespondanseparttype, own.navn)]
    if len(entry.parter) == len(listed):
        return [
            (party.korrespondanseparttype, shown) for party, shown in zip(listed, entry.parter, strict=True)
        ]
    # The persons were counted, not named: the organisations by name, then the count.
    organisations = [p for p in listed if p.organisasjonsnummer]
    persons = [p for p in listed if not p.organisasjonsnummer]
    kinds = [p.korrespondanseparttype for p in organisations] + [persons[0].korrespondanseparttype]
    return list(zip(kinds, entry.parter, strict=True))


def _with_entries(organisation, journalposter):
    """Each post with its public line, the lines read a thousand posts at a time (one query per post
    was 83% of the deposit's time)."""
    posts = journalposter.iterator(chunk_size=CHUNK)
    while batch := list(islice(posts, public.ENTRIES_CHUNK)):
        entries = public.public_entries(organisation, [journalpost.pk for journalpost in batch])
        for journalpost, (_stored, entry) in zip(batch, entries, strict=True):
            yield journalpost, entry


def write_offentlig(path: Path, selection: Selection, head: Head) -> int:
    organisation = selection.arkivdel.arkiv.organisation
    # The posts the public journal shows (a void post is taken out of it).
    journalposter = _journalposter(selection).filter(journalstatus__in=public.PUBLIC_STATUSES)
    count = journalposter.count()
    if count == 0:
        # offentligJournal.xsd needs at least one journal post.
        raise DepositError(
            translation.gettext(
                "Every journal post of the period is void; there is no public journal to deposit."
            )
        )
    # What the public journal says in words (a withheld name, a count of persons) is said in Norwegian.
    with (
        translation.override("nb"),
        document(path, OFFENTLIG, "offentligJournal", "offentligJournal.xsd") as w,
    ):
        _head(w, head, count)
        for journalpost, entry in _with_entries(organisation, journalposter):
            saksmappe = journalpost.saksmappe
            with w.element("journalregistrering"):
                if saksmappe.klasse is not None and not (
                    saksmappe.klasse.skjerming and saksmappe.klasse.skjerming.skjerming_metadata
                ):
                    _klasse(w, saksmappe, screened_codes=False)
                with w.element("saksmappe"):
                    _case_number(w, saksmappe)
                    w.leaf("offentligTittel", entry.sak_tittel)
                    _case_handler(w, saksmappe)
                    _restriction(w, saksmappe.skjerming)
                screening = _screening(journalpost)
                with w.element("journalpost"):
                    w.leaf("systemID", journalpost.system_id)
                    w.leaf("registreringsID", entry.saksnummer)
                    _post_number(w, journalpost)
                    w.leaf("offentligTittel", entry.tittel)
                    _post_details(w, journalpost, screening)
                    _answer(w, journalpost)
                    _restriction(w, screening)
                    for kind, shown in _public_parties(journalpost, entry):
                        with w.element("korrespondansepart"):
                            w.leaf("korrespondanseparttype", name(Korrespondansepart.Type, kind))
                            w.leaf("korrespondansepartNavn", shown)
    return count
