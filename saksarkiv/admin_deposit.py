"""The archive leader's deposit from the admin: an action on archive parts that makes the deposit
(arkivuttrekk) of one closed part for its own period and hands it over as a zip download. The work is
saksarkiv.services.deposit's; this is the surface."""

import shutil
import tempfile
from pathlib import Path

from django.contrib import admin, messages
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saksarkiv import services
from saksarkiv.services.deposit import DepositError, write_zip
from saksarkiv.services.deposit import make_deposit as deposit


@admin.action(description=gettext_lazy("Make the deposit (arkivuttrekk) of the selected archive part"))
def make_deposit(modeladmin, request, queryset):
    parts = list(queryset[:2])
    if len(parts) != 1:
        modeladmin.message_user(request, _("Choose one archive part to deposit."), messages.ERROR)
        return None
    arkivdel = parts[0]
    try:
        handler = services.handler_for(request.user)
    except services.NotFound as error:
        modeladmin.message_user(request, error.message, messages.ERROR)
        return None
    work = Path(tempfile.mkdtemp(prefix="arkivuttrekk-"))
    try:
        name = f"arkivuttrekk-{arkivdel.arkiv.organisation.organisasjonsnummer}-{arkivdel.system_id}"
        result = deposit(arkivdel, by=handler, target=work / name)
        # The zip outlives the folder: an unnamed temporary file, deleted when the response is closed.
        archive = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        write_zip(result, archive)
        archive.seek(0)
    except DepositError as error:
        modeladmin.message_user(request, error.message, messages.ERROR)
        return None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return FileResponse(archive, as_attachment=True, filename=f"{name}.zip", content_type="application/zip")
