"""Giving a test user model permissions by their "app_label.codename" names."""

from django.contrib.auth.models import Permission


def grant(user, *perms: str) -> None:
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
