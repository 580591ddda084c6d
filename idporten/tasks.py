"""Back-channel logout (OIDC Back-Channel Logout 1.0): a signed logout token POSTed to the client."""

import logging
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request

from django_tasks import task

from idporten import keys
from idporten.models import Client
from idporten.services.tokens import pairwise_sub

logger = logging.getLogger(__name__)
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


@task()
def send_backchannel_logout(client_pk: int, sid: str, identity_number: str, issuer: str) -> int:
    client = Client.objects.get(pk=client_pk)
    now = int(time.time())
    token = keys.sign(
        {
            "iss": issuer,
            "aud": client.client_id,
            "iat": now,
            "exp": now + 120,
            "jti": secrets.token_urlsafe(16),
            "sid": sid,
            "sub": pairwise_sub(client, identity_number),
            "events": {LOGOUT_EVENT: {}},
        },
        algorithm=client.id_token_signed_response_alg,
        token_type="logout+jwt",
    )
    body = urllib.parse.urlencode({"logout_token": token}).encode()
    request = urllib.request.Request(  # noqa: S310 (the client's registered https/http URI)
        client.backchannel_logout_uri,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        logger.warning("Back-channel logout to %s answered HTTP %s", client.client_id, error.code)
        return error.code
    except (urllib.error.URLError, TimeoutError) as error:
        logger.warning(
            "Back-channel logout to %s failed: %s", client.client_id, getattr(error, "reason", error)
        )
        return 0
