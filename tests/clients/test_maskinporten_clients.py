"""Felles driven over HTTP by a client that knows nothing of it but its base URLs: examples/
maskinporten_client.py and krr_client.py, written only from Digdir's documentation (no maintained
Maskinporten client on PyPI or npm fits: see the README). The set-up registers clients, keys,
certificates and delegations through Felles' services, as an administrator would in the admin;
from there on everything goes over the wire, as from an agency's machine."""

import gc
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import requests
from django.core.management import call_command
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from folkeregister.models import Person
from folkeregister.seeding import seed_population
from kontaktregister.models import ContactRecord
from kontaktregister.seeding import seed_contact_register
from maskinporten import services as maskinporten
from maskinporten.demo import demo_client_id
from maskinporten.models import Client
from tests.folkeregister.factories import make_person
from tests.virksomheter import pki
from tests.virksomheter.factories import new_organisation
from virksomheter import services as virksomheter
from virksomheter.demo import seed_demo_organisations
from virksomheter.models import Organisation

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
sys.path.insert(0, str(EXAMPLES))
import krr_client  # noqa: E402
from maskinporten_client import (  # noqa: E402
    Credentials,
    MaskinportenClient,
    MaskinportenError,
    make_grant,
    request_token,
)

pytestmark = pytest.mark.django_db(transaction=True)

KRR_SCOPE = krr_client.KONTAKTINFORMASJON
# kontaktregister's JSON Schema of the answer, written from Digdir's documentation and DTOs (it names them).
KRR_SCHEMA = json.loads((EXAMPLES.parent / "kontaktregister/api/schema/personer-v2.schema.json").read_text())
SUPPLIER = "974312344"  # Velferdsetaten, whose machine the client is
CUSTOMER = "964201013"  # another agency that may delegate its KRR lookups to the supplier


def _organisation(number: str, name: str):
    organisation = virksomheter.save_organisation(
        new_organisation(organisasjonsnummer=number, name_nb=name), changed_by="test"
    )
    virksomheter.grant_scope(organisation, KRR_SCOPE, granted_by="test")
    virksomheter.accept_terms(organisation, accepted_by="test")
    return organisation


@pytest.fixture
def supplier():
    return _organisation(SUPPLIER, "Velferdsetaten")


@pytest.fixture
def customer():
    return _organisation(CUSTOMER, "Lånefondet")


@pytest.fixture
def issuer(live_server) -> str:
    return f"{live_server.url}/maskinporten/"


@pytest.fixture
def connect(issuer):
    """A client at Felles' issuer. Its HTTP connection is closed after the test, so that the live
    server's thread for it (and that thread's database connection) does not outlive the test; a
    refusal caught with pytest.raises holds the response in a reference cycle, hence the collection."""
    with requests.Session() as session:
        yield lambda credentials: MaskinportenClient(issuer, credentials, session=session)
    gc.collect()


@pytest.fixture
def with_kid(supplier) -> Credentials:
    """A client registered with its own RSA key, as Samarbeidsportalen's "egen nøkkel"."""
    client = maskinporten.register_client(
        supplier, name="Saksbehandling (nøkkel)", scopes=[KRR_SCOPE], registered_by="test"
    )
    key = RSAKey.generate_key(2048, parameters={"kid": "velferd-2026"})
    maskinporten.add_client_key(client, key.as_dict(private=False), added_by="test")
    return Credentials(client.client_id, key, kid="velferd-2026")


@pytest.fixture
def with_ec_kid(supplier) -> Credentials:
    """A client registered with a P-256 key: its grants are signed ES256."""
    client = maskinporten.register_client(
        supplier, name="Saksbehandling (EC-nøkkel)", scopes=[KRR_SCOPE], registered_by="test"
    )
    key = ECKey.generate_key("P-256", parameters={"kid": "velferd-ec-2026"})
    maskinporten.add_client_key(client, key.as_dict(private=False), added_by="test")
    return Credentials(client.client_id, key, kid="velferd-ec-2026")


@pytest.fixture
def with_certificate(supplier) -> Credentials:
    """A client that authenticates with the organisation's enterprise certificate (x5c)."""
    client = maskinporten.register_client(
        supplier, name="Saksbehandling (sertifikat)", scopes=[KRR_SCOPE], registered_by="test"
    )
    root = pki.make_ca()
    pki.trust(root)
    intermediate = pki.make_intermediate(root)
    leaf = pki.make_leaf(intermediate, SUPPLIER)
    return Credentials(
        client.client_id,
        RSAKey.import_key(leaf.key_pem),
        certificate_chain=(leaf.certificate, intermediate.certificate),
    )


@pytest.fixture(params=["with_kid", "with_ec_kid", "with_certificate"])
def credentials(request) -> Credentials:
    return request.getfixturevalue(request.param)


def token_claims(client: MaskinportenClient, access_token: str) -> dict:
    """The access token verified against the keys the issuer's metadata points to."""
    keys = KeySet.import_key_set(requests.get(client.metadata.jwks_uri, timeout=10).json())
    token = jwt.decode(access_token, keys, algorithms=["RS256", "ES256"])
    assert token.header["typ"] == "at+jwt"
    return token.claims


def run_krr_client(issuer: str, krr: str, client_id: str, key_options: list[str], number: str):
    return subprocess.run(
        [sys.executable, str(EXAMPLES / "krr_client.py"), "--issuer", issuer, "--krr", krr]
        + ["--client-id", client_id, *key_options, number],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def seeded_numbers() -> list[str]:
    seed_population(1000, seed=15)
    seed_contact_register(seed=15)
    return list(Person.objects.order_by("?").values_list("identity_number", flat=True)[:1000])


def test_metadata_names_the_issuer_and_its_token_endpoint(connect, issuer, with_kid):
    client = connect(with_kid)
    assert client.metadata.issuer == issuer
    assert client.metadata.token_endpoint == f"{issuer}token"
    assert client.metadata.jwks_uri


def test_client_gets_a_token_and_looks_up_1000_persons(connect, issuer, live_server, credentials):
    numbers = seeded_numbers()
    client = connect(credentials)

    token = client.token(KRR_SCOPE)
    persons = krr_client.look_up(
        client.session, live_server.url, token.access_token, numbers, include_unregistered=True
    )

    assert token.token_type == "Bearer" and token.scope == KRR_SCOPE and 0 < token.expires_in <= 120
    claims = token_claims(client, token.access_token)
    assert claims["iss"] == issuer and claims["client_id"] == credentials.client_id
    assert claims["client_amr"] == ("private_key_jwt" if credentials.kid else "virksomhetssertifikat")
    assert claims["consumer"] == {"authority": "iso6523-actorid-upis", "ID": f"0192:{SUPPLIER}"}
    assert "supplier" not in claims
    jsonschema.validate({"personer": persons}, KRR_SCHEMA)
    assert sorted(person["personidentifikator"] for person in persons) == sorted(numbers)
    registered = {
        record.person.identity_number: record
        for record in ContactRecord.objects.select_related("person").filter(
            person__identity_number__in=numbers
        )
    }
    assert 0 < len(registered) < 1000
    for person in persons:
        record = registered.get(person["personidentifikator"])
        if record is None:
            assert person["status"] == "IKKE_REGISTRERT" and "kontaktinformasjon" not in person
        else:
            assert person["status"] == "AKTIV"
            assert person["reservasjon"] == ("JA" if record.reserved else "NEI")
            contact = person.get("kontaktinformasjon", {})
            assert contact.get("mobiltelefonnummer") == (record.mobile or None)
            assert contact.get("epostadresse") == (record.email or None)


def test_a_grant_is_used_once(connect, with_kid):
    """A replayed grant is refused (jti), as maskinporten_protocol_jwtgrant says."""
    client = connect(with_kid)
    grant = make_grant(client.metadata, with_kid, KRR_SCOPE)
    request_token(client.session, client.metadata, grant)
    with pytest.raises(MaskinportenError) as refused:
        request_token(client.session, client.metadata, grant)
    assert refused.value.status == 400 and refused.value.error == "invalid_grant"


def test_consumer_org_without_a_delegation_is_refused(connect, credentials, customer):
    client = connect(credentials)
    with pytest.raises(MaskinportenError) as refused:
        client.token(KRR_SCOPE, consumer_org=CUSTOMER)
    assert refused.value.status == 400 and refused.value.error == "invalid_grant"


def test_consumer_org_with_a_delegation_names_the_customer_as_consumer(
    connect, live_server, credentials, customer, supplier
):
    maskinporten.delegate_scope(customer=customer, supplier=supplier, scope=KRR_SCOPE, granted_by="test")
    client = connect(credentials)

    token = client.token(KRR_SCOPE, consumer_org=CUSTOMER)

    claims = token_claims(client, token.access_token)
    assert claims["consumer"] == {"authority": "iso6523-actorid-upis", "ID": f"0192:{CUSTOMER}"}
    assert claims["supplier"] == {"authority": "iso6523-actorid-upis", "ID": f"0192:{SUPPLIER}"}
    record = ContactRecord.objects.create(person=make_person(), mobile="+4791234567")
    persons = krr_client.look_up(
        client.session, live_server.url, token.access_token, [record.person.identity_number]
    )
    assert persons[0]["kontaktinformasjon"]["mobiltelefonnummer"] == "+4791234567"


@pytest.mark.parametrize("kind", ["kid", "x5c"])
def test_the_command_line_client_needs_only_the_base_urls(issuer, live_server, supplier, tmp_path, kind):
    """examples/krr_client.py as an agency runs it: key files, a client_id and two URLs."""
    client = maskinporten.register_client(
        supplier, name="Kommandolinje", scopes=[KRR_SCOPE], registered_by="test"
    )
    if kind == "kid":
        key = RSAKey.generate_key(2048, parameters={"kid": "cli-2026"})
        maskinporten.add_client_key(client, key.as_dict(private=False), added_by="test")
        (tmp_path / "key.json").write_text(json.dumps(key.as_dict(private=True)))
        key_options = ["--key", str(tmp_path / "key.json")]
    else:
        root = pki.make_ca()
        pki.trust(root)
        leaf = pki.make_leaf(root, SUPPLIER)
        (tmp_path / "key.pem").write_text(leaf.key_pem)
        (tmp_path / "certificate.pem").write_text(leaf.pem)
        key_options = ["--key", str(tmp_path / "key.pem"), "--certificate", str(tmp_path / "certificate.pem")]
    record = ContactRecord.objects.create(person=make_person(), email="kari@example.no")

    finished = run_krr_client(
        issuer, live_server.url, client.client_id, key_options, record.person.identity_number
    )

    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)[0]["kontaktinformasjon"]["epostadresse"] == "kari@example.no"


@pytest.fixture
def revocation_checked_at_once(settings):
    settings.MASKINPORTEN_REVOCATION_CHECK_SECONDS = 0


def test_a_token_stops_working_at_krr_when_its_key_is_revoked(
    connect, live_server, with_kid, revocation_checked_at_once
):
    record = ContactRecord.objects.create(person=make_person(), mobile="+4791234567")
    client = connect(with_kid)
    token = client.token(KRR_SCOPE).access_token
    assert krr_client.look_up(client.session, live_server.url, token, [record.person.identity_number])

    registered = Client.objects.get(client_id=with_kid.client_id)
    maskinporten.revoke_client_key(registered, with_kid.kid, revoked_by="test")

    with pytest.raises(krr_client.KrrError) as refused:
        krr_client.look_up(client.session, live_server.url, token, [record.person.identity_number])
    assert refused.value.status == 401
    with pytest.raises(MaskinportenError) as no_new_token:
        client.token(KRR_SCOPE)
    assert no_new_token.value.error == "invalid_grant"


def test_a_delegated_token_stops_working_when_the_customer_revokes_the_delegation(
    connect, live_server, credentials, customer, supplier, revocation_checked_at_once
):
    delegation = maskinporten.delegate_scope(
        customer=customer, supplier=supplier, scope=KRR_SCOPE, granted_by="test"
    )
    record = ContactRecord.objects.create(person=make_person(), mobile="+4791234567")
    client = connect(credentials)
    token = client.token(KRR_SCOPE, consumer_org=CUSTOMER).access_token
    assert krr_client.look_up(client.session, live_server.url, token, [record.person.identity_number])

    maskinporten.revoke_delegation(delegation, revoked_by="test")

    with pytest.raises(krr_client.KrrError) as refused:
        krr_client.look_up(client.session, live_server.url, token, [record.person.identity_number])
    assert refused.value.status == 401
    with pytest.raises(MaskinportenError) as no_new_token:
        client.token(KRR_SCOPE, consumer_org=CUSTOMER)
    assert no_new_token.value.error == "invalid_grant"


def test_the_readme_commands_work_on_the_demo_data(issuer, live_server, settings, tmp_path):
    """The README's commands after `make demo`: Velferdsetaten's demo client with its private JWK
    (kid) and with the demo enterprise certificate (x5c)."""
    settings.DEBUG = True  # the demo certificates are made in development only
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo_organisations()
    call_command("seed_demo_certificates", verbosity=0)
    call_command("seed_demo_maskinporten_clients", verbosity=0)
    folder = tmp_path / "demo-certificates"
    client_id = demo_client_id(Organisation.objects.get(organisasjonsnummer=SUPPLIER))
    assert f"--client-id {client_id}" in (EXAMPLES.parent / "README.md").read_text()
    record = ContactRecord.objects.create(person=make_person(), mobile="+4791234567")

    for key_options in (
        ["--key", str(folder / f"{SUPPLIER}-client.jwk.json")],
        ["--key", str(folder / f"{SUPPLIER}.key"), "--certificate", str(folder / f"{SUPPLIER}.pem")],
    ):
        finished = run_krr_client(
            issuer, live_server.url, client_id, key_options, record.person.identity_number
        )
        assert finished.returncode == 0, finished.stderr
        assert json.loads(finished.stdout)[0]["kontaktinformasjon"]["mobiltelefonnummer"] == "+4791234567"
