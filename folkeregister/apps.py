from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FolkeregisterConfig(AppConfig):
    name = "folkeregister"
    verbose_name = _("Population register")
