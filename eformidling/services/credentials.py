"""The case systems' HTTP Basic credentials: made or changed with a new password, stored as a hash,
and each change on the audit trail without the password."""

from typing import Any

from django.db import transaction

from core import audit
from eformidling.models import Credential
from virksomheter.models import Organisation


def set_credential(
    organisation: Organisation, username: str, password: str, *, changed_by: Any, request=None
) -> Credential:
    """The active credential `username` of `organisation` with `password`, made if it does not exist;
    an existing one is moved to the organisation, activated and given the password."""
    with transaction.atomic():
        credential = Credential.objects.select_for_update().filter(username=username).first()
        created = credential is None
        if created:
            credential = Credential(username=username)
        credential.organisation = organisation
        credential.active = True
        credential.set_password(password)
        credential.save()
        audit.record(
            "eformidling.credential_created" if created else "eformidling.credential_changed",
            actor=changed_by,
            request=request,
            obj=credential,
            details={
                "organisation": organisation.organisasjonsnummer,
                "username": username,
                "password_changed": True,
                "active": True,
            },
        )
    return credential
