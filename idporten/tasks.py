"""Back-channel logout (OIDC Back-Channel Logout 1.0): each attempt to deliver a recorded logout
token runs as a task; idporten.services.logout records the answer and schedules the retries."""

from django_tasks import task

from idporten.models import Client, SsoSession
from idporten.services import logout


@task()
def deliver_backchannel_logout(delivery_id: int) -> str:
    """One attempt at one BackchannelDelivery; its state afterwards."""
    return logout.deliver(delivery_id)


@task()
def send_backchannel_logout(client_pk: int, sid: str, identity_number: str, issuer: str) -> str:
    """What the previous version queued (fire and forget): recorded now as a delivery like any other,
    so that a task still in the queue after an upgrade is delivered and retried the same way."""
    client = Client.objects.get(pk=client_pk)
    session = SsoSession(sid=sid, identity_number=identity_number)
    (delivery_id,) = logout.record_backchannel(session, [client], issuer=issuer)
    return logout.deliver(delivery_id)
