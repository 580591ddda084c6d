"""The Noark 5 names of Felles' codes, as a deposit writes them: «Alle koder skal være erstattet med mest
mulig selvforklarende tekst» (Noark 5, vedlegg 2), so "I" goes out as «Inngående dokument». The names are
the standard's own (metadatakatalogen M050-M700, and the tjenestegrensesnitt's code lists for the codes
v5.0's catalogue leaves open), fixed whatever language the admin speaks."""

from django.db.models import TextChoices

from saksarkiv.models import (
    Arkiv,
    Arkivdel,
    Avskrivning,
    Dokumentbeskrivelse,
    Dokumentmedium,
    Dokumentobjekt,
    Gradering,
    Journalpost,
    Kassasjon,
    Klassifikasjonssystem,
    Korrespondansepart,
    Merknad,
    Presedens,
    Saksmappe,
    Skjerming,
)

NAMES: dict[type[TextChoices], dict[str, str]] = {
    Arkiv.Status: {"O": "Opprettet", "A": "Avsluttet"},
    Arkivdel.Status: {
        "A": "Aktiv periode",
        "O": "Overlappingsperiode",
        "P": "Avsluttet periode",
        "U": "Uaktuelle mapper",
    },
    Dokumentmedium: {
        "F": "Fysisk arkiv",
        "E": "Elektronisk arkiv",
        "B": "Blandet fysisk og elektronisk arkiv",
    },
    Klassifikasjonssystem.Type: {
        "GBN": "Gårds- og bruksnummer",
        "FH": "Funksjonsbasert, hierarkisk",
        "EH": "Emnebasert, hierarkisk arkivnøkkel",
        "E1": "Emnebasert, ett nivå",
        "KK": "K-koder",
        "MF": "Mangefasettert, ikke hierarki",
        "UO": "Objektbasert",
        "PNR": "Fødselsnummer",
    },
    Saksmappe.Status: {"B": "Under behandling", "A": "Avsluttet", "U": "Utgår"},
    Journalpost.Type: {
        "I": "Inngående dokument",
        "U": "Utgående dokument",
        "N": "Organinternt dokument for oppfølging",
        "X": "Organinternt dokument uten oppfølging",
        "S": "Saksframlegg",
    },
    Journalpost.Status: {
        "R": "Reservert dokument",
        "M": "Midlertidig registrering av innkommet dokument",
        "S": "Saksbehandler registrert innkommet dokument",
        "F": "Ferdigstilt fra saksbehandler",
        "G": "Godkjent av leder",
        "E": "Ekspedert",
        "J": "Journalført",
        "A": "Arkivert",
        "U": "Utgår",
    },
    Korrespondansepart.Type: {
        "EA": "Avsender",
        "EM": "Mottaker",
        "EK": "Kopimottaker",
        "GM": "Gruppemottaker",
        "IA": "Intern avsender",
        "IM": "Intern mottaker",
        "IK": "Intern kopimottaker",
        "IS": "Medavsender",
    },
    Avskrivning.Maate: {
        "BU": "Besvart med brev",
        "BE": "Besvart med e-post",
        "TLF": "Besvart på telefon",
        "TE": "Tatt til etterretning",
        "TO": "Tatt til orientering",
        "BN": "Besvart med notat",
        "SA": "Saken ble avsluttet",
    },
    Dokumentbeskrivelse.Tilknytning: {"H": "Hoveddokument", "V": "Vedlegg"},
    Dokumentbeskrivelse.Status: {"B": "Dokumentet er under redigering", "F": "Dokumentet er ferdigstilt"},
    Dokumentbeskrivelse.Dokumenttype: {
        "B": "Brev",
        "R": "Rundskriv",
        "F": "Faktura",
        "O": "Ordrebekreftelse",
    },
    Dokumentobjekt.Variantformat: {
        "P": "Produksjonsformat",
        "A": "Arkivformat",
        "O": "Dokument hvor deler av innholdet er skjermet",
    },
    Kassasjon.Vedtak: {"B": "Bevares", "K": "Kasseres", "G": "Vurderes senere"},
    Gradering.Grad: {
        "SH": "Strengt hemmelig (sikkerhetsgrad)",
        "H": "Hemmelig (sikkerhetsgrad)",
        "K": "Konfidensielt (sikkerhetsgrad)",
        "B": "Begrenset (sikkerhetsgrad)",
        "F": "Fortrolig (beskyttelsesgrad)",
        "SF": "Strengt fortrolig (beskyttelsesgrad)",
    },
    Skjerming.Metadata: {
        "KID": "Skjerming klasseID",
        "TKL": "Skjerming tittel klasse",
        "TM1": "Skjerming tittel mappe - unntatt første linje",
        "TMO": "Skjerming tittel mappe - utvalgte ord",
        "NPS": "Skjerming navn part i sak",
        "TR1": "Skjerming tittel registrering - unntatt første linje",
        "TRO": "Skjerming tittel registrering - utvalgte ord",
        "NA": "Skjerming navn avsender",
        "NM": "Skjerming navn mottaker",
        "TD": "Skjerming tittel dokumentbeskrivelse",
        "MT": "Skjerming merknadstekst",
        "M": "Midlertidig skjerming",
    },
    Skjerming.Dokument: {"H": "Skjerming av hele dokumentet", "D": "Skjerming av deler av dokumentet"},
    Merknad.Type: {
        "MS": "Merknad fra saksbehandler",
        "ML": "Merknad fra leder",
        "MA": "Merknad fra arkivansvarlig",
    },
    Presedens.Status: {"G": "Gjeldende", "F": "Foreldet"},
}


def name(choices: type[TextChoices], value: str) -> str:
    """The standard's name for a stored code ("" stays "": nothing to write)."""
    return NAMES[choices][value] if value else ""


def known_name(choices: type[TextChoices], value: str) -> str:
    """The standard's name for a code the choices know; any other value as it is stored."""
    return name(choices, value) if value in choices.values else value


# The Felles fields (as the audit trail's change records name them) that hold one of these codes.
FIELDS: dict[str, type[TextChoices]] = {
    "arkivstatus": Arkiv.Status,
    "arkivdelstatus": Arkivdel.Status,
    "dokumentmedium": Dokumentmedium,
    "klassifikasjonstype": Klassifikasjonssystem.Type,
    "saksstatus": Saksmappe.Status,
    "journalstatus": Journalpost.Status,
    "journalposttype": Journalpost.Type,
    "korrespondanseparttype": Korrespondansepart.Type,
    "avskrivningsmaate": Avskrivning.Maate,
    "dokumentstatus": Dokumentbeskrivelse.Status,
    "dokumenttype": Dokumentbeskrivelse.Dokumenttype,
    "tilknyttet_registrering_som": Dokumentbeskrivelse.Tilknytning,
    "variantformat": Dokumentobjekt.Variantformat,
    "kassasjonsvedtak": Kassasjon.Vedtak,
    "grad": Gradering.Grad,
    "skjerming_dokument": Skjerming.Dokument,
    "merknadstype": Merknad.Type,
    "presedens_status": Presedens.Status,
}
