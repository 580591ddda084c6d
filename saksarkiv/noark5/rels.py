"""Relation keys (rel) exactly as the standard publishes them: https://rel.arkivverket.no/noark5/v5/api/
<package>/<name>/, always with the closing slash (chapter 6, "Alle slike ressurslenker og relasjonslenker
har avsluttende skråstrek")."""

BASE = "https://rel.arkivverket.no/noark5/v5/api/"

ARKIVSTRUKTUR = "arkivstruktur"
SAKARKIV = "sakarkiv"
METADATA = "metadata"
ADMIN = "admin"
LOGGING = "loggingogsporing"

SELF = "self"
NEXT = "next"
PREV = "prev"
# Felles' login is an OAuth 2.0 access token from Maskinporten (chapter 4's table of login relations).
LOGIN_OAUTH2 = f"{BASE}login/rfc6749/"


def rel(package: str, name: str = "") -> str:
    """The relation key of a package (rel("sakarkiv")) or of an entity or action in it."""
    return f"{BASE}{package}/{name}/" if name else f"{BASE}{package}/"


# The standard's entities and relations in the two packages (chapter 7's rel tables) that Felles does not
# serve: asked for, they answer 501 Not Implemented (the standard's status for it), not 404.
NOT_IMPLEMENTED = frozenset(
    {
        "arkivnotat", "avskrivning", "bygning", "dnummer", "dokumentflyt", "enkeladresse", "foedselsnummer",
        "kontaktinformasjon", "konvertering", "kryssreferanse", "matrikkel", "merknad", "nasjonalidentifikator",
        "overarkiv", "overmappe", "part", "partenhet", "partperson", "plan", "posisjon", "presedens",
        "sekundaerklassifikasjon", "sekundaerklassifikasjonssystem", "underarkiv", "undermappe",
        "utvid-til-journalpost", "utvid-til-saksmappe", "$ref",
    }
    | {
        f"ny-{name}"
        for name in (
            "arkivnotat", "avskrivning", "bygning", "dnummer", "dokumentflyt", "foedselsnummer", "konvertering",
            "kryssreferanse", "matrikkel", "merknad", "mappe", "partenhet", "partperson", "plan", "posisjon",
            "presedens", "registrering", "sekundaerklassifikasjonssystem", "endringslogg",
        )
    }
)  # fmt: skip
