"""Forms of the stories app: the upload, the column choice on the preview page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

FORMATS_HINT = (
    "CSV, TSV, Excel (.xlsx), JSON, JSON Lines, text (.txt, .md), Word (.docx), "
    "transcripts (.vtt, .srt), or a .zip of text files and transcripts. Up to {mb} MB."
)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        # heard itself explains an empty file, as the command line does
        allow_empty_file=True,
        error_messages={"required": "Select a file to import"},
    )

    def __init__(self, *args: Any, suffixes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suffixes = suffixes
        self.fields["file"].help_text = FORMATS_HINT.format(mb=settings.MAX_UPLOAD_MB)
        self.fields["file"].widget.attrs["accept"] = ",".join(suffixes)


class ColumnsForm(forms.Form):
    """Which column holds the text, the id, the segments and the date."""

    text = forms.ChoiceField(
        label="Which column holds what people said?",
        help_text="Required. heard's best guess is chosen.",
        error_messages={"required": "Choose the column that holds the text"},
    )
    id = forms.ChoiceField(
        label="Which column identifies each response? (optional)",
        help_text="A reference that is different in every row. Leave it as ‘None’ if there "
        "is none: re-importing the same rows still adds no duplicates.",
        required=False,
    )
    by = forms.MultipleChoiceField(
        label="Which columns describe who said it? (optional)",
        help_text="Segments to compare and filter by, such as role, area or service.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    time = forms.ChoiceField(
        label="Which column holds the date? (optional)",
        help_text="Dates such as 2026-03-31 or 31/03/2026.",
        required=False,
    )

    def __init__(self, *args: Any, columns: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pairs = [(c, c) for c in columns]
        none = [("", "None")]
        self.fields["text"].choices = pairs
        self.fields["id"].choices = none + pairs
        self.fields["by"].choices = pairs
        self.fields["time"].choices = none + pairs

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        text = data.get("text")
        for name, label in (("id", "id"), ("time", "date")):
            if text and data.get(name) == text:
                self.add_error(
                    name,
                    f"The {label} column cannot also be the text column. Choose another, "
                    "or ‘None’.",
                )
        if text and text in (data.get("by") or []):
            self.add_error("by", "The text column cannot also be a segment. Untick it.")
        return data

    def columns(self, sheet: str | None) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "text": data["text"],
            "id": data.get("id") or None,
            "by": list(data.get("by") or []),
            "time": data.get("time") or None,
            "sheet": sheet,
        }


class SheetForm(forms.Form):
    sheet = forms.ChoiceField(label="Which sheet?")

    def __init__(self, *args: Any, sheets: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sheet"].choices = [(s, s) for s in sheets]
