"""Token requests per client and minute, through the one throttle in core."""

from django.conf import settings

from core import throttle
from core.net import client_address
from idporten.models import Client
from idporten.services.errors import OAuthError

TOKEN_REQUESTS = "idporten.token"


def check_token_rate(client: Client, request=None) -> None:
    """A confidential client's requests count against the client: only its credential fills the
    bucket. A public client's client_id is in its app for anyone to read, so its requests count per
    client and address, lest a stranger's flood stop every citizen's login to the app."""
    rate = throttle.Rate.per_minute(settings.IDPORTEN_TOKEN_REQUESTS_PER_MINUTE)
    key = client.client_id
    if client.auth_method == Client.AuthMethod.NONE:
        key = f"{key} {client_address(request) or '-'}"
    if not throttle.hit(TOKEN_REQUESTS, key, rate):
        raise OAuthError(
            "slow_down", "Too many token requests; try again in a minute.", status=429, redirect=False
        )
