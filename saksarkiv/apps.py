from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SaksarkivConfig(AppConfig):
    name = "saksarkiv"
    verbose_name = _("Case archive (Noark 5)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from postkasse.signals import reply_received
        from saksarkiv import admin_public  # noqa: F401 (the requests for access in the admin)
        from saksarkiv.services.replies import file_reply

        # Citizens' answers from the mailbox to the archive's letters are filed on the letter's case.
        reply_received.connect(file_reply, dispatch_uid="saksarkiv.file_reply")
