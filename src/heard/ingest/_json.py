"""JSON (a list of objects, or an object holding one such list) and JSON Lines."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from heard.errors import EmptyInputError, UnreadableFileError
from heard.ingest._common import Table, quoted_list

_SHAPE_HELP = 'heard reads a list of objects, like [{"comment": "..."}, ...].'


def read_json(text: str, name: str, source: str, fmt: str) -> Table:
    """Read JSON or JSON Lines; a .json file that is really JSON Lines is read as such."""
    if fmt == "jsonl":
        return _read_lines(text, name, source)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and _looks_like_lines(text):
            return _read_lines(text, name, source)
        raise UnreadableFileError(
            f"{name} is not valid JSON: {exc.msg.lower()} at line {exc.lineno:,}, column "
            f"{exc.colno:,}. Fix the file there, or export it again."
        ) from None
    items, key = _find_items(document, name)
    details: dict[str, object] = {"key": key} if key else {}
    records = [_record(item, f"item {n}", name) for n, item in enumerate(items, start=1)]
    return _table(
        records, [f"item {n}" for n in range(1, len(records) + 1)], name, source, "json", details
    )


def _looks_like_lines(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        return isinstance(json.loads(first), dict | str)
    except json.JSONDecodeError:
        return False


def _read_lines(text: str, name: str, source: str) -> Table:
    records: list[dict[str, Any]] = []
    locations: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == 1 and line.strip().startswith("["):
                return read_json(text, name, source, "json")
            raise UnreadableFileError(
                f"Line {number:,} of {name} is not valid JSON ({exc.msg.lower()} at column "
                f"{exc.colno:,}). JSON Lines needs one complete object on each line."
            ) from None
        records.append(_record(item, f"line {number}", name))
        locations.append(f"line {number}")
    if not records:
        raise EmptyInputError(f"{name} has no lines with data. Check you picked the right file.")
    return _table(records, locations, name, source, "jsonl", {})


def _find_items(document: Any, name: str) -> tuple[list[Any], str | None]:
    if isinstance(document, list):
        return document, None
    if isinstance(document, dict):
        lists = {k: v for k, v in document.items() if isinstance(v, list)}
        if len(lists) > 1:
            lists = {k: v for k, v in lists.items() if v and all(isinstance(i, dict) for i in v)}
        if len(lists) == 1:
            key, items = next(iter(lists.items()))
            return items, key
        if len(lists) > 1:
            raise UnreadableFileError(
                f"{name} holds several lists of objects ({quoted_list(list(lists))}), so heard "
                f"cannot tell which holds the responses. Save just that list. {_SHAPE_HELP}"
            )
    raise UnreadableFileError(
        f"{name} is {_kind(document)}, not a list of responses. {_SHAPE_HELP}"
    )


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object with no list in it"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "null"


def _record(item: Any, location: str, name: str) -> dict[str, Any]:
    if isinstance(item, dict):
        return _flatten(item)
    if isinstance(item, str):
        return {"text": item}
    raise UnreadableFileError(
        f"{location.capitalize()} of {name} is {_kind(item)}, not an object or a string. "
        f"{_SHAPE_HELP}"
    )


def _flatten(item: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects become dotted columns: {"who": {"role": "adopter"}} -> who.role."""
    flat: dict[str, Any] = {}
    for key, value in item.items():
        column = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, f"{column}."))
        else:
            flat[column] = value
    return flat


def _table(
    records: list[dict[str, Any]],
    locations: list[str],
    name: str,
    source: str,
    fmt: str,
    details: dict[str, object],
) -> Table:
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    data = pd.DataFrame.from_records(records, columns=list(columns))
    data = data.astype(object).where(data.notna(), None) if len(data) else data
    return Table(
        data=data,
        locations=locations,
        source=source,
        format=fmt,
        name=name,
        details=details,
        empty_reason=f"{name} has an empty list: there are no responses in it.",
    )
