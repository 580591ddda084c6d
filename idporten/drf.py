"""Moved to maskinporten.drf; this name stays only until every app imports it from there."""

from maskinporten.drf import HasScope, MaskinportenAuthentication

__all__ = ["HasScope", "MaskinportenAuthentication"]
