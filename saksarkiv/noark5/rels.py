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
