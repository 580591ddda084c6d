"""The audit trail: the one way to record a security event.

Identity numbers are kept in full here (the audit trail is where an inspector
must be able to see who looked at whom); everywhere else they are masked.
"""

from typing import Any

from django.db import models

from core.models import AuditEvent
from core.net import client_address

Outcome = AuditEvent.Outcome


def record(
    action: str,
    *,
    actor: Any = None,
    request=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    outcome: str = Outcome.SUCCESS,
    details: dict | None = None,
) -> AuditEvent:
    """Append one event. `actor` is a user, or a string naming a system or organisation;
    without one the request's user is taken."""
    user = None
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if hasattr(actor, "get_username"):
        user, actor_name = actor, actor.get_username()
    else:
        actor_name = str(actor) if actor else "anonymous"
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEvent.objects.create(
        actor=actor_name[:200],
        actor_user=user,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        outcome=outcome,
        ip_address=client_address(request),
        user_agent=request.headers.get("User-Agent", "")[:500] if request is not None else "",
        details=details or {},
    )


def record_many(action: str, *, actor: str, object_type: str, events: list[tuple[str, dict]]) -> None:
    """Append one event per (object id, details) in one insert, for work done in bulk by a system
    or organisation (such as a mass dispatch): the same trail as `record`, row for row."""
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor[:200],
                action=action,
                object_type=object_type,
                object_id=str(object_id),
                outcome=Outcome.SUCCESS,
                details=details,
            )
            for object_id, details in events
        ],
        batch_size=1000,
    )


def events_about(object_type: str, object_id: str):
    """Events about one object, newest first (for example a citizen's own log)."""
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id)
