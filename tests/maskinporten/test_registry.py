"""The client registry, keys and delegation as services, and the metadata Maskinporten publishes."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from core.models import AuditEvent
from maskinporten import services
from tests.maskinporten import factories
from tests.maskinporten.factories import KeyPair
from virksomheter.services import canonical_scope

pytestmark = pytest.mark.django_db

KONTAKT = "krr:global/kontaktinformasjon.read"


@pytest.fixture
def agency():
    return factories.organisation(scopes=[KONTAKT])


def test_a_client_gets_a_uuid_and_real_scope_names(agency):
    client = services.register_client(
        agency, name="Fagsystem", scopes=["krr:kontaktinformasjon"], registered_by="x"
    )
    assert uuid.UUID(client.client_id).version == 4 and client.scopes == [KONTAKT] and client.active
    event = AuditEvent.objects.get(action="maskinporten.client_registered")
    assert event.object_id == client.client_id and event.details["scopes"] == [KONTAKT]


def test_a_client_only_gets_scopes_its_organisation_was_granted(agency):
    with pytest.raises(services.ScopeNotGranted):
        services.register_client(agency, name="F", scopes=["digitalpostinnbygger:send"], registered_by="x")


def test_a_client_id_is_unique(agency):
    services.register_client(agency, name="F", scopes=[], registered_by="x", client_id="abc")
    with pytest.raises(services.MaskinportenError):
        services.register_client(agency, name="G", scopes=[], registered_by="x", client_id="abc")


def test_a_key_expires_at_most_a_year_after_it_is_added(agency):
    client = factories.client(agency)
    key = services.add_client_key(
        client, KeyPair().public_jwk, added_by="x", expires_at=timezone.now() + timedelta(days=800)
    )
    assert key.expires_at - key.added_at <= timedelta(days=365)
    assert AuditEvent.objects.get(action="maskinporten.key_added").details["kid"] == key.kid


def test_a_private_jwk_is_refused(agency):
    with translation.override("en"), pytest.raises(services.KeyRefused, match="private"):
        services.add_client_key(factories.client(agency), KeyPair().private_jwk, added_by="x")


def test_a_short_rsa_key_is_refused(agency):
    with pytest.raises(services.KeyRefused):
        services.add_client_key(factories.client(agency), KeyPair(bits=1024).public_jwk, added_by="x")


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
        {"kty": "oct", "kid": "a", "k": "c2VjcmV0"},
        {"kty": "EC", "kid": "a", "crv": "P-384", "x": "AA", "y": "AA"},
        {"kty": "RSA", "kid": "a", "n": "!!", "e": "AQAB"},
        "not a dict",
        {"kty": "RSA", "kid": "x" * 300},
    ],
)
def test_unusable_keys_are_refused(agency, jwk):
    with pytest.raises(services.KeyRefused):
        services.add_client_key(factories.client(agency), jwk, added_by="x")


def test_a_kid_is_registered_once_per_client(agency):
    client = factories.client(agency)
    key = KeyPair()
    services.add_client_key(client, key.public_jwk, added_by="x")
    with pytest.raises(services.KeyRefused):
        services.add_client_key(client, key.public_jwk, added_by="x")


def test_revoking_a_key_is_audited(agency):
    key = KeyPair()
    client = factories.client(agency, keys=[key])
    services.revoke_client_key(client, key.kid, revoked_by="x")
    assert client.keys.get().revoked_at is not None
    assert AuditEvent.objects.get(action="maskinporten.key_revoked").details == {"kid": key.kid}
    with pytest.raises(services.KeyRefused):
        services.revoke_client_key(client, key.kid, revoked_by="x")


def test_delegation_needs_the_customers_grant_and_another_supplier(agency):
    supplier = factories.organisation("923609016", scopes=[], name="Leverandør")
    with pytest.raises(services.DelegationRefused):
        services.delegate_scope(customer=supplier, supplier=agency, scope=KONTAKT, granted_by="x")
    with pytest.raises(services.DelegationRefused):
        services.delegate_scope(customer=agency, supplier=agency, scope=KONTAKT, granted_by="x")
    delegation = services.delegate_scope(
        customer=agency, supplier=supplier, scope="krr:kontaktinformasjon", granted_by="x"
    )
    assert delegation.scope == KONTAKT
    with pytest.raises(services.DelegationRefused):
        services.delegate_scope(customer=agency, supplier=supplier, scope=KONTAKT, granted_by="x")
    services.revoke_delegation(delegation, revoked_by="y")
    actions = list(
        AuditEvent.objects.filter(action__startswith="maskinporten.delegation")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["maskinporten.delegation_granted", "maskinporten.delegation_revoked"]


@pytest.mark.parametrize(
    ("old", "real"),
    [
        ("krr:kontaktinformasjon", "krr:global/kontaktinformasjon.read"),
        ("krr:digitalpost", "krr:global/digitalpost.read"),
        ("noark5:arkiv.les", "felles:noark5/arkiv.read"),
        ("noark5:arkiv.skriv", "felles:noark5/arkiv.write"),
        ("signering:oppdrag", "felles:signering/oppdrag"),
        ("digitalpostinnbygger:send", "digitalpostinnbygger:send"),
        ("skatt:inntekt", "skatt:inntekt"),
    ],
)
def test_canonical_scope(old, real):
    assert canonical_scope(old) == real


# Metadata and keys


EXPECTED_METADATA = {
    "issuer": "http://testserver/maskinporten/",
    "token_endpoint": "http://testserver/maskinporten/token",
    "jwks_uri": "http://testserver/maskinporten/jwk",
    "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    "grant_types_supported": ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
    "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "RS512", "ES256"],
}


@pytest.mark.parametrize(
    "url",
    [
        "/maskinporten/.well-known/oauth-authorization-server",
        "/.well-known/oauth-authorization-server/maskinporten/",
    ],
)
def test_rfc8414_metadata_at_both_paths(client, url):
    assert client.get(url).json() == EXPECTED_METADATA


def test_configured_issuer_is_used(client, settings):
    settings.MASKINPORTEN_ISSUER = "https://felles.example.no/maskinporten"
    assert client.get("/maskinporten/.well-known/oauth-authorization-server").json()["token_endpoint"] == (
        "https://felles.example.no/maskinporten/token"
    )


def test_jwk_lists_the_signing_keys(client):
    keys = client.get("/maskinporten/jwk").json()["keys"]
    assert {key["alg"] for key in keys} >= {"RS256"} and all("d" not in key for key in keys)


def test_renaming_a_client_is_audited_and_leaves_the_rest(agency):
    client = factories.client(agency)
    services.change_client(client, name="Nytt navn", scopes=client.scopes, active=True, changed_by="x")
    client.refresh_from_db()
    assert client.name == "Nytt navn" and client.active
    assert AuditEvent.objects.get(action="maskinporten.client_changed").details == {
        "name": ["Fagsystem", "Nytt navn"]
    }


@pytest.mark.parametrize("name", ["", "x" * 201])
def test_a_client_name_of_the_wrong_length_is_refused(agency, name):
    client = factories.client(agency)
    with pytest.raises(services.MaskinportenError):
        services.change_client(client, name=name, scopes=client.scopes, active=True, changed_by="x")
    client.refresh_from_db()
    assert client.name == "Fagsystem"
