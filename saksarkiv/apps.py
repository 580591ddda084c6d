from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SaksarkivConfig(AppConfig):
    name = "saksarkiv"
    verbose_name = _("Case archive (Noark 5)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.api import register_error_body
        from postkasse.signals import reply_received
        from saksarkiv import admin_public  # noqa: F401 (the requests for access in the admin)
        from saksarkiv.noark5 import http as noark5_http
        from saksarkiv.services.replies import file_reply

        # Citizens' answers from the mailbox to the archive's letters are filed on the letter's case.
        reply_received.connect(file_reply, dispatch_uid="saksarkiv.file_reply")
        # The tjenestegrensesnitt answers even Django's own refusals (a path no view takes) in its error body.
        register_error_body(noark5_http.is_interface_path, noark5_http.error_body)
