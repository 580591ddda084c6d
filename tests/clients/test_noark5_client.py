"""Felles' Noark 5 tjenestegrensesnitt driven by examples/noark5_client.py, a client written from
Arkivverket's standard alone (no maintained Noark 5 client is published on PyPI or npm; the known
tester, noark5-tester, is GPL and unpublished) that knows Felles only by the base URL and a token.
The set-up registers the organisation and its Maskinporten client through Felles' services, as an
administrator would; the token is got over HTTP with examples/maskinporten_client.py, and from there on
everything goes over the wire, by following the rels the server announces."""

import gc
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from joserfc.jwk import RSAKey

from maskinporten import services as maskinporten
from saksarkiv.models import Dokumentobjekt, Journalpost, Saksmappe
from tests.postkasse.factories import pdf
from tests.virksomheter.factories import new_organisation
from virksomheter import services as virksomheter

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
sys.path.insert(0, str(EXAMPLES))
import noark5_client as n5  # noqa: E402
from maskinporten_client import Credentials, MaskinportenClient  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)

ORGANISATION = "965302026"
SCOPES = "felles:noark5/arkiv.read felles:noark5/arkiv.write"
TITLE = "Søknad om bostøtte – Kari Nordmann"
LEVELS = [
    "arkivskaper",
    "arkiv",
    "arkivdel",
    "klassifikasjonssystem",
    "klasse",
    "saksmappe",
    "journalpost",
    "korrespondansepartenhet",
    "dokumentbeskrivelse",
    "dokumentobjekt",
]


@pytest.fixture
def session():
    """One HTTP session per test, closed after it so that the live server's thread for it (and its
    database connection) does not outlive the test; a refusal caught with pytest.raises holds the
    response in a reference cycle, hence the collection."""
    with requests.Session() as opened:
        yield opened
    gc.collect()


@pytest.fixture
def token(live_server, session) -> str:
    organisation = virksomheter.save_organisation(
        new_organisation(organisasjonsnummer=ORGANISATION, name_nb="Fjordvik kommune"), changed_by="test"
    )
    for scope in SCOPES.split():
        virksomheter.grant_scope(organisation, scope, granted_by="test")
    virksomheter.accept_terms(organisation, accepted_by="test")
    client = maskinporten.register_client(
        organisation, name="Sakssystem", scopes=SCOPES.split(), registered_by="test"
    )
    key = RSAKey.generate_key(2048, parameters={"kid": "sak-2026"})
    maskinporten.add_client_key(client, key.as_dict(private=False), added_by="test")
    issuer = MaskinportenClient(
        f"{live_server.url}/maskinporten/",
        Credentials(client.client_id, key, kid="sak-2026"),
        session=session,
    )
    return issuer.token(SCOPES).access_token


@pytest.fixture
def base_url(live_server) -> str:
    return f"{live_server.url}/api/noark5/"


@pytest.fixture
def noark5(base_url, token, session) -> n5.Noark5Client:
    return n5.Noark5Client(base_url, token, session=session)


@pytest.fixture
def walked(noark5) -> n5.Walk:
    return n5.walk(noark5, pdf(), title=TITLE)


def test_the_root_announces_the_areas_and_the_oauth2_login_to_anyone(base_url, session):
    """4: "Tilgang til hoved-URL for å liste opp innloggingsmekanismer krever ikke autentisering"."""
    anonymous = n5.Noark5Client(base_url, session=session)

    rels = anonymous.root().links

    assert {n5.ARKIVSTRUKTUR, n5.SAKARKIV, n5.METADATA, n5.ADMIN_SYSTEM} <= set(rels)
    login = anonymous.logins()[n5.LOGIN_OAUTH2]
    assert session.get(login, timeout=10).status_code == 200


def test_the_client_creates_every_level_from_arkivskaper_to_the_file(noark5, walked):
    assert [level for level, _resource in walked.created] == LEVELS
    system_ids = [resource.system_id for _level, resource in walked.created]
    assert len(set(system_ids)) == len(system_ids)
    assert walked.uploaded.system_id == walked["dokumentobjekt"].system_id
    assert walked.file_matches
    assert walked.sjekksum == hashlib.sha256(pdf()).hexdigest()
    saksmappe = Saksmappe.objects.get(system_id=walked["saksmappe"].system_id)
    assert saksmappe.tittel == TITLE
    assert Journalpost.objects.filter(system_id=walked["journalpost"].system_id, saksmappe=saksmappe).exists()
    stored = Dokumentobjekt.objects.get(system_id=walked["dokumentobjekt"].system_id)
    assert stored.sjekksum == walked.sjekksum


def test_each_created_object_is_found_under_its_parent(noark5, walked):
    """The list rels chapter 7 gives Klasse (mappe), Mappe (registrering), Registrering
    (korrespondansepart, dokumentbeskrivelse) and Dokumentbeskrivelse (dokumentobjekt)."""
    under = [
        ("klasse", n5.ARKIVSTRUKTUR + "mappe/", "saksmappe"),
        ("saksmappe", n5.ARKIVSTRUKTUR + "registrering/", "journalpost"),
        ("journalpost", n5.ARKIVSTRUKTUR + "korrespondansepart/", "korrespondansepartenhet"),
        ("journalpost", n5.ARKIVSTRUKTUR + "dokumentbeskrivelse/", "dokumentbeskrivelse"),
        ("dokumentbeskrivelse", n5.ARKIVSTRUKTUR + "dokumentobjekt/", "dokumentobjekt"),
    ]
    for parent, rel, child in under:
        page = noark5.find(walked[parent], rel)
        assert page.count == 1, (parent, rel)
        assert [found["systemID"] for found in page.results] == [walked[child].system_id], (parent, rel)


def test_a_patch_with_the_etag_changes_the_title_and_the_stale_etag_gets_409(noark5, walked):
    saksmappe = walked["saksmappe"]

    changed = noark5.update(saksmappe, {"tittel": "Søknad om bostøtte – endret"})

    assert changed.body["tittel"] == "Søknad om bostøtte – endret"
    assert noark5.read(saksmappe).etag not in (None, saksmappe.etag)
    with pytest.raises(n5.Noark5Error) as stale:
        noark5.update(saksmappe, {"tittel": "Overskrevet med gamle data"})
    assert stale.value.status == 409
    assert stale.value.feil["kode"] == 409 and "beskrivelse" in stale.value.feil
    assert Saksmappe.objects.get(system_id=saksmappe.system_id).tittel == "Søknad om bostøtte – endret"


def test_a_deleted_korrespondansepart_is_gone_from_its_journalpost(noark5, walked):
    """6 Slette objekter: DELETE on self answers 204; afterwards it is not found, in the error format."""
    korrespondansepart = walked["korrespondansepartenhet"]

    noark5.delete(korrespondansepart)

    assert noark5.find(walked["journalpost"], n5.ARKIVSTRUKTUR + "korrespondansepart/").count == 0
    with pytest.raises(n5.Noark5Error) as gone:
        noark5.read(korrespondansepart)
    assert gone.value.status == 404 and gone.value.feil["kode"] == 404


def test_a_filtered_list_counts_and_returns_only_the_matching_case(noark5, walked):
    noark5.create(walked["klasse"], n5.NY_SAKSMAPPE, {"tittel": "En annen sak"})
    sakarkiv = noark5.follow(noark5.root(), n5.SAKARKIV)

    page = noark5.find(
        sakarkiv, n5.SAKARKIV + "saksmappe/", {"$filter": f"tittel eq {n5.odata_string(TITLE)}", "$top": 1}
    )

    assert page.count == 1
    assert [found["systemID"] for found in page.results] == [walked["saksmappe"].system_id]


def test_a_malformed_filter_is_refused_with_400_in_the_error_format(noark5):
    """6: a list answers 400 to "ugyldig forespørsel", never the whole list as if unfiltered."""
    sakarkiv = noark5.follow(noark5.root(), n5.SAKARKIV)

    with pytest.raises(n5.Noark5Error) as refused:
        noark5.find(sakarkiv, n5.SAKARKIV + "saksmappe/", {"$filter": "tittel eq"})

    assert refused.value.status == 400
    assert refused.value.feil["kode"] == 400


def test_metadata_lists_the_code_lists_and_dokumenttype_has_kode_and_kodenavn(noark5):
    code_lists = noark5.metadata().links

    assert n5.DOKUMENTTYPE in code_lists and n5.METADATA + "journalposttype/" in code_lists
    values = noark5.code_list(n5.DOKUMENTTYPE)
    assert values and all(value.get("kode") and value.get("kodenavn") for value in values)
    journalposttyper = {value["kode"] for value in noark5.code_list(n5.METADATA + "journalposttype/")}
    assert {"I", "U", "N", "X"} <= journalposttyper


def test_admin_system_names_the_protocol_version(noark5):
    system = noark5.system().body

    assert system["protokollversjon"] == "1.1"
    assert isinstance(system.get("bulkgrense", 157286400), int)


def test_the_command_line_client_needs_only_the_base_url_and_a_token(base_url, token, tmp_path):
    document = tmp_path / "vedtak.pdf"
    document.write_bytes(pdf())

    def run(*command):
        return subprocess.run(
            [
                sys.executable,
                str(EXAMPLES / "noark5_client.py"),
                "--base-url",
                base_url,
                "--token",
                token,
                *command,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    root = run("root")
    walked = run("walk", "--file", str(document), "--title", TITLE)

    assert root.returncode == 0, root.stderr
    assert n5.LOGIN_OAUTH2 in json.loads(root.stdout)["login"]
    assert walked.returncode == 0, walked.stderr
    report = json.loads(walked.stdout)
    assert [step["level"] for step in report["created"]] == LEVELS
    assert report["file_matches"] is True
    assert Saksmappe.objects.filter(tittel=TITLE).count() == 1


# The client's own rules, without a server.


def test_a_template_is_filled_with_the_odata_parameters_it_offers():
    link = n5.Link(
        "https://n5.example.com/api/sakarkiv/saksmappe{?$filter&$orderby&$top&$skip&$search}", True
    )

    assert link.expand(
        {"$filter": f"tittel eq {n5.odata_string('Kari' + chr(39) + 's sak')}", "$top": 1}
    ) == (
        "https://n5.example.com/api/sakarkiv/saksmappe?$filter=tittel%20eq%20%27Kari%27%27s%20sak%27&$top=1"
    )
    assert link.expand() == "https://n5.example.com/api/sakarkiv/saksmappe"
    assert n5.Link("https://x/a?b=1{&$top,$skip}", True).expand({"$skip": 2}) == "https://x/a?b=1&$skip=2"
    with pytest.raises(n5.NotConformant):
        link.expand({"$expand": "merknad"})
    with pytest.raises(n5.NotConformant):
        n5.Link("https://n5.example.com/api/arkivstruktur/").expand({"$top": 1})


def test_links_are_read_keyed_by_rel_or_as_a_list_of_rel_and_href():
    keyed = {"_links": {n5.ARKIVSTRUKTUR: {"href": "https://n5/a"}, "self": {"href": "https://n5/"}}}
    listed = {
        "_links": [{"rel": n5.ARKIVSTRUKTUR, "href": "https://n5/a"}, {"rel": "self", "href": "https://n5/"}]
    }

    assert (
        n5.links_of(keyed)
        == n5.links_of(listed)
        == {
            n5.ARKIVSTRUKTUR: n5.Link("https://n5/a"),
            "self": n5.Link("https://n5/"),
        }
    )


def test_a_ny_rel_names_the_entity_it_creates():
    assert n5.entity_rel(n5.NY_SAKSMAPPE) == n5.SAKARKIV + "saksmappe/"
    assert n5.entity_rel(n5.NY_KORRESPONDANSEPARTENHET) == n5.ARKIVSTRUKTUR + "korrespondansepartenhet/"
    with pytest.raises(ValueError):
        n5.entity_rel(n5.FIL)
