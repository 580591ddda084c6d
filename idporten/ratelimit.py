"""Token requests per client per minute, counted in the database so that every process shares them."""

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from idporten.models import Client, TokenRequestCount
from idporten.services.errors import OAuthError


def check_token_rate(client: Client) -> None:
    minute = timezone.now().replace(second=0, microsecond=0)
    row, _created = TokenRequestCount.objects.get_or_create(client=client, minute=minute)
    TokenRequestCount.objects.filter(pk=row.pk).update(count=F("count") + 1)
    if row.count + 1 > settings.IDPORTEN_TOKEN_REQUESTS_PER_MINUTE:
        raise OAuthError(
            "slow_down", "Too many token requests; try again in a minute.", status=429, redirect=False
        )
