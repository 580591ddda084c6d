"""Forms in Designsystemet markup, accessible: inputs carry the ds-input class and
point to their help text and error message (aria-describedby, aria-invalid)."""

from django import forms
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _


class DesignsystemetBoundField(BoundField):
    """Designsystemet's attributes are added when a field is drawn, not when the form is built:
    fields a form adds in its own __init__ (one per PIN code asked, one per contact to confirm)
    came after the styling had run and showed as bare native boxes."""

    def build_widget_attrs(self, attrs, widget=None):
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        if widget.is_hidden:
            return attrs
        if "class" not in widget.attrs:
            attrs.setdefault("class", "ds-input")
        described = [
            f"{self.auto_id}_help" if self.help_text else "",
            f"{self.auto_id}_error" if self.errors else "",
        ]
        if any(described):
            attrs["aria-describedby"] = " ".join(d for d in described if d)
        return attrs


class DesignsystemetFormMixin:
    bound_field_class = DesignsystemetBoundField


class Form(DesignsystemetFormMixin, forms.Form):
    pass


class FirstOptionRadioSelect(forms.RadioSelect):
    """Django gives a radio group no id to link to; the error summary then links to the first option."""

    def id_for_label(self, id_, index="0"):
        return super().id_for_label(id_, index)


class CodeInput(forms.TextInput):
    """The one input for a code a citizen copies from an SMS, an e-mail or a PIN letter: as wide as
    the code, the phone's digit pad where the code is digits only, and the code offered from the SMS."""

    def __init__(self, *, length: int, digits_only: bool, attrs: dict | None = None):
        code_attrs = {
            "class": "ds-input felles-code-input",
            "autocomplete": "one-time-code",
            "inputmode": "numeric" if digits_only else "text",
            "autocapitalize": "off" if digits_only else "characters",
            "spellcheck": "false",
            "size": str(length),
        }
        super().__init__(attrs={**code_attrs, **(attrs or {})})
        self.length = length


class CodeField(forms.CharField):
    """A one-time or PIN code of a fixed length. The box takes exactly that many characters; the
    server takes a little more (spaces pasted with the code), as the services strip them."""

    def __init__(self, *, length: int, digits_only: bool, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(widget=CodeInput(length=length, digits_only=digits_only), **kwargs)
        # After CharField, whose max_length would otherwise set the box's maxlength.
        self.widget.attrs["maxlength"] = str(length)


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
