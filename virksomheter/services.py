"""Organisations: registration, lookup, and the demo agencies."""

from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, housekeeping
from core.errors import DomainError
from core.phone import normalise_phone_number
from virksomheter.models import (
    CURRENT_TERMS_VERSION,
    SCOPE_ALIASES,
    Organisation,
    RevokedCertificate,
    ScopeGrant,
    TermsAcceptance,
    TrustedIssuer,
    UsedGrantJti,
    normalise_serial,
    validate_png,
)


class AuditAction(models.TextChoices):
    ORGANISATION_REGISTERED = "virksomheter.organisation_registered"
    ORGANISATION_CHANGED = "virksomheter.organisation_changed"
    ORGANISATION_DELETED = "virksomheter.organisation_deleted"
    SCOPE_GRANTED = "virksomheter.scope_granted"
    SCOPE_WITHDRAWN = "virksomheter.scope_withdrawn"
    TERMS_ACCEPTED = "virksomheter.terms_accepted"
    ISSUER_REGISTERED = "virksomheter.issuer_registered"
    ISSUER_CHANGED = "virksomheter.issuer_changed"
    CERTIFICATE_REVOKED = "virksomheter.certificate_revoked"
    REVOCATION_WITHDRAWN = "virksomheter.revocation_withdrawn"


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
            AuditAction.ORGANISATION_REGISTERED if created else AuditAction.ORGANISATION_CHANGED,
            actor=changed_by,
            request=request,
            obj=organisation,
            object_id=organisation.organisasjonsnummer,
        )
    return organisation


def delete_organisation(organisation: Organisation, *, deleted_by: Any, request=None) -> None:
    """Remove an organisation with its scope grants and terms acceptances (the admin has checked
    that nothing protected refers to it); the trail keeps what it had been granted."""
    with transaction.atomic():
        audit.record(
            AuditAction.ORGANISATION_DELETED,
            actor=deleted_by,
            request=request,
            obj=organisation,
            object_id=organisation.organisasjonsnummer,
            details={
                "name": organisation.name_nb,
                "scopes": sorted(organisation.scope_grants.values_list("scope", flat=True)),
            },
        )
        organisation.delete()


def canonical_scope(name: str) -> str:
    """The real name of a scope given by its old Felles name (an alias); any other name unchanged."""
    return SCOPE_ALIASES.get(name, name)


def grant_scope(organisation: Organisation, scope: str, *, granted_by: Any, request=None) -> ScopeGrant:
    scope = canonical_scope(scope)
    if scope not in ScopeGrant.Scope.values:
        raise ValidationError({"scope": _("Unknown scope: %(scopes)s.") % {"scopes": scope}})
    with transaction.atomic():
        grant, created = ScopeGrant.objects.get_or_create(organisation=organisation, scope=scope)
        if created:
            audit.record(
                AuditAction.SCOPE_GRANTED,
                actor=granted_by,
                request=request,
                obj=organisation,
                object_id=organisation.organisasjonsnummer,
                details={"scope": scope},
            )
    return grant


def withdraw_scope(organisation: Organisation, scope: str, *, withdrawn_by: Any, request=None) -> None:
    scope = canonical_scope(scope)
    with transaction.atomic():
        deleted, _rows = ScopeGrant.objects.filter(organisation=organisation, scope=scope).delete()
        if deleted:
            audit.record(
                AuditAction.SCOPE_WITHDRAWN,
                actor=withdrawn_by,
                request=request,
                obj=organisation,
                object_id=organisation.organisasjonsnummer,
                details={"scope": scope},
            )


def withdraw_grant(grant: ScopeGrant, *, withdrawn_by: Any, request=None) -> None:
    """Withdraw a grant as stored (a form may have changed the instance it hands over)."""
    stored = ScopeGrant.objects.filter(pk=grant.pk).select_related("organisation").first()
    if stored is not None:
        withdraw_scope(stored.organisation, stored.scope, withdrawn_by=withdrawn_by, request=request)


def change_scope(grant: ScopeGrant, scope: str, *, changed_by: Any, request=None) -> ScopeGrant:
    """Replace a granted scope by another: the old one withdrawn, the new one granted, both audited."""
    scope = canonical_scope(scope)
    stored = ScopeGrant.objects.get(pk=grant.pk)
    if stored.scope == scope:
        return stored
    with transaction.atomic():
        withdraw_scope(grant.organisation, stored.scope, withdrawn_by=changed_by, request=request)
        return grant_scope(grant.organisation, scope, granted_by=changed_by, request=request)


def accept_terms(
    organisation: Organisation, *, accepted_by: Any, version: str = CURRENT_TERMS_VERSION, request=None
) -> TermsAcceptance:
    with transaction.atomic():
        acceptance = TermsAcceptance.objects.create(
            organisation=organisation, version=version, accepted_at=timezone.now()
        )
        audit.record(
            AuditAction.TERMS_ACCEPTED,
            actor=accepted_by,
            request=request,
            obj=organisation,
            object_id=organisation.organisasjonsnummer,
            details={"version": version},
        )
    return acceptance


def _fingerprint(certificate_pem: str) -> str:
    from virksomheter.certificates import load_ca_certificate

    try:
        return load_ca_certificate(certificate_pem).fingerprint(hashes.SHA256()).hex()
    except ValueError:  # a row written around this service: the change is still recorded
        return ""


def save_trusted_issuer(issuer: TrustedIssuer, *, changed_by: Any, request=None) -> TrustedIssuer:
    """Trust a CA's enterprise certificates, or store a change to it (name, CA certificate, active).
    The trail names the CA certificate by its SHA-256 fingerprint, before and after."""
    issuer.full_clean()
    new = {"name": issuer.name, "active": issuer.active, "certificate": _fingerprint(issuer.certificate_pem)}
    with transaction.atomic():
        stored = TrustedIssuer.objects.select_for_update().filter(pk=issuer.pk).first() if issuer.pk else None
        if stored is None:
            issuer.save()
            audit.record(
                AuditAction.ISSUER_REGISTERED, actor=changed_by, request=request, obj=issuer, details=new
            )
            return issuer
        old = {
            "name": stored.name,
            "active": stored.active,
            "certificate": _fingerprint(stored.certificate_pem),
        }
        changed = {field: [old[field], new[field]] for field in new if old[field] != new[field]}
        issuer.save()
        if changed:
            audit.record(
                AuditAction.ISSUER_CHANGED,
                actor=changed_by,
                request=request,
                obj=issuer,
                details={"name": issuer.name, "changed": changed},
            )
    return issuer


def _revocation_details(revoked: RevokedCertificate) -> dict:
    return {
        "issuer": revoked.issuer.name,
        "serial": revoked.serial,
        "revoked_at": revoked.revoked_at.isoformat(),
        "reason": revoked.reason,
    }


def clean_serial(value: str) -> str:
    """A serial number as certificate viewers show it (hex, with colons or spaces), as stored."""
    serial = normalise_serial(value)
    try:
        int(serial, 16)
    except ValueError:
        raise ValidationError(
            {"serial": ValidationError(_("Enter the serial number in hexadecimal."), code="invalid_serial")}
        ) from None
    return serial


def revoke_certificate(
    issuer: TrustedIssuer,
    serial: str,
    *,
    revoked_at: datetime,
    reason: str = "",
    revoked_by: Any,
    request=None,
) -> RevokedCertificate:
    """Refuse an enterprise certificate (or intermediate) of `issuer` by its serial number (hex)."""
    revoked = RevokedCertificate(
        issuer=issuer, serial=clean_serial(serial), revoked_at=revoked_at, reason=reason
    )
    revoked.full_clean()
    with transaction.atomic():
        revoked.save()
        audit.record(
            AuditAction.CERTIFICATE_REVOKED,
            actor=revoked_by,
            request=request,
            obj=revoked,
            details=_revocation_details(revoked),
        )
    return revoked


def withdraw_revocation(revoked: RevokedCertificate, *, withdrawn_by: Any, request=None) -> None:
    """Trust a revoked certificate again (a revocation made by mistake)."""
    with transaction.atomic():
        audit.record(
            AuditAction.REVOCATION_WITHDRAWN,
            actor=withdrawn_by,
            request=request,
            obj=revoked,
            details=_revocation_details(revoked),
        )
        revoked.delete()


def latest_terms_acceptance(organisation: Organisation) -> TermsAcceptance | None:
    return organisation.terms_acceptances.order_by("-accepted_at", "-pk").first()


def check_scopes(organisation: Organisation, scopes: list[str]) -> None:
    """Raise ScopeRefused unless every scope is known and granted, and the organisation has
    accepted the current terms of use. Old names count as their real name."""
    scopes = [canonical_scope(scope) for scope in scopes]
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
    # A jti seen only on an expired grant may come again (purge_expired deletes the rest).
    UsedGrantJti.objects.filter(organisation=organisation, jti=jti, expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            UsedGrantJti.objects.create(organisation=organisation, jti=jti, expires_at=expires_at)
    except IntegrityError:
        raise GrantReplayed(_("This grant (jti) has already been used.")) from None


def purge_expired(now: datetime) -> dict[str, int]:
    """Used grant jtis whose grant has expired: the token endpoint refuses the grant by its exp
    before it looks for the jti, so the row guards nothing any more."""
    return housekeeping.deleted(UsedGrantJti.objects.filter(expires_at__lt=now))
