from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EformidlingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "eformidling"
    verbose_name = _("eFormidling integrasjonspunkt")

    def ready(self):
        from eformidling.services.arkivmelding import send_for_archive
        from saksarkiv.signals import arkivmelding_to_send

        # The archive's letters to organisations in Felles go through this integrasjonspunkt as arkivmelding.
        arkivmelding_to_send.connect(send_for_archive, dispatch_uid="eformidling.send_arkivmelding")
