"""Token requests per client and minute, through the one throttle in core."""

from django.conf import settings

from core import throttle
from idporten.models import Client
from idporten.services.errors import OAuthError

TOKEN_REQUESTS = "idporten.token"


def check_token_rate(client: Client) -> None:
    rate = throttle.Rate.per_minute(settings.IDPORTEN_TOKEN_REQUESTS_PER_MINUTE)
    if not throttle.hit(TOKEN_REQUESTS, client.client_id, rate):
        raise OAuthError(
            "slow_down", "Too many token requests; try again in a minute.", status=429, redirect=False
        )
