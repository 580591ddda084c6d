from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MinidConfig(AppConfig):
    name = "minid"
    verbose_name = _("MinID")

    def ready(self):
        # PIN letters are printed by the digital post's print channel, which tells us when.
        from minid.services.pin_letters import on_letter_printed
        from postkasse.signals import letter_printed

        letter_printed.connect(on_letter_printed, dispatch_uid="minid.pin_letter_printed")
