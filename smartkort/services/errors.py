"""The smartkort app's refusals: a translated message for the citizen or case handler, and a
stable code for logs, the audit trail and tests."""

from core.errors import DomainError


class SmartcardError(DomainError):
    code = "smartkort_error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


class CertificateRefused(SmartcardError):
    """The card's certificate is not one we accept (chain, dates, revocation, person)."""


class AuthenticationRefused(SmartcardError):
    """The card's answer to the login challenge does not hold."""


class RevocationListRejected(SmartcardError):
    """An uploaded file is not a usable revocation list for the issuer."""
