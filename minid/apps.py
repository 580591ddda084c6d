from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MinidConfig(AppConfig):
    name = "minid"
    verbose_name = _("MinID")

    def ready(self):
        from idporten import eid
        from minid.eid import MINID
        from minid.services.pin_letters import on_letter_printed
        from postkasse.signals import letter_printed

        # MinID is one of ID-porten's eIDs: the picker, logins and logout find it in idporten.eid.
        eid.register(MINID)
        # PIN letters are printed by the digital post's print channel, which tells us when.
        letter_printed.connect(on_letter_printed, dispatch_uid="minid.pin_letter_printed")
