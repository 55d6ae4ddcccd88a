"""GOV.UK Frontend markup for Django forms: ``{% govuk_error_summary form %}``, ``{% govuk_field form.name %}``.

Every form page shows the error summary at the top (linking to each field) and each field
with its label, hint and error message, as the GOV.UK Design System asks.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def govuk_error_summary(*forms_: forms.BaseForm | None) -> SafeString:
    """The red box listing every error, each a link to its field; empty when all is well."""
    items: list[tuple[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound or not form.errors:
            continue
        for error in form.non_field_errors():
            items.append(("#main-content", str(error)))
        for name, errors in form.errors.items():
            if name == forms.forms.NON_FIELD_ERRORS:
                continue
            anchor = (
                f"#{form[name].id_for_label or form[name].auto_id}" if name in form.fields else ""
            )
            items.extend((anchor, str(error)) for error in errors)
    if not items:
        return mark_safe("")
    links = format_html_join(
        "\n",
        '<li><a href="{}">{}</a></li>',
        ((href or "#main-content", text) for href, text in items),
    )
    return format_html(
        '<div class="govuk-error-summary" data-module="govuk-error-summary">'
        '<div role="alert"><h2 class="govuk-error-summary__title">There is a problem</h2>'
        '<div class="govuk-error-summary__body"><ul class="govuk-list govuk-error-summary__list">'
        "{}</ul></div></div></div>",
        links,
    )


def _kind(widget: forms.Widget) -> str:
    # CheckboxSelectMultiple is a subclass of RadioSelect: ask about it first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


CLASSES = {
    "input": "govuk-input",
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "file": "govuk-file-upload",
}


@register.simple_tag
def govuk_field(field: BoundField, classes: str = "", label_class: str = "") -> SafeString:
    """One form field in GOV.UK markup: label, hint, error message, control."""
    kind = _kind(field.field.widget)
    error_id = f"{field.auto_id}-error"
    hint_id = f"{field.auto_id}-hint"
    described = []
    hint = (
        format_html('<div id="{}" class="govuk-hint">{}</div>', hint_id, field.help_text)
        if field.help_text
        else ""
    )
    if field.help_text:
        described.append(hint_id)
    error = ""
    if field.errors:
        described.append(error_id)
        error = format_html(
            '<p id="{}" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {}</p>',
            error_id,
            " ".join(str(e) for e in field.errors),
        )
    group_class = "govuk-form-group" + (" govuk-form-group--error" if field.errors else "")
    attrs: dict[str, Any] = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)

    if kind in {"radios", "checkboxes"}:
        item = "govuk-radios" if kind == "radios" else "govuk-checkboxes"
        options = []
        for sub in field.subwidgets:
            options.append(
                format_html(
                    '<div class="{}__item"><input class="{}__input" type="{}" name="{}" value="{}" id="{}"{}>'
                    '<label class="govuk-label {}__label" for="{}">{}</label></div>',
                    item,
                    item,
                    "radio" if kind == "radios" else "checkbox",
                    sub.data["name"],
                    sub.data["value"],
                    sub.id_for_label,
                    mark_safe(" checked") if sub.data["selected"] else "",
                    item,
                    sub.id_for_label,
                    sub.choice_label,
                )
            )
        described_attr = (
            format_html(' aria-describedby="{}"', " ".join(described)) if described else ""
        )
        return format_html(
            '<div class="{}"><fieldset class="govuk-fieldset"{}>'
            '<legend class="govuk-fieldset__legend {}">{}</legend>{}{}'
            '<div class="{}{}" data-module="{}">{}</div></fieldset></div>',
            group_class,
            described_attr,
            label_class or "govuk-fieldset__legend--s",
            field.label,
            hint,
            error,
            item,
            " govuk-radios--small" if "small" in classes else "",
            item,
            mark_safe("".join(options)),
        )

    if kind == "checkbox":
        attrs["class"] = "govuk-checkboxes__input"
        control = field.as_widget(attrs=attrs)
        return format_html(
            '<div class="{}"><div class="govuk-checkboxes" data-module="govuk-checkboxes">'
            '<div class="govuk-checkboxes__item">{}<label class="govuk-label govuk-checkboxes__label" for="{}">{}</label>'
            "{}</div></div>{}</div>",
            group_class,
            control,
            field.id_for_label,
            field.label,
            format_html(
                '<div id="{}" class="govuk-hint govuk-checkboxes__hint">{}</div>',
                hint_id,
                field.help_text,
            )
            if field.help_text
            else "",
            error,
        )

    base = CLASSES[kind]
    attrs["class"] = " ".join(
        c for c in [base, f"{base}--error" if field.errors else "", classes] if c
    )
    control = field.as_widget(attrs=attrs)
    return format_html(
        '<div class="{}"><label class="govuk-label {}" for="{}">{}</label>{}{}{}</div>',
        group_class,
        label_class,
        field.id_for_label,
        field.label,
        hint,
        error,
        control,
    )
