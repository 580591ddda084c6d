from django.apps import AppConfig
from django.db.models.signals import post_migrate
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
        post_migrate.connect(_make_intake_key, sender=self)


def _make_intake_key(*, using="default", apps=None, **kwargs):
    """The intake key pair exists from the first migration on (and after a test database is
    flushed), so that no node makes one in the middle of accepting a letter."""
    from postkasse.services import keys

    if apps is None or keys.files_configured():
        return
    try:
        apps.get_model("postkasse", "IntakeKey")
    except LookupError:  # migrated back to before the key was kept in the database
        return
    keys.ensure_stored_pair(using=using)
