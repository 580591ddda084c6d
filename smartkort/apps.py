from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmartkortConfig(AppConfig):
    name = "smartkort"
    verbose_name = _("Smartcards (level 4)")
