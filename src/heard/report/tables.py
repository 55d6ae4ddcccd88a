"""The analysis as tables: themes.csv, assignments.csv and the results.xlsx workbook.

The CSV files are meant for other programs and for comparing runs, so the same analysis
always gives the same bytes: documented column order, floats rounded to 4 decimals and
printed with a fixed format, UTF-8, ``\\n`` line endings, nothing run-specific. The
workbook is meant for people: styled headers, frozen header rows, sensible widths,
wrapped text, and every text cell stored as text, so a response that starts with "="
can never run as a formula.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from heard.report import xlsx
from heard.report.wording import percent, sentiment_phrase
from heard.result import NO_THEME_ID, NO_THEME_LABEL, SENTIMENT_LABELS, Analysis

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "THEME_COLUMNS",
    "assignments_csv",
    "atomic_path",
    "table_csv",
    "themes_csv",
    "write_bytes_atomic",
    "write_xlsx",
]

THEME_COLUMNS = [
    "theme_id",
    "parent_id",
    "level",
    "label",
    "key_phrases",
    "size",
    "mentions",
    "share",
    *SENTIMENT_LABELS,
    "sentiment_score",
    "source",
]
ASSIGNMENT_COLUMNS = [
    "response_id",
    "theme_id",
    "theme",
    "subtheme_id",
    "subtheme",
    "score",
    "primary",
]
QUOTE_COLUMNS = ["theme_id", "theme", "rank", "response_id", "text"]
_INT_COLUMNS = {"level", "size", "mentions", "rank"}
_SHARE_COLUMNS = {"share", *SENTIMENT_LABELS}
_SCORE_COLUMNS = {"score", "sentiment_score"}


# CSV -----------------------------------------------------------------------------------


def _in_order(frame: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    columns = [c for c in first if c in frame.columns]
    return frame[columns + [c for c in frame.columns if c not in columns]]


def _stable(frame: pd.DataFrame) -> pd.DataFrame:
    """The same numbers printed the same way on every run and platform."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if column in _INT_COLUMNS and pd.api.types.is_float_dtype(values.dtype):
            out[column] = values.round().astype("Int64")
        elif pd.api.types.is_float_dtype(values.dtype):
            out[column] = values.round(4) + 0.0  # + 0.0 turns -0.0 into 0.0
    return out


def table_csv(frame: pd.DataFrame, first: Sequence[str] = ()) -> bytes:
    """``frame`` as heard writes every CSV file: ``first`` columns first, numbers printed the
    same way on every run, UTF-8 with a byte-order mark."""
    text = _stable(_in_order(frame, list(first))).to_csv(
        index=False, lineterminator="\n", float_format="%.4f"
    )
    # With a byte-order mark, Excel reads the file as UTF-8 ("café", “quotes”, £) instead of
    # the PC's own code page; pandas, R and Python's "utf-8-sig" read it as plain UTF-8.
    return text.encode("utf-8-sig")


def themes_csv(analysis: Analysis) -> bytes:
    """themes.csv: one row per theme and sub-theme, biggest theme first, as in ``Analysis.themes``."""
    return table_csv(analysis.themes, THEME_COLUMNS)


def assignments_csv(analysis: Analysis) -> bytes:
    """assignments.csv: one row per (response, theme), as in ``Analysis.assignments``."""
    return table_csv(analysis.assignments, ASSIGNMENT_COLUMNS)


# Writing files safely ------------------------------------------------------------------


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary name beside ``path``; on success it replaces ``path`` in one step.

    A reader never sees a half-written file, and a failure leaves any earlier file as it was.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    # os.open honours the user's umask, as an ordinary new file would.
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp, tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


# XLSX ----------------------------------------------------------------------------------


def _column_style(column: str) -> int | None:
    if column in _SHARE_COLUMNS:
        return xlsx.SHARE
    if column in _SCORE_COLUMNS:
        return xlsx.SCORE
    if column in _INT_COLUMNS:
        return xlsx.INTEGER
    return None


def _table(frame: pd.DataFrame) -> tuple[list[xlsx.Column], int, int]:
    """A frame as sheet columns, with how many cells were shortened and rows left out."""
    dropped = max(0, len(frame) - (xlsx.EXCEL_ROW_LIMIT - 1))
    if dropped:
        frame = frame.head(xlsx.EXCEL_ROW_LIMIT - 1)
    columns = []
    for column in frame.columns:
        values = frame[column]
        numeric = pd.api.types.is_numeric_dtype(values.dtype)
        style = _column_style(str(column)) if numeric else None
        columns.append(xlsx.column_from_series(str(column), values, style=style))
    return columns, sum(c.cut for c in columns), dropped


def _quotes_table(analysis: Analysis) -> pd.DataFrame:
    """The Quotes sheet: each theme's quotes in rank order, themes in report order."""
    quotes = analysis.quotes.copy()
    if "theme_id" not in quotes.columns:
        return quotes
    themes = analysis.themes
    labels = dict(zip(themes["theme_id"].astype(str), themes["label"], strict=False))
    labels.setdefault(NO_THEME_ID, NO_THEME_LABEL)
    order = {tid: i for i, tid in enumerate(labels)}
    quotes["theme_id"] = quotes["theme_id"].astype(str)
    quotes["theme"] = quotes["theme_id"].map(labels)
    quotes["_order"] = quotes["theme_id"].map(order).fillna(len(order))
    keys = ["_order", "rank"] if "rank" in quotes.columns else ["_order"]
    quotes = quotes.sort_values(keys, kind="mergesort").drop(columns="_order")
    return _in_order(quotes, QUOTE_COLUMNS).reset_index(drop=True)


def _summary_rows(analysis: Analysis, notes: list[str]) -> list[xlsx.SummaryRow]:
    """The Summary sheet: the main numbers, the biggest themes and how the analysis was made."""
    from heard.report.html import settings_rows, theme_views

    Row = xlsx.SummaryRow
    settings = analysis.settings or {}
    n = analysis.n_responses
    r = analysis.responses
    themes = theme_views(analysis)
    rows = [
        Row("Responses", n, value_style=xlsx.INTEGER),
        Row("Themes found", len(themes), value_style=xlsx.INTEGER),
        Row("No clear theme (share of responses)", analysis.no_theme_share, value_style=xlsx.SHARE),
    ]
    if "sentiment" in r and n:
        shares = r["sentiment"].value_counts(normalize=True)
        for label in SENTIMENT_LABELS:
            rows.append(
                Row(f"Sentiment: {label}", float(shares.get(label, 0.0)), value_style=xlsx.SHARE)
            )
    redact = settings.get("redact")
    privacy = "Not recorded."
    if redact is True:
        privacy = (
            "Removed before analysis: names, phone numbers, email addresses and similar "
            "details were replaced with labels such as [NAME]."
        )
    elif redact is False:
        privacy = "NOT removed. This workbook may contain details that identify people."
    rows += [
        Row("Personal data", privacy, style=xlsx.BOLD),
        Row(""),
        Row("Biggest themes", style=xlsx.BOLD),
    ]
    for t in themes:
        parts = dict(zip(SENTIMENT_LABELS, t.sentiment_parts, strict=True))
        feeling = sentiment_phrase(parts)
        rows.append(
            Row(f"{t.number}. {t.label}", f"{t.size:,} responses ({percent(t.share)}), {feeling}")
        )
    rows += [Row(""), Row("How this was made", style=xlsx.BOLD)]
    rows += [Row(name, value) for name, value in settings_rows(settings, n)]
    rows += [
        Row(""),
        Row("Sheets", style=xlsx.BOLD),
        Row("Themes", "One row per theme and sub-theme, biggest theme first."),
        Row("Assignments", "One row per response and theme it was linked to, with its score."),
        Row("Responses", "Every response with its main theme, sub-theme and sentiment."),
        Row("Quotes", "The responses chosen as most typical of each theme."),
    ]
    if notes:
        rows += [Row(""), *(Row("Note", note, style=xlsx.BOLD) for note in notes)]
    return rows


def write_xlsx(analysis: Analysis, path: Path) -> None:
    """results.xlsx: sheets Summary, Themes, Assignments, Responses and Quotes."""
    title = str((analysis.settings or {}).get("title") or "What people told us")
    frames = {
        "Themes": _in_order(analysis.themes, THEME_COLUMNS),
        "Assignments": _in_order(analysis.assignments, ASSIGNMENT_COLUMNS),
        "Responses": analysis.responses,
        "Quotes": _quotes_table(analysis),
    }
    sheets = []
    cut = 0
    notes = []
    for name, frame in frames.items():
        columns, n_cut, dropped = _table(frame)
        cut += n_cut
        if dropped:
            notes.append(
                f"The {name} sheet shows the first {xlsx.EXCEL_ROW_LIMIT - 1:,} rows; "
                f"{dropped:,} more are in the CSV files, because Excel sheets hold at most "
                f"{xlsx.EXCEL_ROW_LIMIT:,} rows."
            )
        sheets.append((name, *xlsx.table_sheet(columns)))
    if cut:
        notes.append(
            f"{cut:,} cells were longer than the 32,767 characters Excel allows and were "
            "shortened; they end with a note saying so."
        )
    summary = xlsx.summary_sheet(title, _summary_rows(analysis, notes))
    xlsx.write_workbook(path, title, [("Summary", summary, None), *sheets])
