"""Forms of the analysis pages: run the analysis, and a person's edits to the themes."""

from __future__ import annotations

from typing import Any

from django import forms


class RunForm(forms.Form):
    n_themes = forms.TypedChoiceField(
        label="How many themes?",
        choices=[("auto", "Let heard choose")] + [(str(n), str(n)) for n in range(3, 26)],
        initial="auto",
        required=False,
        coerce=lambda v: v if v == "auto" else int(v),
        empty_value="auto",
        help_text="Only for the first analysis: a re-run keeps your themes and adds new ones only "
        "for stories that fit none.",
    )


class RenameForm(forms.Form):
    label = forms.CharField(
        label="New name",
        max_length=200,
        error_messages={"required": "Enter the theme's new name"},
    )


class MergeForm(forms.Form):
    keys = forms.MultipleChoiceField(
        label="Themes to merge",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least two themes to merge"},
    )
    into = forms.ChoiceField(label="Keep the name of", required=False)

    def __init__(self, *args: Any, themes: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(t.key, t.label) for t in themes]
        self.fields["keys"].choices = choices
        self.fields["into"].choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        keys = data.get("keys") or []
        if keys and len(keys) < 2:
            self.add_error("keys", "Choose at least two themes to merge")
        if keys and data.get("into") not in keys:
            data["into"] = keys[0]
        return data
