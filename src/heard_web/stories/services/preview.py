"""An upload's preview: its columns, first rows (redacted) and a guess at which column is which."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from heard_web.projects.models import Project
from heard_web.stories.services import store
from heard_web.stories.services.uploads import _unzip, max_upload_bytes

PREVIEW_ROWS = 5
PREVIEW_CHARS = 300
#: The preview reads at least this many rows of a large file (and guesses the columns from
#: them), not all of it: a 200 MB file is read by the background import, not the request.
PREVIEW_SAMPLE_ROWS = 50

_ID_NAMES = re.compile(r"^(id|ref|reference|response ?id|respondent ?id|record ?id|case ?id|key)$")
_TIME_NAMES = re.compile(r"date|time|when|submitted|received|created|timestamp")


def read_preview(project: Project, path: Path, sheet: str | None = None) -> dict[str, Any]:
    """Columns, the first rows (redacted: no personal data is kept, even here) and guesses.

    Only the start of a large file is read (heard.ingest.preview): ``count`` is the number of
    rows when the whole file was read, else None, with ``estimate`` about how many there are
    (None when that cannot be told without reading it all).
    """
    from heard.ingest import preview

    target = _unzip(path) if path.suffix.lower() == ".zip" else path
    found = preview(
        target,
        rows=PREVIEW_SAMPLE_ROWS,
        sheet=sheet or None,
        max_file_bytes=max_upload_bytes(),
    )
    responses = found.responses
    data = responses.data
    columns = [str(c) for c in data.columns]
    redactor = store.redactor_for(project)
    rows = []
    for _, values in data.head(PREVIEW_ROWS).iterrows():
        cells = []
        for value in values.tolist():
            text = _cell(value)
            if len(text) > PREVIEW_CHARS:
                text = text[: PREVIEW_CHARS - 1] + "…"
            cells.append(redactor.redact(text).text if text else "")
        rows.append(cells)
    return {
        "columns": columns,
        "rows": rows,
        "count": found.total,
        "estimate": _about(found.estimate) if found.estimate is not None else None,
        "format": responses.format,
        "sheet": responses.details.get("sheet"),
        "sheets": list(responses.details.get("sheets") or []),
        "guess": guess_columns(data, responses.text) | {"sheet": responses.details.get("sheet")},
    }


def guess_columns(data: Any, text: str) -> dict[str, Any]:
    """Sensible first choices: heard's text column, an id, a date, a few segment columns."""
    import pandas as pd

    columns = [str(c) for c in data.columns]
    n = len(data)

    def normal(column: str) -> str:
        return " ".join(column.replace("_", " ").split()).casefold()

    def filled(column: str) -> Any:
        values = data[column]
        return values[values.map(lambda v: v is not None and str(v).strip() not in ("", "nan"))]

    id_col = None
    for column in columns:
        if column == text:
            continue
        if _ID_NAMES.match(normal(column)) or normal(column).endswith(" id"):
            values = filled(column)
            if len(values) == n and values.map(str).is_unique:
                id_col = column
                break
    time_col = None
    for column in columns:
        if column in (text, id_col):
            continue
        values = filled(column)
        if len(values) == 0:
            continue
        if pd.api.types.is_datetime64_any_dtype(data[column]) or (
            _TIME_NAMES.search(normal(column))
            and pd.to_datetime(values.map(str), errors="coerce", dayfirst=True, format="mixed")
            .notna()
            .mean()
            >= 0.8
        ):
            time_col = column
            break
    by: list[str] = []
    for column in columns:
        if column in (text, id_col, time_col) or len(by) >= 4:
            continue
        values = filled(column).map(str)
        distinct = values.nunique()
        few = len(values) and 2 <= distinct <= min(30, max(2, n // 2))
        if few and values.str.len().mean() <= 40:
            by.append(column)
    return {"text": text, "id": id_col, "by": by, "time": time_col}


def _cell(value: Any) -> str:
    from heard.redact import as_text

    if hasattr(value, "isoformat") and not isinstance(value, str):
        try:
            return str(value.isoformat())
        except ValueError:  # NaT
            return ""
    return as_text(value)


def _about(n: int) -> int:
    """A count rounded to two significant figures (403,754 -> 400,000): an estimate's precision."""
    if n < 100:
        return n
    scale = 10 ** (len(str(n)) - 2)
    return round(n / scale) * scale
