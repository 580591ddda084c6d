"""Maskinporten's services: what the token endpoint, the admin and other apps call.

The JOSE plumbing (the issuer's signing keys and JWKS in `idporten.keys`, assertion checks in
`idporten.services.assertions`, OAuth errors and form parsing) is shared with ID-porten.
"""

from maskinporten.services.tokens import GRANT_TYPE, issue_token

__all__ = ["GRANT_TYPE", "issue_token"]
