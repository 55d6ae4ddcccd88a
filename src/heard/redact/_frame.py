"""Redacting the text columns of a table."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from heard.errors import ColumnNotFoundError, InputError, TooLargeError
from heard.redact._redactor import Redactor

if TYPE_CHECKING:
    import pandas as pd

#: Columns of the record :func:`redact_frame` returns, one row per replaced stretch.
RECORD_COLUMNS = ["row", "column", "start", "end", "kind", "detector", "score", "placeholder"]


def redact_frame(
    df: pd.DataFrame,
    columns: str | Sequence[str],
    redactor: Redactor | None = None,
    progress: Any = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Redact ``columns`` of ``df``; return the redacted copy and the redaction record.

    The copy keeps every other column, the index and the row order. A redacted cell
    becomes a string; a cell with nothing to redact keeps its value and type, and
    missing cells stay missing. The record has one row per replaced stretch:
    ``row`` (0-based position), ``column``, ``start`` and ``end`` (offsets into the
    original cell), ``kind``, ``detector``, ``score`` and ``placeholder``, and holds
    none of the original values. ``redactor`` defaults to ``Redactor()``.
    """
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise InputError(
            f"redact_frame needs a pandas DataFrame, not {type(df).__name__}. For single "
            "texts use Redactor().redact(text)."
        )
    names = [columns] if isinstance(columns, str) else list(columns)
    if not names:
        raise InputError("Name at least one column to redact, e.g. columns=['comment'].")
    labels = [str(c) for c in df.columns]
    chosen = []
    for name in names:
        if name in df.columns:
            chosen.append(name)
            continue
        if str(name) in labels:
            chosen.append(df.columns[labels.index(str(name))])
            continue
        close = difflib.get_close_matches(str(name), labels, n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ColumnNotFoundError(
            f"There is no column '{name}' to redact.{hint} The columns are: "
            f"{', '.join(repr(c) for c in labels[:20])}{' ...' if len(labels) > 20 else ''}."
        )
    redactor = redactor if redactor is not None else Redactor()
    out = df.copy()
    records: list[dict[str, Any]] = []
    for column in dict.fromkeys(chosen):
        position = list(out.columns).index(column)
        values = out.iloc[:, position].tolist()
        try:
            results = redactor.redact_many(values, progress=progress)
        except TooLargeError as exc:
            raise TooLargeError(f"Column '{column}': {exc}") from None
        new_values: list[Any] = []
        for n, (value, result) in enumerate(zip(values, results, strict=True)):
            if not result.spans:
                new_values.append(value)
                continue
            new_values.append(result.text)
            for span in result.spans:
                records.append({"row": n, "column": str(column), **span.to_dict()})
        out[column] = pd.Series(new_values, index=out.index, dtype=object)
    record = pd.DataFrame.from_records(records, columns=RECORD_COLUMNS)
    return out, record
