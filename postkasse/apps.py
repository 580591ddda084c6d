from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostkasseConfig(AppConfig):
    name = "postkasse"
    verbose_name = _("Digital post")
    default_auto_field = "django.db.models.BigAutoField"
