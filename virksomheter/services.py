"""Organisations: registration, lookup, and the demo agencies."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.errors import DomainError
from core.phone import normalise_phone_number
from virksomheter.models import Organisation, validate_png


class VirksomheterError(DomainError):
    code = "virksomheter_error"


class OrganisationNotFound(VirksomheterError):
    code = "organisation_not_found"


def get_organisation(organisasjonsnummer: str) -> Organisation:
    try:
        return Organisation.objects.get(organisasjonsnummer=organisasjonsnummer.replace(" ", ""))
    except Organisation.DoesNotExist:
        raise OrganisationNotFound(
            _("No organisation with organisasjonsnummer %(number)s is registered.")
            % {"number": organisasjonsnummer}
        ) from None


def save_organisation(
    organisation: Organisation, *, changed_by: Any, request=None, logo_png: bytes | None = None
) -> Organisation:
    """Validate and store an organisation; the phone number is kept in E.164."""
    if organisation.phone:
        organisation.phone = normalise_phone_number(organisation.phone)
    # Check everything before a logo file is written, so refused input leaves no file behind.
    if logo_png is not None:
        try:
            validate_png(ContentFile(logo_png))
        except ValidationError as error:
            raise ValidationError({"logo": error.error_list}) from None
    organisation.full_clean(exclude=["logo"] if logo_png is not None else None)
    created = organisation.pk is None
    with transaction.atomic():
        if logo_png is not None:
            organisation.logo.save(
                f"{organisation.organisasjonsnummer}.png", ContentFile(logo_png), save=False
            )
        organisation.save()
        audit.record(
            "virksomheter.organisation_registered" if created else "virksomheter.organisation_changed",
            actor=changed_by,
            request=request,
            obj=organisation,
            object_id=organisation.organisasjonsnummer,
        )
    return organisation
