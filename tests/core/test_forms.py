"""Citizen form fields: one template draws every widget Felles uses, in Designsystemet markup, and
the attributes are there however late a form adds its field."""

import re
from pathlib import Path

from django import forms
from django.conf import settings
from django.template.loader import render_to_string

from core.forms import CodeField, FirstOptionRadioSelect, Form
from minid.forms import OneTimeCodeForm, PinCodesForm

CHOICES = [("a", "Alfa"), ("b", "Beta")]


def drawn(form: forms.Form, name: str) -> str:
    return render_to_string("includes/field.html", {"field": form[name]})


class EveryWidget(Form):
    radio = forms.ChoiceField(label="Radio", choices=CHOICES, widget=forms.RadioSelect)
    first_option = forms.ChoiceField(label="First", choices=CHOICES, widget=FirstOptionRadioSelect)
    several = forms.MultipleChoiceField(label="Several", choices=CHOICES, widget=forms.CheckboxSelectMultiple)
    agree = forms.BooleanField(label="I agree")
    text = forms.CharField(label="Text", help_text="Some help")


def test_every_radio_group_is_a_fieldset_with_its_legend_and_styled_options():
    form = EveryWidget()
    for name, input_type in [("radio", "radio"), ("first_option", "radio"), ("several", "checkbox")]:
        html = drawn(form, name)
        assert html.strip().startswith('<fieldset class="ds-fieldset"'), (name, html)
        assert f'<legend class="ds-label" data-weight="medium">{form[name].label}</legend>' in html
        assert len(re.findall(rf'<input class="ds-input" type="{input_type}" name="{name}"', html)) == 2
        # Django's own markup (a div with the field's id around bare inputs) is never drawn.
        assert f'<div id="id_{name}"' not in html


def test_a_single_checkbox_has_its_label_after_the_box():
    html = drawn(EveryWidget(), "agree")
    box, label = html.index('type="checkbox"'), html.index('<label class="ds-label" for="id_agree"')
    assert box < label and 'class="ds-input"' in html


def test_an_error_marks_the_options_and_points_to_the_message():
    form = EveryWidget(data={"first_option": "x"})
    assert not form.is_valid()
    html = drawn(form, "first_option")
    assert '<fieldset class="ds-fieldset" aria-describedby="id_first_option_error">' in html
    assert html.count('aria-invalid="true"') == 2
    assert 'id="id_first_option_error"' in html


def test_a_text_field_points_to_its_help_and_error():
    form = EveryWidget(data={"text": ""})
    form.is_valid()
    html = drawn(form, "text")
    assert 'class="ds-input"' in html and 'aria-invalid="true"' in html
    assert 'aria-describedby="id_text_help id_text_error"' in html


def test_fields_a_form_adds_after_building_are_styled_too():
    """The PIN codes asked are fields added in __init__; they were bare native boxes."""
    form = PinCodesForm(numbers=[3, 17])
    html = drawn(form, "pin_17")
    assert re.search(r'class="ds-input felles-code-input"', html)
    assert 'inputmode="numeric"' in html and 'maxlength="5"' in html and 'size="5"' in html


def test_a_code_box_is_as_long_as_its_code_and_offers_the_right_keyboard():
    sms = str(OneTimeCodeForm(pin=False)["code"])
    pin = str(OneTimeCodeForm(pin=True)["code"])
    assert 'inputmode="text"' in sms and 'autocapitalize="characters"' in sms and 'maxlength="5"' in sms
    assert 'inputmode="numeric"' in pin and 'maxlength="5"' in pin
    for html in (sms, pin):
        assert 'autocomplete="one-time-code"' in html


def test_a_code_pasted_with_spaces_still_reaches_the_service():
    """The box stops typing at the code's length; the server takes a little more, as the services
    strip spaces, and still refuses a long value."""

    class CodeForm(Form):
        code = CodeField(length=6, digits_only=True, max_length=12)

    assert CodeForm(data={"code": "123 456"}).is_valid()
    assert not CodeForm(data={"code": "1" * 13}).is_valid()


def test_no_citizen_template_draws_a_field_itself():
    """Every citizen form field goes through includes/field.html; admin pages use Django's own."""
    own_markup = re.compile(r"\{\{\s*(form\.\w+|field|radio\.tag|choice\.tag)\s*\}\}")
    offenders = []
    for template in Path(settings.BASE_DIR).glob("*/templates/**/*.html"):
        relative = template.relative_to(settings.BASE_DIR)
        if ".venv" in relative.parts or "admin" in relative.parts or relative.parts[0] == "node_modules":
            continue
        if relative == Path("templates/includes/field.html"):
            continue
        if own_markup.search(template.read_text()):
            offenders.append(str(relative))
    assert not offenders, offenders
