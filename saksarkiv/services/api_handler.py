"""The system case handler a machine acts as for its organisation in the agency API."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from saksarkiv.models import Saksbehandler
from saksarkiv.services.errors import InvalidInput
from virksomheter.models import Organisation

SYSTEM_INITIALS = "API"


def system_username(organisation: Organisation) -> str:
    return f"api-{organisation.organisasjonsnummer}"


def system_handler(organisation: Organisation) -> Saksbehandler:
    """The organisation's case handler for machine callers: a user who cannot log in, made on first use."""
    username = system_username(organisation)
    found = (
        Saksbehandler.objects.select_related("organisation", "user")
        .filter(user__username=username, organisation=organisation)
        .first()
    )
    if found is not None:
        return found
    with transaction.atomic():
        user, _created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "password": make_password(None),
                "is_staff": False,
                "first_name": organisation.name_nb[:150],
            },
        )
        handler, _created = Saksbehandler.objects.get_or_create(
            user=user, defaults={"organisation": organisation, "initialer": SYSTEM_INITIALS}
        )
    if handler.organisation_id != organisation.pk:
        raise InvalidInput(
            _("The user %(username)s is registered for another organisation.") % {"username": username}
        )
    return handler
