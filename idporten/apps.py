from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdportenConfig(AppConfig):
    name = "idporten"
    verbose_name = _("ID-porten")
