"""The GOV.UK form tags render each kind of field as the person expects to use it."""

from __future__ import annotations

from django import forms
from django.template import Context, Template


class Choices(forms.Form):
    segments = forms.MultipleChoiceField(
        label="Segments",
        choices=[("role", "role"), ("area", "area")],
        widget=forms.CheckboxSelectMultiple,
    )
    kind = forms.ChoiceField(
        label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )


def render(field: str) -> str:
    template = Template("{% load govuk %}{% govuk_field form." + field + " %}")
    return template.render(Context({"form": Choices()}))


def test_a_multiple_choice_field_shows_checkboxes_so_several_can_be_ticked():
    html = render("segments")
    assert html.count('type="checkbox"') == 2 and 'type="radio"' not in html
    assert "govuk-checkboxes" in html


def test_a_single_choice_field_shows_radios():
    html = render("kind")
    assert html.count('type="radio"') == 2 and 'type="checkbox"' not in html
