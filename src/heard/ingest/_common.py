"""What every reader shares: limits, the table a reader hands back, and message helpers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: The longest cell heard accepts, in characters. A book is about a million characters;
#: a longer cell is almost always a broken file (an unclosed quote swallowing the rest).
MAX_CELL_CHARS = 1_000_000
#: The widest sheet or table heard accepts, in columns.
MAX_COLUMNS = 1_000
#: The largest file (or folder, all files together) heard reads, in bytes.
MAX_FILE_BYTES = 2 * 1024**3

TEXT_FORMATS = ("csv", "tsv", "json", "jsonl", "txt", "vtt", "srt")
SUPPORTED = "CSV, TSV, XLSX, JSON, JSON Lines, TXT, Markdown, DOCX, VTT and SRT"


@dataclass
class Table:
    """What a reader hands back before columns are chosen and checked.

    ``locations`` says where each row came from, as a person would find it in the
    file ("row 14", "item 3", "line 7", "turn 4 of interview.vtt").
    """

    data: pd.DataFrame
    locations: list[str]
    source: str
    format: str
    name: str
    details: dict[str, Any] = field(default_factory=dict)
    empty_reason: str = ""
    #: True when the reader already enforced the cell-size limit as it parsed.
    cells_checked: bool = False


_LOCATION = re.compile(r"^(?P<word>row|line|item|turn|table row) (?P<n>\d+)(?P<rest>.*)$", re.S)
_PLURALS = {
    "row": "rows",
    "line": "lines",
    "item": "items",
    "turn": "turns",
    "table row": "table rows",
}


def join_words(words: Sequence[str], total: int | None = None) -> str:
    """'a', 'a and b', 'a, b and c', or 'a, b, c and 7 more' when ``total`` is larger."""
    words = list(words)
    more = (total or len(words)) - len(words)
    if more > 0:
        return f"{', '.join(words)} and {more:,} more"
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def where(locations: Sequence[str], limit: int = 5) -> str:
    """Locations as a phrase: ['row 14', 'row 27'] -> 'rows 14 and 27'."""
    shown = list(locations[:limit])
    total = len(locations)
    parsed = [_LOCATION.match(loc) for loc in shown]
    if shown and all(parsed):
        groups = {(m.group("word"), m.group("rest")) for m in parsed if m}
        if len(groups) == 1:
            word, rest = groups.pop()
            numbers = [m.group("n") for m in parsed if m]
            if total == 1:
                return f"{word} {numbers[0]}{rest}"
            return f"{_PLURALS[word]} {join_words(numbers, total)}{rest}"
    return join_words(shown, total)


def capital(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def quoted(value: object, width: int = 40) -> str:
    """A value for a message: quoted, on one line, cut to ``width`` characters."""
    text = " ".join(str(value).split())
    if len(text) > width:
        text = text[: width - 1] + "…"
    return f"'{text}'"


def quoted_list(values: Sequence[object], budget: int = 160) -> str:
    """Quoted values joined with commas, stopping before ``budget`` characters."""
    parts: list[str] = []
    used = 0
    for value in values:
        part = quoted(value, 30)
        if parts and used + len(part) > budget:
            break
        parts.append(part)
        used += len(part) + 2
    return join_words(parts, len(values)) if len(parts) < len(values) else ", ".join(parts)


def unique_names(names: Sequence[object], blank: str = "column {n}") -> list[str]:
    """Column names as unique strings: blanks become 'column 3', repeats 'comment (2)'."""
    result: list[str] = []
    seen: set[str] = set()
    for n, raw in enumerate(names, start=1):
        name = "" if raw is None or (isinstance(raw, float) and raw != raw) else str(raw)
        if not name.strip():
            name = blank.format(n=n)
        candidate, k = name, 2
        while candidate in seen:
            candidate = f"{name} ({k})"
            k += 1
        seen.add(candidate)
        result.append(candidate)
    return result


def size_words(n_bytes: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n_bytes >= factor:
            return f"{n_bytes / factor:,.1f} {unit}"
    return f"{n_bytes:,} bytes"
