"""Migration 0006 renames stored scope grants to the real names, keeping one grant where an
organisation somehow held both names, and back again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("virksomheter", "0005_signing_scope")]
AFTER = [("virksomheter", "0006_real_scope_names")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def back_to_the_newest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def scopes(apps, organisation_id):
    grants = apps.get_model("virksomheter", "ScopeGrant").objects.filter(organisation_id=organisation_id)
    return sorted(grants.values_list("scope", flat=True))


@pytest.mark.django_db(transaction=True)
def test_old_names_become_real_names_and_back():
    apps = migrate(BEFORE)
    organisation = apps.get_model("virksomheter", "Organisation").objects.create(
        organisasjonsnummer="974312344", name_nb="Velferdsetaten", kind="state_agency"
    )
    ScopeGrant = apps.get_model("virksomheter", "ScopeGrant")
    for scope in ("krr:kontaktinformasjon", "noark5:arkiv.les", "digitalpostinnbygger:send"):
        ScopeGrant.objects.create(organisation=organisation, scope=scope)
    ScopeGrant.objects.create(organisation=organisation, scope="krr:global/kontaktinformasjon.read")
    apps = migrate(AFTER)
    assert scopes(apps, organisation.pk) == [
        "digitalpostinnbygger:send",
        "felles:noark5/arkiv.read",
        "krr:global/kontaktinformasjon.read",
    ]
    apps = migrate(BEFORE)
    assert scopes(apps, organisation.pk) == [
        "digitalpostinnbygger:send",
        "krr:kontaktinformasjon",
        "noark5:arkiv.les",
    ]
