"""What the signing service does: a service owner creates a signing job for a named citizen; the
citizen, logged in at level 4, has the card sign it (prepare, then complete) or declines; the
service reads the status and fetches the detached CMS signature.

Between prepare and complete the signed attributes stay here: the browser only ever sees their
digest, and the signature it brings back is checked against what was kept."""

import hashlib
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from uuid import UUID

from cryptography import x509
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import DomainError
from core.pdf import validate_pdf
from folkeregister import services as folkeregister
from idporten.first_party import LOA_HIGH
from signering import cms
from signering.models import Signeringsoppdrag
from smartkort import services as smartcard
from virksomheter.models import Organisation, ScopeGrant

# The Maskinporten scope a service owner's machine needs for the API.
SCOPE = ScopeGrant.Scope.SIGNERING
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_TEXT_CHARACTERS = 20_000
DEFAULT_VALIDITY = timedelta(days=30)
MAX_VALIDITY = timedelta(days=90)
# From prepare to complete: the signingTime in the signed attributes must stay close to the signing.
PREPARED_TTL = timedelta(minutes=10)
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}

Status = Signeringsoppdrag.Status


class SigneringError(DomainError):
    code = "signering_error"


class InvalidJob(SigneringError):
    code = "invalid_job"


class JobNotFound(SigneringError):
    code = "job_not_found"


class NotSigned(SigneringError):
    code = "not_signed"


class JobClosed(SigneringError):
    """Signed, declined or expired: nothing more to do."""

    code = "job_closed"


class StepUpRequired(SigneringError):
    code = "step_up_required"


class SigningRefused(SigneringError):
    """The card, its certificate or the signature does not hold; `reason` is the smartcard app's
    code when the certificate was refused (revoked, expired, ...)."""

    code = "signing_refused"

    def __init__(self, message: str, *, reason: str = ""):
        super().__init__(message)
        self.reason = reason


def _not_found() -> JobNotFound:
    return JobNotFound(_("The signing job does not exist."))


# The service owner's side


def _check_return_url(url: str) -> str:
    parts = urlsplit(url)
    local = parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
    if not (parts.scheme == "https" or local) or not parts.hostname or parts.username or parts.password:
        raise InvalidJob(_("The return URL must be an https address (or http://localhost while testing)."))
    return url


def _document(pdf: bytes | None, text: str | None) -> tuple[str, bytes, int | None]:
    if (pdf is None) == (text is None):
        raise InvalidJob(_("Give the document either as a PDF or as a text, not both."))
    if pdf is not None:
        if len(pdf) > MAX_DOCUMENT_BYTES:
            raise InvalidJob(
                _("The document is too large: at most %(size)s.")
                % {"size": filesizeformat(MAX_DOCUMENT_BYTES)}
            )
        try:
            pages = validate_pdf(pdf, _("The document"))
        except ValidationError as error:
            raise InvalidJob(" ".join(error.messages)) from None
        return Signeringsoppdrag.Kind.PDF, pdf, pages
    if not text.strip():
        raise InvalidJob(_("The text to sign is empty."))
    if len(text) > MAX_TEXT_CHARACTERS:
        raise InvalidJob(
            _("The text is too long: at most %(count)d characters.") % {"count": MAX_TEXT_CHARACTERS}
        )
    return Signeringsoppdrag.Kind.TEXT, text.encode(), None


def create_job(
    organisation: Organisation,
    *,
    title: str,
    signer: str,
    pdf: bytes | None = None,
    text: str | None = None,
    return_url: str = "",
    expires_at: datetime | None = None,
    request=None,
) -> Signeringsoppdrag:
    """A new job for the named signer (who must be in the population register). Raises InvalidJob."""
    title = title.strip()
    if not title:
        raise InvalidJob(_("The signing job needs a title."))
    try:
        signer = folkeregister.get_person(signer).identity_number
    except folkeregister.FolkeregisterError as error:
        raise InvalidJob(error.message) from None
    kind, content, pages = _document(pdf, text)
    now = timezone.now()
    expires_at = expires_at or now + DEFAULT_VALIDITY
    if not now < expires_at <= now + MAX_VALIDITY:
        raise InvalidJob(_("The expiry must be in the future and at most 90 days away."))
    job = Signeringsoppdrag(
        organisation=organisation,
        title=title,
        kind=kind,
        document=content,
        pages=pages,
        sha256=hashlib.sha256(content).hexdigest(),
        signer=signer,
        return_url=_check_return_url(return_url) if return_url else "",
        expires_at=expires_at,
    )
    with transaction.atomic():
        job.save()
        audit.record(
            "signering.job_created",
            actor=organisation.organisasjonsnummer,
            request=request,
            obj=job,
            details={"signer": signer, "kind": kind, "sha256": job.sha256},
        )
    return job


def _expire_overdue(jobs) -> None:
    """Waiting jobs past their expiry become expired (checked whenever jobs are read)."""
    overdue = jobs.filter(status=Status.VENTER, expires_at__lte=timezone.now()).values_list("pk", flat=True)
    for pk in overdue:
        with transaction.atomic():
            expired = Signeringsoppdrag.objects.filter(pk=pk, status=Status.VENTER).update(
                status=Status.UTLOPT, signed_attributes=None, prepared_certificate=None, prepared_at=None
            )
            if expired:
                audit.record(
                    "signering.job_expired",
                    actor="felles",
                    object_type=Signeringsoppdrag._meta.label_lower,
                    object_id=str(pk),
                )


def jobs_of(organisation: Organisation, *, status: str = ""):
    """The organisation's jobs, newest first, without their documents and signatures."""
    jobs = Signeringsoppdrag.objects.filter(organisation=organisation)
    _expire_overdue(jobs)
    jobs = jobs.filter(status=status) if status else jobs
    return jobs.defer("document", "signature", "signed_attributes", "prepared_certificate")


def job_of(organisation: Organisation, job_id: UUID | str) -> Signeringsoppdrag:
    """One of the organisation's jobs; any other organisation's is JobNotFound."""
    jobs = Signeringsoppdrag.objects.filter(organisation=organisation, pk=job_id)
    _expire_overdue(jobs)
    job = jobs.first()
    if job is None:
        raise _not_found()
    return job


def signature_of(organisation: Organisation, job_id: UUID | str) -> bytes:
    """The detached CMS signature (DER). Raises NotSigned while the job is not signed."""
    job = job_of(organisation, job_id)
    if job.status != Status.SIGNERT:
        raise NotSigned(
            _("The document is not signed: the job is %(status)s.") % {"status": job.get_status_display()}
        )
    return bytes(job.signature)


# The citizen's side


def jobs_to_sign(identity_number: str):
    """The jobs waiting for this citizen's signature, newest first."""
    jobs = Signeringsoppdrag.objects.filter(signer=identity_number)
    _expire_overdue(jobs)
    return jobs.filter(status=Status.VENTER).select_related("organisation").defer("document", "signature")


def job_for_signer(identity_number: str, job_id: UUID | str) -> Signeringsoppdrag:
    """A job named for this citizen, in any status; anyone else's is JobNotFound."""
    jobs = Signeringsoppdrag.objects.filter(signer=identity_number, pk=job_id).select_related("organisation")
    _expire_overdue(jobs)
    job = jobs.first()
    if job is None:
        raise _not_found()
    return job


def _waiting(identity_number: str, job_id: UUID | str, acr: str) -> Signeringsoppdrag:
    """The citizen's job, locked, if it still waits for them (expiry itself is written on the next read)."""
    if acr != LOA_HIGH:
        raise StepUpRequired(_("Signing needs a login at level 4 (high)."))
    job = Signeringsoppdrag.objects.select_for_update().filter(signer=identity_number, pk=job_id).first()
    if job is None:
        raise _not_found()
    if job.status == Status.VENTER and job.expires_at <= timezone.now():
        raise JobClosed(_("The signing job has expired."))
    if job.status != Status.VENTER:
        raise JobClosed(
            _("The signing job is closed: %(status)s.") % {"status": job.get_status_display().lower()}
        )
    return job


def _card_holder(identity_number: str, certificate_der: bytes, request) -> smartcard.CardHolder:
    """The card's certificate must be valid now and be the citizen's own."""
    try:
        holder = smartcard.verify_certificate(certificate_der, request=request)
    except smartcard.CertificateRefused as error:
        raise SigningRefused(
            _("The card's certificate cannot be used: %(reason)s") % {"reason": error.message},
            reason=error.code,
        ) from None
    if holder.identity_number != identity_number:
        raise SigningRefused(_("The card belongs to someone else than the person who must sign."))
    return holder


def _audited_refusal(action: str, identity_number: str, job_id, request, step):
    """Run a step; a refusal is recorded (outside the step's rolled-back transaction, which takes the
    smartcard app's own audit record of the certificate with it) and raised."""
    try:
        return step()
    except SigneringError as error:
        audit.record(
            action,
            actor=identity_number,
            request=request,
            object_type=Signeringsoppdrag._meta.label_lower,
            object_id=str(job_id),
            outcome=audit.Outcome.DENIED,
            details={"code": error.code, "message": error.message, "reason": getattr(error, "reason", "")},
        )
        raise


def prepare_signing(
    identity_number: str, job_id: UUID | str, *, certificate_der: bytes, acr: str, request=None
) -> bytes:
    """Build and keep the signed attributes for this card's certificate; returns the SHA-256
    digest the card must sign. Raises SigningRefused, JobClosed, JobNotFound or StepUpRequired."""

    @transaction.atomic
    def prepare() -> bytes:
        job = _waiting(identity_number, job_id, acr)
        _card_holder(identity_number, certificate_der, request)
        now = timezone.now()
        job.signed_attributes = cms.signed_attributes(
            bytes.fromhex(job.sha256), certificate_der, signing_time=now
        )
        job.prepared_certificate = certificate_der
        job.prepared_at = now
        job.save(update_fields=["signed_attributes", "prepared_certificate", "prepared_at"])
        audit.record("signering.signing_prepared", actor=identity_number, request=request, obj=job)
        return cms.digest_to_sign(job.signed_attributes)

    return _audited_refusal("signering.signing_refused", identity_number, job_id, request, prepare)


def complete_signing(
    identity_number: str,
    job_id: UUID | str,
    *,
    signature: bytes,
    certificate_der: bytes,
    acr: str,
    request=None,
) -> Signeringsoppdrag:
    """Check the card's raw ECDSA signature over the kept signed attributes and store the detached
    CMS SignedData. Raises SigningRefused, JobClosed, JobNotFound or StepUpRequired."""

    @transaction.atomic
    def complete() -> Signeringsoppdrag:
        job = _waiting(identity_number, job_id, acr)
        if job.signed_attributes is None or job.prepared_at + PREPARED_TTL < timezone.now():
            raise SigningRefused(_("The signing was not started or took too long. Start again."))
        if bytes(job.prepared_certificate) != certificate_der:
            raise SigningRefused(
                _("The signature was made with another card than the one signing began with.")
            )
        _card_holder(identity_number, certificate_der, request)
        signed_attributes = bytes(job.signed_attributes)
        try:
            der_signature = cms.verify_card_signature(
                signature, signed_attributes_der=signed_attributes, certificate_der=certificate_der
            )
        except cms.BadSignature:
            raise SigningRefused(
                _("The signature does not match the document. Nothing was signed.")
            ) from None
        job.signature = cms.signed_data(
            signed_attributes_der=signed_attributes,
            certificate_der=certificate_der,
            der_signature=der_signature,
        )
        job.status = Status.SIGNERT
        job.signed_at = timezone.now()
        job.signer_subject = x509.load_der_x509_certificate(certificate_der).subject.rfc4514_string()[:500]
        job.signed_attributes = job.prepared_certificate = job.prepared_at = None
        job.save()
        audit.record(
            "signering.signed",
            actor=identity_number,
            request=request,
            obj=job,
            details={"sha256": job.sha256, "certificate": job.signer_subject},
        )
        return job

    return _audited_refusal("signering.signing_refused", identity_number, job_id, request, complete)


def decline(identity_number: str, job_id: UUID | str, *, acr: str, request=None) -> Signeringsoppdrag:
    """The citizen says no; the service sees the job as declined."""

    @transaction.atomic
    def refuse() -> Signeringsoppdrag:
        job = _waiting(identity_number, job_id, acr)
        job.status = Status.AVVIST
        job.declined_at = timezone.now()
        job.signed_attributes = job.prepared_certificate = job.prepared_at = None
        job.save()
        audit.record("signering.declined", actor=identity_number, request=request, obj=job)
        return job

    return _audited_refusal("signering.decline_refused", identity_number, job_id, request, refuse)
