from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KontaktregisterConfig(AppConfig):
    name = "kontaktregister"
    verbose_name = _("Contact and reservation register")
