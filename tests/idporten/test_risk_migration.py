"""Migration 0004 carries each client's newest risk assessment over from the audit trail, where the
admin kept it until the ratings became the client's own columns."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("idporten", "0003_delete_tokenrequestcount")]
AFTER = [("idporten", "0004_client_risk_assessment")]
KEYS = (
    "life_and_health",
    "economic_loss",
    "reputation",
    "hindrance_of_prosecution",
    "contribution_to_crime",
    "nuisance",
)


AUDIT = ("core", "0002_throttlecounter")


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([*targets, AUDIT]).apps


@pytest.fixture(autouse=True)
def back_to_the_newest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_newest_assessment_in_the_audit_trail_is_stored_on_the_client():
    apps = migrate(BEFORE)
    organisation = apps.get_model("virksomheter", "Organisation").objects.create(
        organisasjonsnummer="974312344", name_nb="Velferdsetaten", kind="state_agency"
    )
    Client = apps.get_model("idporten", "Client")
    assessed = Client.objects.create(
        client_id="assessed", organisation=organisation, name="A", redirect_uris=[], scopes=[]
    )
    Client.objects.create(client_id="never", organisation=organisation, name="B", redirect_uris=[], scopes=[])
    AuditEvent = apps.get_model("core", "AuditEvent")
    for ratings in ({key: 4 for key in KEYS}, {key: 2 for key in KEYS} | {"nuisance": 3}):
        AuditEvent.objects.create(
            actor="admin",
            action="idporten.client_risk_assessed",
            object_type="idporten.client",
            object_id=assessed.client_id,
            outcome="success",
            details={"assessment": ratings, "minimum_level": "idporten-loa-substantial"},
        )

    apps = migrate(AFTER)

    Client = apps.get_model("idporten", "Client")
    assessed = Client.objects.get(client_id="assessed")
    assert assessed.risk_economic_loss == 2
    assert assessed.risk_nuisance == 3
    never = Client.objects.get(client_id="never")
    assert never.risk_economic_loss is None
