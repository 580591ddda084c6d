from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigneringConfig(AppConfig):
    name = "signering"
    verbose_name = _("Signing")
    default_auto_field = "django.db.models.BigAutoField"
