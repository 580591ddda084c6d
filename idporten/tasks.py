"""Back-channel logout (OIDC Back-Channel Logout 1.0): each attempt to deliver a recorded logout
token runs as a task; idporten.services.logout records the answer and schedules the retries."""

import logging

from django_tasks import task

from idporten.models import Client, SsoSession
from idporten.services import logout

logger = logging.getLogger(__name__)


@task()
def deliver_backchannel_logout(delivery_id: int) -> str:
    """One attempt at one BackchannelDelivery; its state afterwards."""
    return logout.deliver(delivery_id)


@task()
def send_backchannel_logout(client_pk: int, sid: str, identity_number: str, issuer: str) -> str:
    """What the previous version queued (fire and forget): recorded now as a delivery like any other,
    so that a task still in the queue after an upgrade is delivered and retried the same way."""
    client = Client.objects.filter(pk=client_pk).first()
    if client is None or not client.backchannel_logout_uri:
        # The client is gone, or no longer wants back-channel logouts: nothing to deliver.
        logger.info(
            "Queued back-channel logout for client %s dropped: %s",
            client_pk,
            "the client no longer exists" if client is None else "the client has no back-channel logout URI",
        )
        return ""
    session = SsoSession(sid=sid, identity_number=identity_number)
    (delivery_id,) = logout.record_backchannel(session, [client], issuer=issuer)
    return logout.deliver(delivery_id)
