"""Forms in Designsystemet markup, accessible: inputs carry the ds-input class and
point to their help text and error message (aria-describedby, aria-invalid)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DesignsystemetFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "ds-input")
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}_help"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                described = [widget.attrs.get("aria-describedby", ""), f"{self[name].auto_id}_error"]
                widget.attrs["aria-describedby"] = " ".join(d for d in described if d)


class Form(DesignsystemetFormMixin, forms.Form):
    pass


class FirstOptionRadioSelect(forms.RadioSelect):
    """Django gives a radio group no id to link to; the error summary then links to the first option."""

    def id_for_label(self, id_, index="0"):
        return super().id_for_label(id_, index)


class ContactValueForm(Form):
    """Step 1 of changing a mobile number or e-mail address: the new value, which a code goes to.
    Subclasses name the field for their page."""

    mobile_label = _("Mobile number")
    email_label = _("E-mail address")
    value = forms.CharField(max_length=254)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["value"]
        if kind == "mobile":
            field.label = self.mobile_label
            field.help_text = _("A Norwegian number, or a foreign one starting with + and the country code.")
            field.widget.input_type = "tel"
            field.widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        else:
            field.label = self.email_label
            field.widget.input_type = "email"
            field.widget.attrs["autocomplete"] = "email"
