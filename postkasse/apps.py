from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostkasseConfig(AppConfig):
    name = "postkasse"
    verbose_name = _("Digital post")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kontaktregister import services as kontaktregister
        from postkasse.services import keys

        # KRR's /rest/v2/printSertifikat answers with the certificate this app's print channel takes letters to.
        kontaktregister.register_print_channel(lambda: keys.intake_pair()[0])
