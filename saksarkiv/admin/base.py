"""What every case-archive admin shares: who the case handler is, and the organisation scoping."""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import PermissionDenied

from saksarkiv.models import Saksbehandler


def _handler(request) -> Saksbehandler | None:
    if not request.user.is_active or not request.user.is_staff:
        return None
    if not hasattr(request, "_saksbehandler"):
        request._saksbehandler = (
            Saksbehandler.objects.select_related("organisation", "user").filter(user=request.user).first()
        )
    return request._saksbehandler


class CaseHandlerAdmin(admin.ModelAdmin):
    """Open to registered case handlers, on their own organisation's records only."""

    def has_module_permission(self, request):
        return _handler(request) is not None

    def has_view_permission(self, request, obj=None):
        return _handler(request) is not None

    def has_add_permission(self, request):
        return _handler(request) is not None

    def has_change_permission(self, request, obj=None):
        return _handler(request) is not None

    def has_delete_permission(self, request, obj=None):
        return False

    def handler(self, request) -> Saksbehandler:
        handler = _handler(request)
        if handler is None:
            raise PermissionDenied
        return handler

    def get_list_filter(self, request):
        # A filter over another model would list all its rows, other organisations' case handlers
        # among them; offer only the values found in this handler's own records.
        return [
            (name, admin.RelatedOnlyFieldListFilter)
            if isinstance(name, str) and get_fields_from_path(self.model, name)[-1].is_relation
            else name
            for name in super().get_list_filter(request)
        ]


# A mass dispatch may have thousands of recipients; the page shows the first ones and the count.
PARTIES_SHOWN = 200


class OptionalPublicTitle:
    """The service makes the public title from the title when it is left empty; the form must not
    demand it (the model's column is required, the handler's input is not)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "offentlig_tittel" in self.fields:
            self.fields["offentlig_tittel"].required = False
