from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaskinportenConfig(AppConfig):
    name = "maskinporten"
    verbose_name = _("Maskinporten")
