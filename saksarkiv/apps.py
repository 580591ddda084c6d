from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SaksarkivConfig(AppConfig):
    name = "saksarkiv"
    verbose_name = _("Case archive (Noark 5)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from saksarkiv import admin_public  # noqa: F401 (the requests for access in the admin)
