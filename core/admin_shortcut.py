"""The admin's "view on site" shortcut (/admin/r/<content type>/<id>/), answered only for what the
user may see in the admin.

Django's own view answers 500 for an id its model cannot hold (a non-UUID for a UUID key, a NUL
byte) and looks the object up in every organisation's rows. This one reads the object through the
model's admin, so a record of another organisation, a model not in the admin and a malformed id all
answer the same 404; only then does Django's view redirect."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404


def _visible_object(request, content_type_id: str, object_id: str):
    content_type = ContentType.objects.get_for_id(int(content_type_id))
    model = content_type.model_class()
    if model is None or "\x00" in object_id or not admin.site.is_registered(model):
        raise Http404
    model_admin = admin.site.get_model_admin(model)
    if not model_admin.has_view_or_change_permission(request):
        raise Http404
    pk = model._meta.pk.to_python(object_id)
    obj = model_admin.get_queryset(request).get(pk=pk)
    if not model_admin.has_view_or_change_permission(request, obj):
        raise Http404
    return obj


def view_on_site(request, content_type_id: str, object_id: str):
    try:
        _visible_object(request, content_type_id, object_id)
    except (ObjectDoesNotExist, PermissionDenied, ValidationError, ValueError, OverflowError):
        raise Http404 from None
    return shortcut(request, content_type_id, object_id)
