"""Forms in Designsystemet markup, accessible: inputs carry the ds-input class and
point to their help text and error message (aria-describedby, aria-invalid)."""

from django import forms


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
