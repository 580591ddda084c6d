"""The issuer identifier: IDPORTEN_ISSUER, or the scheme and host the request came to."""

from django.conf import settings


def issuer(request) -> str:
    return settings.IDPORTEN_ISSUER or request.build_absolute_uri("/").rstrip("/")
