"""Background work of the case archive (run by `manage.py db_worker`)."""

from django_tasks import task

from saksarkiv.models import Journalpost, Saksbehandler
from saksarkiv.services.dispatch import dispatch
from saksarkiv.services.errors import SaksarkivError


@task()
def dispatch_journalpost(journalpost_id: int, handler_id: int) -> str:
    """A mass dispatch: every letter accepted in one transaction, as when dispatched at once."""
    journalpost = Journalpost.objects.get(pk=journalpost_id)
    handler = Saksbehandler.objects.select_related("organisation", "user").get(pk=handler_id)
    try:
        dispatch(journalpost, handler)
    except SaksarkivError as error:
        return f"refused: {error.message}"
    return "dispatched"
