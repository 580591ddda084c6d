"""Letter templates (brevmaler) in the admin."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from saksarkiv import services
from saksarkiv.admin.base import CaseHandlerAdmin
from saksarkiv.models import Brevmal


class BrevmalForm(forms.ModelForm):
    organisation = None  # the handler's, set by BrevmalAdmin.get_form

    class Meta:
        model = Brevmal
        fields = ("navn", "emne", "tekst")
        widgets = {"tekst": forms.Textarea(attrs={"rows": 16, "cols": 90})}

    def clean(self):
        cleaned = super().clean()
        try:
            services.validate_template(cleaned.get("emne", ""), cleaned.get("tekst", ""))
        except services.SaksarkivError as error:
            raise ValidationError(error.message) from None
        return cleaned

    def validate_unique(self):
        # The name is unique within the organisation, which is not a field on the form.
        self.instance.organisation = self.organisation
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            self._update_errors(error)


@admin.register(Brevmal)
class BrevmalAdmin(CaseHandlerAdmin):
    form = BrevmalForm
    list_display = ("navn", "emne")
    search_fields = ("navn",)

    def get_queryset(self, request):
        return Brevmal.objects.filter(organisation=self.handler(request).organisation)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        fields = ", ".join(
            f"{{{{ {name} }}}} ({description})" for name, description in services.FIELDS.items()
        )
        form.base_fields["tekst"].help_text = _("Fields you can use: %(fields)s") % {"fields": fields}
        return type(form.__name__, (form,), {"organisation": self.handler(request).organisation})

    def save_model(self, request, obj, form, change):
        services.save_template(obj, self.handler(request), request=request)
