"""Maskinporten's issuer identifier and its RFC 8414 metadata, as https://maskinporten.no/ publishes
them (issuer with a trailing slash, token endpoint <issuer>token, keys at <issuer>jwk)."""

from django.conf import settings

from maskinporten.services.tokens import ASSERTION_ALGORITHMS, GRANT_TYPE


def issuer(request) -> str:
    """MASKINPORTEN_ISSUER, or the scheme and host the request came to with /maskinporten/."""
    configured = settings.MASKINPORTEN_ISSUER
    if configured:
        return configured.rstrip("/") + "/"
    return request.build_absolute_uri("/maskinporten/")


def metadata(issuer_id: str) -> dict:
    return {
        "issuer": issuer_id,
        "token_endpoint": f"{issuer_id}token",
        "jwks_uri": f"{issuer_id}jwk",
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "grant_types_supported": [GRANT_TYPE],
        "token_endpoint_auth_signing_alg_values_supported": list(ASSERTION_ALGORITHMS),
    }
