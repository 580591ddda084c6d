"""What the smartcard app does, for its pages, its admin, ID-porten and other apps. Import from here."""

from smartkort.services.authentication import issue_challenge, verify_authentication
from smartkort.services.certificates import CardHolder, verify_certificate
from smartkort.services.errors import (
    AuthenticationRefused,
    CertificateRefused,
    RevocationListRejected,
    SmartcardError,
)
from smartkort.services.housekeeping import purge_expired
from smartkort.services.registry import (
    available_providers,
    delete_mapping,
    read_revocation_list,
    save_issuer,
    save_mapping,
    upload_revocation_list,
)

__all__ = [
    "AuthenticationRefused", "CardHolder", "CertificateRefused", "RevocationListRejected", "SmartcardError",
    "available_providers", "delete_mapping", "issue_challenge", "purge_expired", "read_revocation_list", "save_issuer", "save_mapping",
    "upload_revocation_list", "verify_authentication", "verify_certificate",
]  # fmt: skip
