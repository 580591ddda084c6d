"""Forms the archive's admin pages share."""

from django import forms
from django.core.exceptions import ValidationError

from saksarkiv.services.errors import SaksarkivError


class ServiceChecked(forms.ModelForm):
    """A form that shows the service's own checks as form errors before anything is saved. The admin
    sets `handler` (the signed-in case handler) on the form class it hands out."""

    handler = None

    def check(self, data: dict) -> None:
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                self.check(data)
            except SaksarkivError as error:
                raise ValidationError(error.message) from None
        return data


class ServiceCheckedAdmin:
    """A ModelAdmin mixin that hands the signed-in case handler to its ServiceChecked form."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.handler = self.handler(request)
        return form
