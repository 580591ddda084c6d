"""An organisation's machine calling the Noark 5 tjenestegrensesnitt at /api/noark5/ with a Maskinporten
token, following the links the answers give."""

import pytest

from tests.kontaktregister.test_lookup import agency_token
from tests.saksarkiv.factories import organisation

ROOT = "/api/noark5/"
REL = "https://rel.arkivverket.no/noark5/v5/api/"
READ, WRITE = "felles:noark5/arkiv.read", "felles:noark5/arkiv.write"
BOTH = f"{READ} {WRITE}"
NOARK5 = "application/vnd.noark5+json"
OTHER = "974312344"


class Machine:
    """An agency's system: it knows the root and its token, and finds everything else by rel."""

    def __init__(self, client, number="965302026", scope=BOTH):
        self.client = client
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {agency_token(scope, organisation_number=number)}"}

    def get(self, url, params=None, **headers):
        headers.setdefault("HTTP_ACCEPT", NOARK5)
        return self.client.get(url, params or {}, **self.auth, **headers)

    def post(self, url, data=None, content_type=NOARK5, **headers):
        return self.client.post(url, data, content_type=content_type, **self.auth, **headers)

    def put(self, url, data, **headers):
        return self.client.put(url, data, content_type=NOARK5, **self.auth, **headers)

    def patch(self, url, data, **headers):
        return self.client.patch(
            url, data, content_type="application/merge-patch+json", **self.auth, **headers
        )

    def delete(self, url, **headers):
        return self.client.delete(url, **self.auth, **headers)

    def href(self, body: dict, rel: str) -> str:
        """The href of a rel (given whole or after the rel base), without a template's {?...}."""
        links = body["_links"]
        key = rel if rel in links or rel == "self" else REL + rel
        assert key in links, f"{key} not in {sorted(links)}"
        return links[key]["href"].split("{")[0]

    def follow(self, body: dict, rel: str, params=None):
        answer = self.get(self.href(body, rel), params)
        assert answer.status_code == 200, answer.content
        return answer.json()

    def create(self, body: dict, rel: str, fields: dict) -> dict:
        answer = self.post(self.href(body, rel), fields)
        assert answer.status_code == 201, answer.content
        return answer.json()

    def root(self) -> dict:
        answer = self.get(ROOT)
        assert answer.status_code == 200
        return answer.json()

    def sakarkiv(self) -> dict:
        return self.follow(self.root(), "sakarkiv/")

    def arkivstruktur(self) -> dict:
        return self.follow(self.root(), "arkivstruktur/")

    def arkivdel(self) -> dict:
        """The organisation's active arkivdel (its archive made as the admin makes it)."""
        listing = self.follow(
            self.arkivstruktur(), "arkivstruktur/arkivdel/", {"$filter": "arkivdelstatus/kode eq 'A'"}
        )
        return listing["results"][0]

    def case(self, **fields) -> dict:
        return self.create(
            self.arkivdel(), "sakarkiv/ny-saksmappe/", {"tittel": "Søknad om bostøtte", **fields}
        )

    def journalpost(self, case=None, **fields) -> dict:
        case = case or self.case()
        values = {"journalposttype": {"kode": "U"}, "tittel": "Vedtak om bostøtte", **fields}
        return self.create(case, "sakarkiv/ny-journalpost/", values)


@pytest.fixture
def machine(client):
    from saksarkiv.services import ensure_arkiv

    ensure_arkiv(organisation())
    return Machine(client)


@pytest.fixture
def other_machine(client):
    from saksarkiv.services import ensure_arkiv

    ensure_arkiv(organisation(OTHER, "Velferdsetaten"))
    return Machine(client, OTHER)
