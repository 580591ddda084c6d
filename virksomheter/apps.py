from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VirksomheterConfig(AppConfig):
    name = "virksomheter"
    verbose_name = _("Organisations")
