"""Arkivmelding for the tests: an incoming one as another organisation's case system writes it (the
shape of Digdir's example, efm-integrasjonspunkt integrasjonspunkt/src/test/resources/
arkivmelding_ok.xml), and the SBD of an eFormidling arkivmelding message."""

import copy
import uuid

PROCESS = "urn:no:difi:profile:arkivmelding:administrasjon:ver1.0"
STANDARD = "urn:no:difi:arkivmelding:xsd::arkivmelding"
# A registered organisation in Felles that is not the sending agency (Velferdsetaten, 974312344).
RECEIVER = "965302026"
RECEIVER_NAME = "Fjordvik kommune"

TEMPLATE = """<?xml version="1.0" encoding="utf-8"?>
<arkivmelding xmlns="http://www.arkivverket.no/standarder/noark5/arkivmelding"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <system>LandLord</system>
  <meldingId>{melding_id}</meldingId>
  <tidspunkt>2026-05-23T12:46:00</tidspunkt>
  <antallFiler>2</antallFiler>
  <mappe xsi:type="saksmappe">
    <systemID>{mappe}</systemID>
    <tittel>Nye lysrør Hauketo skole</tittel>
    <opprettetDato>2026-06-01T10:10:12.000+01:00</opprettetDato>
    <opprettetAv/>
    <basisregistrering xsi:type="journalpost">
      <systemID>{registrering}</systemID>
      <opprettetDato>2026-02-17T21:56:12.000+01:00</opprettetDato>
      <opprettetAv>LandLord</opprettetAv>
      <arkivertDato>2026-02-17T21:56:12.000+01:00</arkivertDato>
      <arkivertAv>LandLord</arkivertAv>
      <referanseForelderMappe>{mappe}</referanseForelderMappe>
      <dokumentbeskrivelse>
        <systemID>{dokument1}</systemID>
        <dokumenttype>Bestilling</dokumenttype>
        <dokumentstatus>Dokumentet er ferdigstilt</dokumentstatus>
        <tittel>Bestilling av nye lysrør</tittel>
        <opprettetDato>2026-02-17T21:56:12.000+01:00</opprettetDato>
        <opprettetAv>LandLord</opprettetAv>
        <tilknyttetRegistreringSom>Hoveddokument</tilknyttetRegistreringSom>
        <dokumentnummer>1</dokumentnummer>
        <tilknyttetDato>2026-02-17T21:56:12.000+01:00</tilknyttetDato>
        <tilknyttetAv>LandLord</tilknyttetAv>
        <dokumentobjekt>
          <versjonsnummer>1</versjonsnummer>
          <variantformat>Produksjonsformat</variantformat>
          <opprettetDato>2026-02-17T21:56:12.000+01:00</opprettetDato>
          <opprettetAv>LandLord</opprettetAv>
          <referanseDokumentfil>{main}</referanseDokumentfil>
        </dokumentobjekt>
      </dokumentbeskrivelse>
      <dokumentbeskrivelse>
        <systemID>{dokument2}</systemID>
        <dokumenttype>Vedlegg</dokumenttype>
        <dokumentstatus>Dokumentet er ferdigstilt</dokumentstatus>
        <tittel>Tegning</tittel>
        <opprettetDato>2026-02-17T21:56:12.000+01:00</opprettetDato>
        <opprettetAv>LandLord</opprettetAv>
        <tilknyttetRegistreringSom>Vedlegg</tilknyttetRegistreringSom>
        <dokumentnummer>2</dokumentnummer>
        <tilknyttetDato>2026-02-17T21:56:12.000+01:00</tilknyttetDato>
        <tilknyttetAv>LandLord</tilknyttetAv>
        <dokumentobjekt>
          <versjonsnummer>1</versjonsnummer>
          <variantformat>Arkivformat</variantformat>
          <opprettetDato>2026-02-17T21:56:12.000+01:00</opprettetDato>
          <opprettetAv>LandLord</opprettetAv>
          <referanseDokumentfil>{attachment}</referanseDokumentfil>
        </dokumentobjekt>
      </dokumentbeskrivelse>
      <tittel>Nye lysrør</tittel>
      <offentligTittel>Nye lysrør</offentligTittel>
      <journalposttype>Utgående dokument</journalposttype>
      <journalstatus>Ekspedert</journalstatus>
      <journaldato>2026-05-23</journaldato>
      <dokumentetsDato>2026-05-22</dokumentetsDato>
      <korrespondansepart>
        <korrespondanseparttype>Avsender</korrespondanseparttype>
        <korrespondansepartNavn>Velferdsetaten</korrespondansepartNavn>
        <kontaktperson>Knut Hansen</kontaktperson>
      </korrespondansepart>
      <korrespondansepart>
        <korrespondanseparttype>Mottaker</korrespondanseparttype>
        <korrespondansepartNavn>Fjordvik kommune</korrespondansepartNavn>
      </korrespondansepart>
      <korrespondansepart>
        <korrespondanseparttype>Kopimottaker</korrespondanseparttype>
        <korrespondansepartNavn>Elektrikeren AS</korrespondansepartNavn>
      </korrespondansepart>
    </basisregistrering>
    <saksdato>2026-06-01</saksdato>
    <administrativEnhet>Eiendom</administrativEnhet>
    <saksansvarlig>Knut Hansen</saksansvarlig>
    <saksstatus>Under behandling</saksstatus>
  </mappe>
</arkivmelding>
"""


def arkivmelding(*, mappe=None, main="bestilling.pdf", attachment="tegning.pdf", melding_id=None) -> bytes:
    """An incoming arkivmelding: one journal post with a main document and an attachment, in the
    sender's case `mappe` (a systemID; a new random one if not given)."""
    return TEMPLATE.format(
        melding_id=melding_id or uuid.uuid4(),
        mappe=mappe or uuid.uuid4(),
        registrering=uuid.uuid4(),
        dokument1=uuid.uuid4(),
        dokument2=uuid.uuid4(),
        main=main,
        attachment=attachment,
    ).encode()


SBD = {
    "standardBusinessDocumentHeader": {
        "headerVersion": "1.0",
        "receiver": [{"identifier": {"value": f"0192:{RECEIVER}", "authority": "iso6523-actorid-upis"}}],
        "documentIdentification": {"standard": STANDARD, "typeVersion": "2.0", "type": "arkivmelding"},
        "businessScope": {"scope": [{"type": "ConversationId", "identifier": PROCESS}]},
    },
    "arkivmelding": {"sikkerhetsnivaa": 3, "hoveddokument": "bestilling.pdf"},
}


def sbd(receiver: str = RECEIVER) -> dict:
    found = copy.deepcopy(SBD)
    found["standardBusinessDocumentHeader"]["receiver"][0]["identifier"]["value"] = f"0192:{receiver}"
    return found


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<arkivmelding xmlns="http://www.arkivverket.no/standarder/noark5/arkivmelding"><system>&lol9;</system></arkivmelding>"""


def external_entity(path: str) -> bytes:
    """An arkivmelding whose system is an external entity naming a local file (XXE)."""
    valid = arkivmelding().decode().replace('<?xml version="1.0" encoding="utf-8"?>\n', "")
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE arkivmelding [<!ENTITY xxe SYSTEM "file://{path}">]>\n'
        + valid.replace("<system>LandLord</system>", "<system>&xxe;</system>")
    ).encode()


def deep(depth: int = 100_000) -> bytes:
    return (
        b'<arkivmelding xmlns="http://www.arkivverket.no/standarder/noark5/arkivmelding">'
        + (b"<mappe>" * depth)
        + b"</mappe>" * depth
        + b"</arkivmelding>"
    )
