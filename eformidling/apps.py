from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EformidlingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "eformidling"
    verbose_name = _("eFormidling integrasjonspunkt")
