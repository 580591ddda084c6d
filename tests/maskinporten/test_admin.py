"""The operator registers clients, keys and delegations in the admin, through the services."""

import json

import pytest
from django.urls import reverse

from core.models import AuditEvent
from maskinporten.models import Client, Delegation
from tests.maskinporten import factories
from tests.maskinporten.factories import KeyPair

pytestmark = pytest.mark.django_db

KONTAKT = "krr:global/kontaktinformasjon.read"
# The keys inline's management form, as the admin page sends it.
KEYS_INLINE = {
    "keys-TOTAL_FORMS": "0",
    "keys-INITIAL_FORMS": "0",
    "keys-MIN_NUM_FORMS": "0",
    "keys-MAX_NUM_FORMS": "1000",
}


@pytest.fixture
def agency():
    return factories.organisation(scopes=[KONTAKT])


def test_operator_registers_a_client_with_a_key(admin_client, agency):
    key = KeyPair()
    response = admin_client.post(
        reverse("admin:maskinporten_client_add"),
        {"organisation": agency.pk, "name": "Fagsystem", "scopes": [KONTAKT], "active": "on",
         "public_jwk": json.dumps(key.public_jwk), **KEYS_INLINE},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    client = Client.objects.get()
    assert client.scopes == [KONTAKT] and client.keys.get().kid == key.kid
    assert AuditEvent.objects.filter(action="maskinporten.client_registered").exists()
    assert AuditEvent.objects.filter(action="maskinporten.key_added").exists()
    page = admin_client.get(reverse("admin:maskinporten_client_change", args=[client.pk]))
    assert client.client_id in page.content.decode()


def test_a_scope_the_organisation_lacks_or_a_private_key_is_a_form_error(admin_client, agency):
    response = admin_client.post(
        reverse("admin:maskinporten_client_add"),
        {"organisation": agency.pk, "name": "F", "scopes": ["digitalpostinnbygger:send"], "active": "on",
         "public_jwk": json.dumps(KeyPair().private_jwk), **KEYS_INLINE},
    )  # fmt: skip
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "scopes" in errors and "public_jwk" in errors
    assert not Client.objects.exists()


def test_operator_revokes_keys_with_an_action(admin_client, agency):
    key = KeyPair()
    client = factories.client(agency, keys=[key])
    admin_client.post(
        reverse("admin:maskinporten_client_changelist"),
        {"action": "revoke_keys", "_selected_action": [client.pk]},
    )
    assert client.keys.get().revoked_at is not None


def test_delegation_is_granted_and_revoked_in_the_admin(admin_client, agency):
    supplier = factories.organisation("923609016", scopes=[], name="Leverandør")
    response = admin_client.post(
        reverse("admin:maskinporten_delegation_add"),
        {"customer": agency.pk, "supplier": supplier.pk, "scope": KONTAKT},
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert delegation.granted_by == "admin"
    admin_client.post(
        reverse("admin:maskinporten_delegation_changelist"),
        {"action": "revoke", "_selected_action": [delegation.pk]},
    )
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


def test_delegating_a_scope_the_customer_lacks_is_a_form_error(admin_client, agency):
    supplier = factories.organisation("923609016", scopes=[], name="Leverandør")
    response = admin_client.post(
        reverse("admin:maskinporten_delegation_add"),
        {"customer": supplier.pk, "supplier": agency.pk, "scope": KONTAKT},
    )
    assert response.status_code == 200 and not Delegation.objects.exists()


@pytest.mark.parametrize("text", ["[" * 100_000, json.dumps({"kid": "k", "x": "a" * 20_000})])
def test_a_deeply_nested_or_huge_public_key_is_a_form_error(admin_client, agency, text):
    response = admin_client.post(
        reverse("admin:maskinporten_client_add"),
        {"organisation": agency.pk, "name": "F", "scopes": [KONTAKT], "active": "on", "public_jwk": text,
         **KEYS_INLINE},
    )  # fmt: skip
    assert response.status_code == 200
    assert "public_jwk" in response.context["adminform"].form.errors
    assert not Client.objects.exists()


def test_delegating_the_same_scope_twice_is_a_form_error(admin_client, agency):
    supplier = factories.organisation("923609016", scopes=[], name="Leverandør")
    form = {"customer": agency.pk, "supplier": supplier.pk, "scope": KONTAKT}
    assert admin_client.post(reverse("admin:maskinporten_delegation_add"), form).status_code == 302
    response = admin_client.post(reverse("admin:maskinporten_delegation_add"), form)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert Delegation.objects.count() == 1


def test_operator_renames_a_client(admin_client, agency):
    client = factories.client(agency)
    response = admin_client.post(
        reverse("admin:maskinporten_client_change", args=[client.pk]),
        {"name": "Nytt fagsystem", "scopes": [KONTAKT], "active": "on", "public_jwk": "", **KEYS_INLINE},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.refresh_from_db()
    assert client.name == "Nytt fagsystem"
    changed = AuditEvent.objects.get(action="maskinporten.client_changed")
    assert changed.details == {"name": ["Fagsystem", "Nytt fagsystem"]}
