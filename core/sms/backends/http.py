"""Delivers messages to an SMS gateway over HTTPS as JSON.

POSTs {"from", "to", "text"} to SMS_GATEWAY_URL with a bearer token; any 2xx
answer means the gateway has taken the message.
"""

import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.sms import SmsError

logger = logging.getLogger(__name__)


class GatewayBackend:
    timeout = 10

    def __init__(self, url: str | None = None, token: str | None = None):
        self.url = url or settings.SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SMS_GATEWAY_TOKEN
        if not self.url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("SMS_GATEWAY_URL must be an https:// (or http://) URL.")

    def send(self, message) -> None:
        body = json.dumps({"from": message.sender, "to": message.to, "text": message.text})
        request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            self.url,
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as error:
            # The text may carry a one-time code: log the status only.
            logger.warning("SMS gateway refused a message: HTTP %s", error.code)
            raise SmsError(f"The SMS gateway answered HTTP {error.code}.") from None
        except (urllib.error.URLError, TimeoutError) as error:
            logger.warning("SMS gateway unreachable: %s", getattr(error, "reason", error))
            raise SmsError("The SMS gateway could not be reached.") from None
