"""What case handlers keep for the smartcard login: issuer CAs, the issuers' revocation lists
(CRL, RFC 5280 section 5) and certificates registered to a person. Every change is audited."""

import time
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtensionOID
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from smartkort.models import CertificateMapping, Issuer, Provider, RevocationList, RevokedSerial, serial_hex
from smartkort.services.certificates import ACCEPTED_SIGNATURE_HASHES
from smartkort.services.errors import RevocationListRejected

# The picker's list, as this process last read it, and until when (time.monotonic()): the picker is
# shown on every login and the issuers change a few times a year. Starting a smartcard login reads
# the issuers afresh, so an issuer deactivated on another node leaves that node's picker within this
# time and is refused at once when chosen.
PICKER_PROVIDERS_SECONDS = 60
_picker_providers: tuple[float, tuple[str, ...]] = (0.0, ())


def forget_cached_providers() -> None:
    """Read the issuers at the picker's next showing: after a change here, or behind the cache's back
    (tests)."""
    global _picker_providers
    _picker_providers = (0.0, ())


def available_providers(*, cached: bool = False) -> list[str]:
    """The smartcard eIDs a citizen can log in with here: those with an active issuer. With
    `cached`, for the picker: as read within PICKER_PROVIDERS_SECONDS."""
    global _picker_providers
    expires, providers = _picker_providers
    if cached and expires > time.monotonic():
        return list(providers)
    found = set(Issuer.objects.filter(active=True).values_list("provider", flat=True))
    providers = tuple(provider for provider in Provider.values if provider in found)
    _picker_providers = (time.monotonic() + PICKER_PROVIDERS_SECONDS, providers)
    return list(providers)


def _changes(stored, changed, fields: tuple[str, ...]) -> dict[str, list]:
    """{field: [old, new]} for the fields a change touches, for the audit trail."""
    if stored is None:
        return {}
    return {
        field: [getattr(stored, field), getattr(changed, field)]
        for field in fields
        if getattr(stored, field) != getattr(changed, field)
    }


ISSUER_FIELDS = ("name", "provider", "active")
MAPPING_FIELDS = ("issuer_id", "serial", "identity_number", "note")


def save_issuer(issuer: Issuer, *, changed_by: Any, request=None) -> Issuer:
    """Register an issuer CA or store changes to it (name, provider, active)."""
    created = issuer.pk is None
    issuer.full_clean()
    with transaction.atomic():
        stored = None if created else Issuer.objects.select_for_update().filter(pk=issuer.pk).first()
        issuer.save()
        forget_cached_providers()  # and again once committed, for a picker read in between
        transaction.on_commit(forget_cached_providers)
        details = {"name": issuer.name, "provider": issuer.provider, "active": issuer.active}
        if stored is not None:
            details["changed"] = _changes(stored, issuer, ISSUER_FIELDS)
        audit.record(
            "smartkort.issuer_registered" if created else "smartkort.issuer_changed",
            actor=changed_by,
            request=request,
            obj=issuer,
            details=details,
        )
    return issuer


def _reject(message: str, code: str) -> RevocationListRejected:
    return RevocationListRejected(message, code)


def _parse(data: bytes) -> x509.CertificateRevocationList:
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_crl(data.strip())
        return x509.load_der_x509_crl(data)
    except (ValueError, TypeError):
        raise _reject(
            _("This file is not a certificate revocation list (CRL) in DER or PEM format."), "not_a_crl"
        ) from None


def _check_complete(crl: x509.CertificateRevocationList) -> None:
    """Only a full list for the issuer's end-entity certificates tells that a serial is not revoked."""
    for extension in crl.extensions:
        if extension.oid == ExtensionOID.DELTA_CRL_INDICATOR:
            raise _reject(_("This is a delta CRL; upload the issuer's full list."), "delta_crl")
        if extension.oid == ExtensionOID.ISSUING_DISTRIBUTION_POINT:
            point = extension.value
            if point.only_contains_ca_certs or point.only_some_reasons or point.indirect_crl:
                raise _reject(
                    _("This list covers only some certificates; upload the full list."), "partial_crl"
                )
        elif extension.critical:
            raise _reject(
                _("The list has a critical extension this service does not understand."), "critical"
            )
    if any(extension.critical for entry in crl for extension in entry.extensions):
        raise _reject(_("The list has a critical extension this service does not understand."), "critical")


def read_revocation_list(
    issuer: Issuer, data: bytes, *, uploaded_by: Any = None, request=None
) -> x509.CertificateRevocationList:
    """The CRL in `data` (DER or PEM) if it is a full list signed by the issuer's CA, or
    RevocationListRejected saying what is wrong with it (audited when someone uploaded it)."""
    try:
        return _read(issuer, data)
    except RevocationListRejected as rejection:
        if uploaded_by is not None:
            audit.record(
                "smartkort.crl_rejected",
                actor=uploaded_by,
                request=request,
                obj=issuer,
                outcome=audit.Outcome.DENIED,
                details={"code": rejection.code, "issuer": issuer.name},
            )
        raise


def _read(issuer: Issuer, data: bytes) -> x509.CertificateRevocationList:
    crl = _parse(data)
    ca = issuer.ca_certificate()
    if crl.issuer != ca.subject:
        raise _reject(
            _("The list is issued by %(found)s, not by this issuer (%(expected)s).")
            % {"found": crl.issuer.rfc4514_string(), "expected": ca.subject.rfc4514_string()},
            "wrong_issuer",
        )
    try:
        valid = crl.is_signature_valid(ca.public_key())
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise _reject(_("The list's signature does not match the issuer's CA certificate."), "bad_signature")
    if not isinstance(crl.signature_hash_algorithm, ACCEPTED_SIGNATURE_HASHES):
        raise _reject(_("The list is signed with a weak algorithm."), "weak_signature")
    if crl.next_update_utc is None or crl.next_update_utc <= crl.last_update_utc:
        raise _reject(_("The list does not say when it will be replaced (nextUpdate)."), "no_next_update")
    _check_complete(crl)
    if RevocationList.objects.filter(issuer=issuer, this_update=crl.last_update_utc).exists():
        raise _reject(_("This list is already uploaded."), "duplicate")
    return crl


def upload_revocation_list(issuer: Issuer, data: bytes, *, uploaded_by: Any, request=None) -> RevocationList:
    """Keep an issuer's CRL (DER or PEM) once read_revocation_list accepts it.
    Raises RevocationListRejected with the reason; nothing is stored then."""
    crl = read_revocation_list(issuer, data, uploaded_by=uploaded_by, request=request)
    try:
        number = str(crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number)
    except x509.ExtensionNotFound:
        number = ""
    entries = {serial_hex(entry.serial_number): entry.revocation_date_utc for entry in crl}
    with transaction.atomic():
        revocation_list = RevocationList.objects.create(
            issuer=issuer,
            this_update=crl.last_update_utc,
            next_update=crl.next_update_utc,
            crl_number=number,
            revoked_count=len(entries),
            der=crl.public_bytes(Encoding.DER),
            uploaded_by=str(getattr(uploaded_by, "username", uploaded_by))[:200],
        )
        RevokedSerial.objects.bulk_create(
            [
                RevokedSerial(revocation_list=revocation_list, serial=s, revoked_at=t)
                for s, t in entries.items()
            ],
            batch_size=1000,
        )
        audit.record(
            "smartkort.crl_uploaded",
            actor=uploaded_by,
            request=request,
            obj=revocation_list,
            details={
                "issuer": issuer.name,
                "this_update": crl.last_update_utc.isoformat(),
                "next_update": crl.next_update_utc.isoformat(),
                "crl_number": number,
                "revoked": len(entries),
            },
        )
    return revocation_list


def save_mapping(mapping: CertificateMapping, *, changed_by: Any, request=None) -> CertificateMapping:
    """Register a card certificate to a person, or store a change to the registration."""
    created = mapping.pk is None
    try:
        mapping.serial = serial_hex(mapping.serial)
    except ValidationError as error:
        raise ValidationError({"serial": error.messages}) from None
    mapping.full_clean()
    with transaction.atomic():
        stored = (
            None if created else CertificateMapping.objects.select_for_update().filter(pk=mapping.pk).first()
        )
        mapping.save()
        details = {
            "issuer": mapping.issuer.name,
            "serial": mapping.serial,
            "identity_number": mapping.identity_number,
        }
        if stored is not None:
            # A card moved to another person is the change an inspector looks for.
            details["changed"] = _changes(stored, mapping, MAPPING_FIELDS)
        audit.record(
            "smartkort.mapping_registered" if created else "smartkort.mapping_changed",
            actor=changed_by,
            request=request,
            obj=mapping,
            details=details,
        )
    return mapping


def delete_mapping(mapping: CertificateMapping, *, changed_by: Any, request=None) -> None:
    with transaction.atomic():
        audit.record(
            "smartkort.mapping_deleted",
            actor=changed_by,
            request=request,
            obj=mapping,
            details={
                "issuer": mapping.issuer.name,
                "serial": mapping.serial,
                "identity_number": mapping.identity_number,
            },
        )
        mapping.delete()
