"""Organisations: registration, lookup, and the demo agencies."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, housekeeping
from core.errors import DomainError
from core.phone import normalise_phone_number
from virksomheter.models import (
    CURRENT_TERMS_VERSION,
    Organisation,
    ScopeGrant,
    TermsAcceptance,
    UsedGrantJti,
    validate_png,
)


class VirksomheterError(DomainError):
    code = "virksomheter_error"


class OrganisationNotFound(VirksomheterError):
    code = "organisation_not_found"


class ScopeRefused(VirksomheterError):
    code = "scope_refused"


class TermsNotAccepted(ScopeRefused):
    code = "terms_not_accepted"


class GrantReplayed(VirksomheterError):
    code = "grant_replayed"


def get_organisation(organisasjonsnummer: str) -> Organisation:
    try:
        return Organisation.objects.get(organisasjonsnummer=organisasjonsnummer.replace(" ", ""))
    except Organisation.DoesNotExist:
        raise OrganisationNotFound(
            _("No organisation with organisasjonsnummer %(number)s is registered.")
            % {"number": organisasjonsnummer}
        ) from None


def operator_organisation() -> Organisation:
    """The organisation running this installation (settings.FELLES_OPERATOR), registered on first use."""
    number = settings.FELLES_OPERATOR["organisasjonsnummer"]
    organisation = Organisation.objects.filter(organisasjonsnummer=number).first()
    if organisation is None:
        organisation = save_organisation(
            Organisation(
                organisasjonsnummer=number,
                name_nb=settings.FELLES_OPERATOR["name"],
                kind=Organisation.Kind.STATE_AGENCY,
            ),
            changed_by="felles",
        )
    return organisation


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


def grant_scope(organisation: Organisation, scope: str, *, granted_by: Any) -> ScopeGrant:
    with transaction.atomic():
        grant, created = ScopeGrant.objects.get_or_create(organisation=organisation, scope=scope)
        if created:
            audit.record(
                "virksomheter.scope_granted",
                actor=granted_by,
                obj=organisation,
                object_id=organisation.organisasjonsnummer,
                details={"scope": scope},
            )
    return grant


def withdraw_scope(organisation: Organisation, scope: str, *, withdrawn_by: Any) -> None:
    with transaction.atomic():
        deleted, _rows = ScopeGrant.objects.filter(organisation=organisation, scope=scope).delete()
        if deleted:
            audit.record(
                "virksomheter.scope_withdrawn",
                actor=withdrawn_by,
                obj=organisation,
                object_id=organisation.organisasjonsnummer,
                details={"scope": scope},
            )


def accept_terms(
    organisation: Organisation, *, accepted_by: Any, version: str = CURRENT_TERMS_VERSION
) -> TermsAcceptance:
    with transaction.atomic():
        acceptance = TermsAcceptance.objects.create(
            organisation=organisation, version=version, accepted_at=timezone.now()
        )
        audit.record(
            "virksomheter.terms_accepted",
            actor=accepted_by,
            obj=organisation,
            object_id=organisation.organisasjonsnummer,
            details={"version": version},
        )
    return acceptance


def latest_terms_acceptance(organisation: Organisation) -> TermsAcceptance | None:
    return organisation.terms_acceptances.order_by("-accepted_at", "-pk").first()


def check_scopes(organisation: Organisation, scopes: list[str]) -> None:
    """Raise ScopeRefused unless every scope is known and granted, and the organisation has
    accepted the current terms of use."""
    unknown = [scope for scope in scopes if scope not in ScopeGrant.Scope.values]
    if unknown:
        raise ScopeRefused(_("Unknown scope: %(scopes)s.") % {"scopes": " ".join(unknown)})
    granted = set(organisation.scope_grants.values_list("scope", flat=True))
    missing = [scope for scope in scopes if scope not in granted]
    if missing:
        raise ScopeRefused(
            _("The organisation has not been granted: %(scopes)s.") % {"scopes": " ".join(missing)}
        )
    latest = latest_terms_acceptance(organisation)
    if latest is None or latest.version != CURRENT_TERMS_VERSION:
        raise TermsNotAccepted(
            _("The organisation has not accepted the terms of use, version %(version)s.")
            % {"version": CURRENT_TERMS_VERSION}
        )


def use_grant_jti(organisation: Organisation, jti: str, *, expires_at: datetime) -> None:
    """Record a JWT grant's jti as used; GrantReplayed if it was used before."""
    UsedGrantJti.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            UsedGrantJti.objects.create(organisation=organisation, jti=jti, expires_at=expires_at)
    except IntegrityError:
        raise GrantReplayed(_("This grant (jti) has already been used.")) from None


def purge_expired(now: datetime) -> dict[str, int]:
    """Used grant jtis whose grant has expired: the token endpoint refuses the grant by its exp
    before it looks for the jti, so the row guards nothing any more."""
    return housekeeping.deleted(UsedGrantJti.objects.filter(expires_at__lt=now))
