from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MinidConfig(AppConfig):
    name = "minid"
    verbose_name = _("MinID")
