from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmartkortConfig(AppConfig):
    name = "smartkort"
    verbose_name = _("Smartcards (level 4)")

    def ready(self):
        # The smartcards are one of ID-porten's eIDs: the picker, logins and logout find them in idporten.eid.
        from idporten import eid
        from smartkort.eid import SMARTCARD

        eid.register(SMARTCARD)
