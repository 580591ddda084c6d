"""A journal post's korrespondanseparter as the deposit writes them. Noark 5 has no element for a journal
post's case handler and unit on a registrering: they are grouped into a korrespondansepart («Intern mottaker»
of an incoming post, «Intern avsender» of the others). A post that lists no internal party gets one for its
case handler; the journals need at least one party per post in any case."""

from dataclasses import dataclass

from saksarkiv.models import Journalpost, Korrespondansepart
from saksarkiv.services.structure import person

INTERNAL_PARTY = {Journalpost.Type.INNGAAENDE: Korrespondansepart.Type.INTERN_MOTTAKER}


@dataclass(frozen=True)
class Party:
    korrespondanseparttype: str
    navn: str
    administrativ_enhet: str
    saksbehandler: str
    stored: Korrespondansepart | None  # None for the case handler's own party


def parties(journalpost: Journalpost) -> list[Party]:
    """The post's parties (prefetched as korrespondanseparter), with the case handler's where none is
    internal."""
    stored = list(journalpost.korrespondanseparter.all())
    found = [
        Party(
            korrespondanseparttype=party.korrespondanseparttype,
            navn=party.navn,
            administrativ_enhet=party.administrativ_enhet.navn if party.administrativ_enhet else "",
            saksbehandler=person(party.saksbehandler),
            stored=party,
        )
        for party in stored
    ]
    if any(party.korrespondanseparttype in Korrespondansepart.INTERNAL for party in stored):
        return found
    handler = journalpost.saksbehandler
    unit = journalpost.administrativ_enhet or handler.administrativ_enhet
    internal = Party(
        korrespondanseparttype=INTERNAL_PARTY.get(
            journalpost.journalposttype, Korrespondansepart.Type.INTERN_AVSENDER
        ),
        navn=person(handler),
        administrativ_enhet=unit.navn if unit else "",
        saksbehandler=person(handler),
        stored=None,
    )
    return [*found, internal]
