"""Responses, and the checks every input goes through, from a file or a DataFrame."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from heard.errors import EmptyInputError, InputError, SettingsError, TooLargeError
from heard.ingest import _columns
from heard.ingest._common import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    Table,
    capital,
    join_words,
    quoted,
    quoted_list,
    unique_names,
    where,
)


@dataclass
class Responses:
    """Responses read from a file or a DataFrame, with the columns that matter named.

    Attributes
    ----------
    data:
        One row per response, in input order, with every original column. The text
        column holds strings ("" where a response is empty); the time column, when
        given, holds datetimes; other empty cells are missing values.
    text, id, by, time, question:
        The names of the text column, the id column, the segment columns, the
        time column and the column of the question each response answers, as they
        appear in ``data``.
    source:
        The file or folder read, or "<DataFrame>".
    format:
        What was read: csv, tsv, xlsx, json, jsonl, txt, docx, vtt, srt, folder or dataframe.
    locations:
        Where each response came from, as a person would find it: "row 14" (the
        header is row 1), "item 3", "line 7", "table row 4", "turn 12", or a file name.
    details:
        How the file was read: encoding, delimiter, sheet, and the like.
    """

    data: pd.DataFrame
    text: str
    id: str | None = None
    by: list[str] = field(default_factory=list)
    time: str | None = None
    question: str | None = None
    source: str = ""
    format: str = ""
    locations: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def texts(self) -> list[str]:
        """The text of every response, in order."""
        return [str(value) for value in self.data[self.text]]


def from_frame(
    df: pd.DataFrame,
    text: str | None = None,
    id: str | None = None,
    by: str | Sequence[str] | None = None,
    time: str | None = None,
    *,
    question: str | None = None,
    max_cell_chars: int = MAX_CELL_CHARS,
    max_columns: int = MAX_COLUMNS,
) -> Responses:
    """Check an in-memory table the way :func:`heard.ingest.read` checks a file.

    ``df`` is copied, never changed. Rows are counted from 1 in messages.
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(
            f"heard needs a pandas DataFrame here, not {type(df).__name__}. "
            "Build one with pandas.DataFrame(...), or read a file with heard.ingest.read."
        )
    data = df.copy()
    data.columns = pd.Index(unique_names([_label(c) for c in data.columns]))
    data = data.reset_index(drop=True)
    table = Table(
        data=data,
        locations=[f"row {n}" for n in range(1, len(data) + 1)],
        source="<DataFrame>",
        format="dataframe",
        name="the table",
        empty_reason="The table has no rows.",
    )
    return build(
        table,
        text=text,
        id=id,
        by=by,
        time=time,
        question=question,
        max_cell_chars=max_cell_chars,
        max_columns=max_columns,
    )


def _label(column: object) -> str:
    if isinstance(column, tuple):
        return " ".join(str(part) for part in column if str(part).strip())
    return str(column)


def build(
    table: Table,
    *,
    text: str | None,
    id: str | None,
    by: str | Sequence[str] | None,
    time: str | None,
    question: str | None = None,
    max_cell_chars: int,
    max_columns: int,
) -> Responses:
    """Choose and check the columns of a table read by any reader."""
    data, name = table.data, table.name
    columns = [str(c) for c in data.columns]
    if len(data) == 0:
        raise EmptyInputError(table.empty_reason or f"{name} has no responses.")
    if len(columns) > max_columns:
        raise TooLargeError(
            f"{capital(name)} has {len(columns):,} columns; heard reads at most {max_columns:,}. "
            "Keep only the columns you need, or raise max_columns."
        )
    segment_names = [by] if isinstance(by, str) else list(by or [])
    id_col = _columns.find(columns, id, "--id", name) if id is not None else None
    by_cols = list(dict.fromkeys(_columns.find(columns, b, "--by", name) for b in segment_names))
    time_col = _columns.find(columns, time, "--time", name) if time is not None else None
    question_col = (
        _columns.find(columns, question, "--question", name) if question is not None else None
    )
    if text is not None:
        text_col = _columns.find(columns, text, "--text", name)
    else:
        taken = {id_col, time_col, question_col, *by_cols}
        text_col = _choose_text(data, [c for c in columns if c not in taken] or columns)
    if not table.cells_checked:
        _check_cell_sizes(table, max_cell_chars)

    data[text_col] = _as_text(data[text_col])
    if not data[text_col].str.strip().astype(bool).any():
        raise EmptyInputError(
            f"None of the {len(data):,} responses in {name} has any text in column "
            f"{quoted(text_col)}. Pick the column that holds the text with --text; the columns "
            f"are: {quoted_list(columns)}."
        )
    if id_col is not None:
        _check_ids(data[id_col], id_col, table)
    if time_col is not None:
        data[time_col] = _parse_times(data[time_col], time_col, table)
    if question_col is not None and question_col == text_col:
        raise SettingsError(
            f"The question column and the text column are both {quoted(text_col)}. "
            "--question names the column that holds the question each response answers "
            "(for example 'What could we do better?'); pick a different one, or leave it out."
        )
    return Responses(
        data=data.reset_index(drop=True),
        text=text_col,
        id=id_col,
        by=by_cols,
        time=time_col,
        question=question_col,
        source=table.source,
        format=table.format,
        locations=table.locations,
        details=table.details,
    )


def _choose_text(data: pd.DataFrame, candidates: list[str]) -> str:
    """The column named like a text column, else the one with the longest strings."""
    named = _columns.default_text(candidates)
    if named is not None:
        return named
    best, best_length = candidates[0], -1.0
    for column in candidates:
        values = data[column]
        strings = values[values.map(lambda v: isinstance(v, str))]
        if strings.empty:
            continue
        length = float(strings.str.len().sum()) / len(values)
        if length > best_length:
            best, best_length = column, length
    return best


def _check_cell_sizes(table: Table, limit: int) -> None:
    for column in table.data.columns:
        values = table.data[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        lengths = values.map(lambda v: len(v) if isinstance(v, str) else 0)
        over = np.flatnonzero(lengths.to_numpy() > limit)
        if len(over):
            first = int(over[0])
            raise TooLargeError(
                f"The cell in {table.locations[first]}, column {quoted(column)} of {table.name} "
                f"has {int(lengths.iloc[first]):,} characters; heard's limit is {limit:,}. "
                "Split that text into several responses, or raise max_cell_chars."
            )


def _as_text(values: pd.Series) -> pd.Series:
    """Every cell as a string: missing -> "", 3.0 -> "3", other values as printed."""

    def one(value: Any) -> str:
        if isinstance(value, str):
            return value
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, np.floating) and float(value).is_integer():
            return str(int(value))
        return str(value)

    return pd.Series([one(v) for v in values], index=values.index, dtype=object)


def _blank_mask(values: pd.Series) -> pd.Series:
    return values.map(
        lambda v: (
            v is None
            or v is pd.NaT
            or (isinstance(v, float) and np.isnan(v))
            or (isinstance(v, str) and not v.strip())
        )
    ).astype(bool)


def _check_ids(values: pd.Series, column: str, table: Table) -> None:
    blank = _blank_mask(values)
    if blank.any():
        rows = [table.locations[i] for i in np.flatnonzero(blank.to_numpy())]
        one = len(rows) == 1
        raise InputError(
            f"{capital(where(rows))} of {table.name} {'has' if one else 'have'} no value in the "
            f"id column {quoted(column)}. Fill {'it' if one else 'them'} in, or leave out --id to "
            "number the responses in order."
        )
    keys = values.map(_id_key)
    repeated = np.flatnonzero(keys.duplicated(keep=False).to_numpy())
    if not len(repeated):
        return
    rows_of: dict[Any, list[str]] = {}
    for position in repeated:
        rows_of.setdefault(keys.iloc[position], []).append(table.locations[position])
    groups = [
        f"{quoted(value, 20)} in {where(rows, 4)}" for value, rows in list(rows_of.items())[:3]
    ]
    more = f" ({len(rows_of):,} values repeat in all)" if len(rows_of) > 3 else ""
    raise InputError(
        f"The id column {quoted(column)} of {table.name} must be unique, but it repeats "
        f"{join_words(groups)}{more}. Fix the repeats, or leave out --id to number the "
        "responses in order."
    )


def _id_key(value: Any) -> Any:
    """What makes two ids the same: surrounding spaces do not; an unhashable value by its repr."""
    if isinstance(value, str):
        return value.strip()
    return value if isinstance(value, Hashable) else repr(value)


def _parse_times(values: pd.Series, column: str, table: Table) -> pd.Series:
    """Dates and times: ISO 8601 first, then day-first (31/03/2026), as UK forms write them.

    Times with a UTC offset are converted to UTC and the offset dropped, so one column
    never mixes kinds. Empty cells are missing values.
    """
    blank = _blank_mask(values).to_numpy()
    text = pd.Series(
        [
            None if b else (v if isinstance(v, str) else _stamp(v))
            for v, b in zip(values, blank, strict=True)
        ],
        index=values.index,
        dtype=object,
    )
    parsed = _to_datetime(text, "ISO8601")
    missing = parsed.isna().to_numpy() & ~blank
    if missing.any():
        parsed[missing] = _to_datetime(text[missing], "mixed")
    bad = np.flatnonzero(parsed.isna().to_numpy() & ~blank)
    if len(bad):
        shown = [f"{table.locations[i]} ({quoted(values.iloc[i], 24)})" for i in bad[:3]]
        raise InputError(
            f"Column {quoted(column)} (--time) of {table.name} has values heard cannot read as "
            f"dates: {join_words(shown, len(bad))}. Write dates like 2026-03-31 or 31/03/2026, "
            "or leave those cells empty."
        )
    return parsed


def _stamp(value: Any) -> str:
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _to_datetime(text: pd.Series, fmt: str) -> pd.Series:
    try:
        result = pd.to_datetime(
            text, format=fmt, dayfirst=fmt == "mixed", errors="coerce", utc=True
        )
    except (ValueError, TypeError, OverflowError):
        return pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    return result.dt.tz_convert(None)
