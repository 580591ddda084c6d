"""A Noark 5 tjenestegrensesnitt client written only from Arkivverket's standard (v1.1, chapters 4, 6
and 7 of noark5-tjenestegrensesnitt-standard): it knows a server by its base URL and a token, nothing else.

What it does, and where the standard says so:
- 6 "Oppkobling og ressurslenker": GET the base URL with Accept application/vnd.noark5+json; `_links`
  is keyed by relation key (rel), every other URL is found by following a rel's href, never built.
  4 "Autentisering og Autorisering": the root announces the login mechanisms (rels under
  .../api/login/) without a login; the token itself is got elsewhere (for Felles: Maskinporten).
- 6 "Finne objekter": templated hrefs (`{?$filter&$orderby&$top&$skip&$search}`) are filled with
  OData parameters; a list answers `count` and `results` (no `results` when empty).
- 6 "Opprette objekter": GET on a ny-* href gives a pre-filled template without a self relation;
  POST it (without `_links` and null fields) and get 201, a Location and the created entity, whose
  self href is the href of its entity rel ("Identifisere entitetstype").
- 6 "Oppdatere objekter": PATCH as JSON Merge Patch (RFC 7396) with the ETag as If-Match; a
  conflict is 409. 6 "Slette objekter": DELETE on self, 204. 6 "Håndtering av API-feil": errors
  carry {"feil": {"kode", "beskrivelse"}}.
- 6 "Hente og overføre filer": a small file is POSTed to the dokumentobjekt's .../arkivstruktur/fil/
  href with Content-Type and Content-Length, answered 201 with the dokumentobjekt (sjekksum,
  filstoerrelse derived); a GET of the same href streams the file back.
- 7: the walk arkivskaper → arkiv → arkivdel → klassifikasjonssystem → klasse → saksmappe (sakarkiv)
  → journalpost (sakarkiv) → korrespondansepartenhet and dokumentbeskrivelse → dokumentobjekt → fil,
  with the rels chapter 7 lists for each entity and codes from its code lists.

Where the server's answer breaks one of these rules the client raises NotConformant, naming the rule.
Only the standard library and requests.

    python examples/noark5_client.py --base-url http://127.0.0.1:8000/api/noark5/ --token eyJ… root
    python examples/noark5_client.py --base-url http://127.0.0.1:8000/api/noark5/ --token eyJ… \\
        walk --file vedtak.pdf --title "Søknad om bostøtte"
"""

import argparse
import hashlib
import json
import mimetypes
import re
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urljoin

import requests

MEDIA_TYPE = "application/vnd.noark5+json"
MERGE_PATCH = "application/merge-patch+json"

REL = "https://rel.arkivverket.no/noark5/v5/api/"
ARKIVSTRUKTUR = f"{REL}arkivstruktur/"
SAKARKIV = f"{REL}sakarkiv/"
METADATA = f"{REL}metadata/"
ADMIN_SYSTEM = f"{REL}admin/system/"
LOGIN = f"{REL}login/"
LOGIN_OAUTH2 = f"{LOGIN}rfc6749/"
LOGIN_OIDC = f"{LOGIN}oidc/"
FIL = f"{ARKIVSTRUKTUR}fil/"
DOKUMENTTYPE = f"{METADATA}dokumenttype/"
SELF = "self"

# The create steps of the walk: (level, the ny-* rel on the level above), each as chapter 7 lists it.
NY_ARKIVSKAPER = f"{ARKIVSTRUKTUR}ny-arkivskaper/"
NY_ARKIV = f"{ARKIVSTRUKTUR}ny-arkiv/"
NY_ARKIVDEL = f"{ARKIVSTRUKTUR}ny-arkivdel/"
NY_KLASSIFIKASJONSSYSTEM = f"{ARKIVSTRUKTUR}ny-klassifikasjonssystem/"
NY_KLASSE = f"{ARKIVSTRUKTUR}ny-klasse/"
NY_SAKSMAPPE = f"{SAKARKIV}ny-saksmappe/"
NY_JOURNALPOST = f"{SAKARKIV}ny-journalpost/"
NY_KORRESPONDANSEPARTENHET = f"{ARKIVSTRUKTUR}ny-korrespondansepartenhet/"
NY_DOKUMENTBESKRIVELSE = f"{ARKIVSTRUKTUR}ny-dokumentbeskrivelse/"
NY_DOKUMENTOBJEKT = f"{ARKIVSTRUKTUR}ny-dokumentobjekt/"

TIMEOUT = 30
_TEMPLATE = re.compile(r"\{([?&])([^}]*)\}")


class Noark5Error(Exception):
    """The server refused: the HTTP status and, when it answered in the standard's error format,
    `kode` and `beskrivelse` from {"feil": {...}} (`feil` is None when it did not)."""

    def __init__(self, method: str, url: str, status: int, body: object):
        self.status = status
        self.feil = (
            body.get("feil") if isinstance(body, dict) and isinstance(body.get("feil"), dict) else None
        )
        detail = json.dumps(body, ensure_ascii=False)[:500] if body is not None else ""
        super().__init__(f"{method} {url}: {status} {detail}")


class NotConformant(Exception):
    """The server answered, but not as the standard says it must; the message names the rule."""


@dataclass(frozen=True)
class Link:
    href: str
    templated: bool = False

    def expand(self, query: dict[str, object] | None = None) -> str:
        """The href with the RFC 6570 form-style query expression (`{?a,b}`, or `{?a&b}` as the
        standard writes it, or `{&a,b}` after a literal query) filled with the values given; names
        the template does not offer are refused, as the server does not support them here."""
        query = {name: value for name, value in (query or {}).items() if value is not None}
        found = _TEMPLATE.search(self.href) if self.templated else None
        if found is None:
            if query:
                raise NotConformant(
                    f"{self.href} is not templated, so it takes none of {sorted(query)} (6 Finne objekter)"
                )
            return self.href
        offered = [name.strip() for name in re.split(r"[,&]", found.group(2)) if name.strip()]
        unknown = sorted(set(query) - set(offered))
        if unknown:
            raise NotConformant(f"{self.href} does not offer {unknown} (6 Finne objekter)")
        pairs = [f"{name}={quote(str(query[name]), safe='')}" for name in offered if name in query]
        expansion = (found.group(1) + "&".join(pairs)) if pairs else ""
        return self.href[: found.start()] + expansion + self.href[found.end() :]


def links_of(body: dict) -> dict[str, Link]:
    """`_links` keyed by rel. Chapter 6 writes it as an object keyed by rel, chapter 7's arkivstruktur
    example as a list of {"rel", "href"}; both are read."""
    raw = body.get("_links") or {}
    items = raw.items() if isinstance(raw, dict) else ((item.get("rel"), item) for item in raw)
    return {
        rel: Link(item["href"], bool(item.get("templated", False)))
        for rel, item in items
        if rel and isinstance(item, dict) and item.get("href")
    }


@dataclass(frozen=True)
class Resource:
    """One answer: its URL, JSON body and the headers a client acts on."""

    url: str
    body: dict
    etag: str | None = None
    location: str | None = None

    @property
    def links(self) -> dict[str, Link]:
        return links_of(self.body)

    def link(self, rel: str) -> Link:
        found = self.links.get(rel)
        if found is None:
            raise NotConformant(f"{self.url} offers no rel {rel} (has: {sorted(self.links)})")
        return found

    @property
    def self_href(self) -> str:
        return self.link(SELF).href

    @property
    def system_id(self) -> str:
        return self.body["systemID"]


@dataclass(frozen=True)
class Page:
    """A list: `count` is every match, `results` the ones on this page."""

    count: int
    results: list[dict]
    links: dict[str, Link]


def odata_string(value: str) -> str:
    """An OData string literal: single quotes, a quote inside doubled."""
    return "'" + value.replace("'", "''") + "'"


def entity_rel(ny_rel: str) -> str:
    """The entity rel an object made through a ny-* rel has: .../sakarkiv/ny-saksmappe/ →
    .../sakarkiv/saksmappe/ (chapter 7 names each ny-xx after the xx it creates)."""
    head, _, name = ny_rel.rstrip("/").rpartition("/")
    if not name.startswith("ny-"):
        raise ValueError(f"{ny_rel} is not a ny-* relation.")
    return f"{head}/{name.removeprefix('ny-')}/"


def _postable(template: dict) -> dict:
    """The template as a POST body: "uten _links og felt med verdi null" (6 Opprette objekter)."""
    return {
        key: _postable(value) if isinstance(value, dict) else value
        for key, value in template.items()
        if key != "_links" and value is not None
    }


def _media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


class Noark5Client:
    """A Noark 5 server at one base URL, with a bearer token (or none, for the root alone)."""

    def __init__(self, base_url: str, token: str | None = None, *, session: requests.Session | None = None):
        self.base_url = base_url
        self.session = session or requests.Session()
        self.headers = {"Accept": MEDIA_TYPE}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self._root: Resource | None = None

    def _send(self, method: str, url: str, *, expect: tuple[int, ...], **kwargs) -> requests.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = self.session.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)
        if response.status_code not in expect:
            try:
                body = response.json()
            except ValueError:
                body = response.text[:500] or None
            raise Noark5Error(method, url, response.status_code, body)
        return response

    def _resource(self, response: requests.Response) -> Resource:
        if _media_type(response) != MEDIA_TYPE:
            raise NotConformant(
                f"{response.request.method} {response.url} answered Content-Type "
                f"{response.headers.get('Content-Type')!r}, not {MEDIA_TYPE} (6 Overføringsformat)"
            )
        try:
            body = response.json()
        except ValueError:
            raise NotConformant(f"{response.url} answered {MEDIA_TYPE} that is not JSON") from None
        if not isinstance(body, dict):
            raise NotConformant(f"{response.url} answered a JSON {type(body).__name__}, not an object")
        location = response.headers.get("Location")
        return Resource(
            url=response.url,
            body=body,
            etag=response.headers.get("ETag"),
            location=urljoin(response.url, location) if location else None,
        )

    def get(self, url: str) -> Resource:
        return self._resource(self._send("GET", url, expect=(200,)))

    def root(self) -> Resource:
        """The base URL's answer: the rels of the areas the server supports, and its login rels."""
        if self._root is None:
            self._root = self.get(self.base_url)
        return self._root

    def logins(self) -> dict[str, str]:
        """The login mechanisms the root announces: rel → href (4 Autentisering og Autorisering)."""
        return {rel: link.href for rel, link in self.root().links.items() if rel.startswith(LOGIN)}

    def follow(self, resource: Resource, rel: str, query: dict[str, object] | None = None) -> Resource:
        return self.get(resource.link(rel).expand(query))

    def find(self, resource: Resource, rel: str, query: dict[str, object] | None = None) -> Page:
        """A list rel followed with OData parameters ($filter, $top, …): count and results."""
        answer = self.follow(resource, rel, query)
        count = answer.body.get("count")
        if not isinstance(count, int) or isinstance(count, bool):
            raise NotConformant(f"{answer.url} is a list without a numeric count (6 Finne objekter)")
        return Page(count=count, results=answer.body.get("results", []), links=answer.links)

    def read(self, resource: Resource) -> Resource:
        """A fresh copy of an entity from its self href, which must carry an ETag (6 Oppdatere objekter)."""
        fresh = self.get(resource.self_href)
        if not fresh.etag:
            raise NotConformant(f"GET {fresh.url} has no ETag (6 Oppdatere objekter)")
        return fresh

    def template(self, resource: Resource, rel: str) -> dict:
        """GET on a ny-* href: a pre-filled object structure, not an object, so without self."""
        answer = self.follow(resource, rel)
        if SELF in answer.links:
            raise NotConformant(f"the template at {answer.url} has a self rel (6 Opprette objekter)")
        return answer.body

    def create(self, parent: Resource, rel: str, fields: dict, *, defaults: dict | None = None) -> Resource:
        """Create an object through the parent's ny-* rel: the server's template, under it our
        `defaults`, over it our `fields`; then read it back from its self href."""
        body = {**(defaults or {}), **_postable(self.template(parent, rel)), **fields}
        url = parent.link(rel).href
        response = self._send(
            "POST",
            url,
            expect=(201,),
            data=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": MEDIA_TYPE},
        )
        created = self._resource(response)
        self._check_created(created, entity_rel(rel))
        return self.read(created)

    def _check_created(self, created: Resource, rel: str) -> None:
        where = f"POST {created.url}"
        if not created.location:
            raise NotConformant(f"{where} answered 201 without a Location (6 Opprette objekter)")
        if not created.body.get("systemID"):
            raise NotConformant(f"{where} answered an object without systemID (6 Identifikatorer)")
        entity = created.link(rel).href
        if entity != created.self_href:
            raise NotConformant(
                f"{where}: self is {created.self_href}, {rel} is {entity}; they must be the same href "
                "(6 Identifisere entitetstype)"
            )
        if created.location != created.self_href:
            raise NotConformant(f"{where}: Location {created.location} is not self {created.self_href}")

    def update(self, resource: Resource, changes: dict) -> Resource:
        """PATCH as JSON Merge Patch with the resource's ETag as If-Match; a stale ETag is 409."""
        if not resource.etag:
            raise ValueError("Read the resource first: an update needs its ETag.")
        response = self._send(
            "PATCH",
            resource.self_href,
            expect=(200,),
            data=json.dumps(changes, ensure_ascii=False).encode(),
            headers={"Content-Type": MERGE_PATCH, "If-Match": resource.etag},
        )
        return self._resource(response)

    def delete(self, resource: Resource) -> None:
        """DELETE on the self href, answered 204 (6 Slette objekter); with the ETag as If-Match when
        the resource was read with one, since a changed object answers 409 there too."""
        headers = {"If-Match": resource.etag} if resource.etag else {}
        self._send("DELETE", resource.self_href, expect=(204,), headers=headers)

    def upload(self, dokumentobjekt: Resource, content: bytes, content_type: str) -> Resource:
        """A small file POSTed whole to the dokumentobjekt's fil href (6 Overføre små filer)."""
        response = self._send(
            "POST",
            dokumentobjekt.link(FIL).href,
            expect=(201,),
            data=content,
            headers={"Content-Type": content_type, "Content-Length": str(len(content))},
        )
        return self._resource(response)

    def download(self, dokumentobjekt: Resource) -> tuple[bytes, str]:
        """The file behind the fil href and its Content-Type; Accept */* as 6 asks of a client."""
        response = self._send("GET", dokumentobjekt.link(FIL).href, expect=(200,), headers={"Accept": "*/*"})
        return response.content, _media_type(response)

    def metadata(self) -> Resource:
        return self.follow(self.root(), METADATA)

    def code_list(self, rel: str) -> list[dict]:
        """The values of one code list (e.g. .../metadata/dokumenttype/): kode, kodenavn, …"""
        page = self.find(self.metadata(), rel)
        return page.results

    def system(self) -> Resource:
        """admin/system: bulkgrense, leverandoer, produkt, versjon, protokollversjon."""
        return self.follow(self.root(), ADMIN_SYSTEM)


def usable_code(values: list[dict]) -> str | None:
    """The first code a new object may take: not inaktiv, not utdatert (6 Opprette objekter, 7 Kodelister)."""
    for value in values:
        if value.get("kode") and not value.get("inaktiv") and not value.get("utdatert"):
            return value["kode"]
    return None


@dataclass
class Walk:
    """What the walk created, top down; the dokumentobjekt as the upload answered it; the file as stored."""

    created: list[tuple[str, Resource]] = field(default_factory=list)
    uploaded: Resource | None = None
    sjekksum: str = ""
    file_matches: bool = False

    def __getitem__(self, level: str) -> Resource:
        return dict(self.created)[level]


def walk(
    client: Noark5Client,
    content: bytes,
    *,
    content_type: str = "application/pdf",
    title: str = "Søknad om bostøtte",
    filename: str = "vedtak.pdf",
    arkivskaper_id: str | None = None,
) -> Walk:
    """From the root to the file, creating each level by following only the rels chapter 7 lists."""
    result = Walk()

    def create(level: str, parent: Resource, rel: str, fields: dict, defaults: dict | None = None):
        created = client.create(parent, rel, fields, defaults=defaults)
        result.created.append((level, created))
        return created

    electronic = {"dokumentmedium": {"kode": "E"}}
    arkivstruktur = client.follow(client.root(), ARKIVSTRUKTUR)
    arkivskaper = create(
        "arkivskaper",
        arkivstruktur,
        NY_ARKIVSKAPER,
        {
            "arkivskaperID": arkivskaper_id or f"noark5-client-{uuid.uuid4().hex[:8]}",
            "arkivskaperNavn": "Noark 5 test client",
        },
    )
    arkiv = create(
        "arkiv",
        arkivskaper,
        NY_ARKIV,
        {"tittel": f"Arkiv: {title}"},
        {"arkivstatus": {"kode": "O"}, **electronic},
    )
    arkivdel = create(
        "arkivdel",
        arkiv,
        NY_ARKIVDEL,
        {"tittel": f"Arkivdel: {title}"},
        {"arkivdelstatus": {"kode": "A"}, **electronic},
    )
    system = create(
        "klassifikasjonssystem", arkivdel, NY_KLASSIFIKASJONSSYSTEM, {"tittel": f"Ordning: {title}"}
    )
    klasse = create(
        "klasse", system, NY_KLASSE, {"klasseID": uuid.uuid4().hex[:8], "tittel": f"Klasse: {title}"}
    )
    saksmappe = create(
        "saksmappe", klasse, NY_SAKSMAPPE, {"tittel": title}, {"saksstatus": {"kode": "B"}, **electronic}
    )
    journalpost = create(
        "journalpost",
        saksmappe,
        NY_JOURNALPOST,
        {"tittel": f"Innkommende: {title}"},
        {"journalposttype": {"kode": "I"}, "journalstatus": {"kode": "J"}, **electronic},
    )
    create(
        "korrespondansepartenhet",
        journalpost,
        NY_KORRESPONDANSEPARTENHET,
        {"navn": "Avsender AS"},
        {"korrespondanseparttype": {"kode": "EA"}},
    )
    dokumenttype = usable_code(client.code_list(DOKUMENTTYPE))
    dokumentbeskrivelse = create(
        "dokumentbeskrivelse",
        journalpost,
        NY_DOKUMENTBESKRIVELSE,
        {"tittel": f"Dokument: {title}"},
        {
            "dokumentstatus": {"kode": "F"},
            "tilknyttetRegistreringSom": {"kode": "H"},
            **({"dokumenttype": {"kode": dokumenttype}} if dokumenttype else {}),
            **electronic,
        },
    )
    sjekksum = hashlib.sha256(content).hexdigest()
    # Filled in before the upload, so that the server must check them against the file (6 Opplasting).
    dokumentobjekt = create(
        "dokumentobjekt",
        dokumentbeskrivelse,
        NY_DOKUMENTOBJEKT,
        {
            "filnavn": filename,
            "mimeType": content_type,
            "sjekksum": sjekksum,
            "sjekksumAlgoritme": "SHA-256",
            "filstoerrelse": len(content),
        },
        {"versjonsnummer": 1, "variantformat": {"kode": "P"}},
    )
    uploaded = client.upload(dokumentobjekt, content, content_type)
    if uploaded.body.get("sjekksum") != sjekksum or uploaded.body.get("filstoerrelse") != len(content):
        raise NotConformant(
            "the uploaded dokumentobjekt's sjekksum/filstoerrelse are not the file's (6 Opplasting): "
            f"{uploaded.body.get('sjekksum')}, {uploaded.body.get('filstoerrelse')}"
        )
    stored, stored_type = client.download(uploaded)
    result.uploaded = uploaded
    result.sjekksum = hashlib.sha256(stored).hexdigest()
    result.file_matches = stored == content and stored_type == content_type
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", required=True, help="the server's base URL (hoved-URL)")
    parser.add_argument("--token", default=None, help="a bearer token (for Felles: from Maskinporten)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("root", help="print the root's rels and login mechanisms")
    walk_command = commands.add_parser("walk", help="create arkivskaper … dokumentobjekt and upload a file")
    walk_command.add_argument("--file", type=Path, required=True, help="the file to upload (e.g. a PDF)")
    walk_command.add_argument("--title", default="Søknad om bostøtte", help="the saksmappe's tittel")
    arguments = parser.parse_args(argv)

    client = Noark5Client(arguments.base_url, arguments.token)
    try:
        if arguments.command == "root":
            root = client.root()
            report = {"rels": sorted(root.links), "login": client.logins()}
        else:
            content = arguments.file.read_bytes()
            content_type = mimetypes.guess_type(arguments.file.name)[0] or "application/octet-stream"
            done = walk(
                client,
                content,
                content_type=content_type,
                title=arguments.title,
                filename=arguments.file.name,
            )
            report = {
                "created": [
                    {"level": level, "systemID": resource.body.get("systemID"), "href": resource.self_href}
                    for level, resource in done.created
                ],
                "fil": done.uploaded.link(FIL).href,
                "sjekksum": done.sjekksum,
                "file_matches": done.file_matches,
            }
    except (Noark5Error, NotConformant, requests.RequestException) as failed:
        raise SystemExit(f"Failed: {failed}") from None
    json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
    print()
    if arguments.command == "walk" and not report["file_matches"]:
        raise SystemExit("The file read back is not the file uploaded.")


if __name__ == "__main__":
    main()
