"""Finding columns by name: exactly, then ignoring case and spacing, then suggesting."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from heard.errors import ColumnNotFoundError
from heard.ingest._common import quoted, quoted_list

#: Names that mark the text column when --text is not given, most telling first.
TEXT_NAMES = ("text", "comment", "response", "feedback", "answer", "story")
_TEXT_PLURALS = ("texts", "comments", "responses", "answers", "stories")


def normalise(name: object) -> str:
    return " ".join(str(name).split()).casefold()


def matches(columns: Sequence[str], name: str) -> list[str]:
    """Columns called ``name``: the exact one if there is one, else any that differ only
    in case or spacing."""
    if name in columns:
        return [name]
    key = normalise(name)
    return [column for column in columns if normalise(column) == key]


def find(columns: Sequence[str], name: str, flag: str, source: str) -> str:
    """The column called ``name``, or a ColumnNotFoundError that suggests the closest."""
    found = matches(columns, name)
    if len(found) == 1:
        return found[0]
    if found:
        raise ColumnNotFoundError(
            f"{quoted(name)} ({flag}) matches {len(found)} columns of {source} that differ only "
            f"in capitals or spaces: {quoted_list(found)}. Give the exact name with {flag}."
        )
    guess = suggest(columns, name)
    hint = f" Did you mean {quoted(guess)}?" if guess else ""
    raise ColumnNotFoundError(
        f"There is no column {quoted(name)} ({flag}) in {source}.{hint} "
        f"The columns are: {quoted_list(list(columns))}."
    )


def suggest(columns: Sequence[str], name: str) -> str | None:
    """The column most like ``name``: a close spelling, or the one column that contains it."""
    by_key = {normalise(column): column for column in reversed(columns)}
    key = normalise(name)
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.6)
    if close:
        return by_key[close[0]]
    containing = [column for k, column in by_key.items() if len(key) >= 3 and key in k]
    return containing[0] if len(containing) == 1 else None


def default_text(columns: Sequence[str]) -> str | None:
    """The column whose name says it holds the text (text, comment, response...), if any."""
    for names in (TEXT_NAMES, _TEXT_PLURALS):
        for wanted in names:
            for column in columns:
                if normalise(column) == wanted:
                    return column
    return None
