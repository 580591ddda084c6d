import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from core import audit
from core.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def test_record_keeps_actor_request_and_object(django_user_model):
    user = django_user_model.objects.create_user("saksbehandler")
    request = RequestFactory().get("/", HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="192.0.2.10")
    request.user = user

    event = audit.record("folkeregister.lookup", request=request, obj=user, details={"why": "test"})

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == "saksbehandler"
    assert stored.actor_user == user
    assert stored.ip_address == "192.0.2.10"
    assert stored.user_agent == "Firefox/140"
    assert stored.object_type == "auth.user"
    assert stored.object_id == str(user.pk)
    assert stored.outcome == "success"
    assert stored.details == {"why": "test"}


def test_actor_can_be_a_system_name():
    event = audit.record("demo.seed", actor="demo-seed", outcome=audit.Outcome.FAILURE)
    assert (event.actor, event.actor_user, event.outcome) == ("demo-seed", None, "failure")


def test_events_cannot_be_changed_or_deleted_through_the_orm():
    event = audit.record("x.y", actor="system")
    event.action = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "x.y"


def test_the_database_refuses_to_rewrite_an_event():
    event = audit.record("x.y", actor="system")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = %s WHERE id = %s", ["rewritten", event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "x.y"


def test_admin_shows_the_trail_read_only(admin_client):
    event = audit.record("folkeregister.protected_person_lookup", actor="Velferdsetaten")
    listing = admin_client.get("/admin/core/auditevent/")
    assert listing.status_code == 200
    assert "Velferdsetaten" in listing.content.decode()
    assert admin_client.get("/admin/core/auditevent/add/").status_code == 403
    response = admin_client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
