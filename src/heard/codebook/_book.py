"""The codebook itself: a checked list of codes, built from rows or read from a file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from heard.errors import CodebookError

#: The most codes a codebook may have: beyond this, nobody can read the result.
MAX_CODES = 200

_NAME_COLUMNS = ("name", "theme", "code", "category", "label")
_DESCRIPTION_COLUMNS = ("description", "definition", "desc", "meaning")
_EXAMPLE_COLUMNS = ("examples", "example", "quotes", "quote")
_EXAMPLE_SPLIT = re.compile(r"\s+\|\s+|\s*[\r\n]+\s*")
_SUPPORTED = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".json")


@dataclass
class CodebookEntry:
    """One code: a name, a one-line description, and optional example responses."""

    name: str
    description: str = ""
    examples: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.name = _clean(self.name)
        self.description = _clean(self.description)
        if isinstance(self.examples, str):
            self.examples = _split_examples(self.examples)
        self.examples = [e for e in (_strip(x) for x in self.examples or []) if e]


class Codebook:
    """A checked list of codes.

    Raises :class:`heard.errors.CodebookError` for no codes, more than
    :data:`MAX_CODES`, a code without a name, or two codes with the same name
    (ignoring case and spacing).
    """

    def __init__(self, entries: Iterable[CodebookEntry], name: str | None = None) -> None:
        self.entries: list[CodebookEntry] = list(entries)
        self.name = name
        where = f" in {name}" if name else ""
        if not self.entries:
            raise CodebookError(
                f"The codebook{where} has no codes. Add at least one row with a name and a "
                "one-line description (columns: name, description, optional examples)."
            )
        if len(self.entries) > MAX_CODES:
            raise CodebookError(
                f"The codebook{where} has {len(self.entries)} codes; heard accepts at most "
                f"{MAX_CODES}, because more cannot be read or checked by a person. Merge "
                "related codes, or split the codebook and run heard once per part."
            )
        seen: dict[str, int] = {}
        for number, entry in enumerate(self.entries, start=1):
            if not isinstance(entry, CodebookEntry):
                raise CodebookError(
                    f"Code {number} of the codebook{where} is a {type(entry).__name__}, not a "
                    "CodebookEntry. Build codebooks with Codebook.from_records or from_file."
                )
            if not entry.name:
                raise CodebookError(
                    f"Code {number} of the codebook{where} has no name. Give every code a "
                    "name, or delete the empty row."
                )
            key = entry.name.casefold()
            if key in seen:
                raise CodebookError(
                    f"The codebook{where} has two codes called '{entry.name}' (codes "
                    f"{seen[key]} and {number}). Code names must differ; rename one, or merge "
                    "them into one code."
                )
            seen[key] = number

    # -- views --
    @property
    def names(self) -> list[str]:
        return [e.name for e in self.entries]

    @property
    def has_examples(self) -> bool:
        return any(e.examples for e in self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[CodebookEntry]:
        return iter(self.entries)

    def __repr__(self) -> str:
        n_examples = sum(len(e.examples) for e in self.entries)
        return f"Codebook({len(self)} codes, {n_examples} examples)"

    def to_frame(self) -> pd.DataFrame:
        """One row per code: name, description, examples (joined with " | ")."""
        return pd.DataFrame(
            {
                "name": self.names,
                "description": [e.description for e in self.entries],
                "examples": [" | ".join(e.examples) for e in self.entries],
            }
        )

    # -- building --
    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, Any]] | pd.DataFrame, name: str | None = None
    ) -> Codebook:
        """A codebook from rows with a name (or theme, code), description and examples.

        ``examples`` may be a list, or one string with several examples separated by
        " | " or new lines. Rows repeating a name add their examples to that code.
        """
        rows: list[Mapping[str, Any]] = (
            _frame_records(records) if isinstance(records, pd.DataFrame) else list(records)
        )
        where = f" in {name}" if name else ""
        if not rows:
            raise CodebookError(
                f"The codebook{where} has no codes. Add at least one row with a name and a "
                "one-line description (columns: name, description, optional examples)."
            )
        columns: list[str] = []
        for row in rows:
            if not isinstance(row, Mapping):
                raise CodebookError(
                    f"The codebook{where} should be a list of codes, each with a name and a "
                    f"description, but one item is a {type(row).__name__}. Write each code as "
                    '{"name": ..., "description": ..., "examples": [...]}.'
                )
            columns.extend(str(c) for c in row if str(c) not in columns)
        name_col = _find_column(columns, _NAME_COLUMNS)
        if name_col is None:
            found = ", ".join(f"'{c}'" for c in columns) or "none"
            raise CodebookError(
                f"The codebook{where} has no column for the code names (looked for "
                f"{', '.join(_NAME_COLUMNS)}; found {found}). Name the column 'name' and "
                "add a 'description' column."
            )
        desc_col = _find_column(columns, _DESCRIPTION_COLUMNS)
        example_col = _find_column(columns, _EXAMPLE_COLUMNS)
        merged: dict[str, CodebookEntry] = {}
        for number, row in enumerate(rows, start=1):
            code = _clean(row.get(name_col))
            description = _clean(row.get(desc_col)) if desc_col else ""
            examples = _as_examples(row.get(example_col)) if example_col else []
            if not code:
                if not description and not examples:
                    continue  # a blank line
                raise CodebookError(
                    f"Row {number} of the codebook{where} has no name (column '{name_col}'). "
                    "Give every code a name, or delete the row."
                )
            key = code.casefold()
            entry = merged.get(key)
            if entry is None:
                merged[key] = CodebookEntry(code, description, examples)
                continue
            if description and entry.description and description != entry.description:
                raise CodebookError(
                    f"The codebook{where} describes '{code}' twice, differently (row {number}). "
                    "Rows that repeat a name may add examples but must leave the description "
                    "empty or the same; rename one code if they are different codes."
                )
            entry.description = entry.description or description
            entry.examples.extend(e for e in examples if e not in entry.examples)
        return cls(list(merged.values()), name=name)

    @classmethod
    def from_file(cls, path: str | Path, sheet: str | int | None = None) -> Codebook:
        """A codebook from a CSV, TSV, XLSX or JSON file (see :meth:`from_records`).

        JSON may be a list of codes, ``{"codes": [...]}``, or ``{name: description}``
        (or ``{name: {"description": ..., "examples": [...]}}``).
        """
        target = Path(path).expanduser()
        label = target.name
        if not target.exists():
            raise CodebookError(
                f"The codebook file {target} does not exist. Check the path (it is relative "
                "to the folder you run heard from), or leave out --codebook to discover "
                "themes automatically."
            )
        if target.is_dir():
            raise CodebookError(
                f"The codebook {target} is a folder, not a file. Give the path of a CSV, "
                "XLSX or JSON file with a name and a description per code."
            )
        suffix = target.suffix.lower()
        if suffix not in _SUPPORTED:
            raise CodebookError(
                f"heard cannot read the codebook {label}: '{suffix or 'no extension'}' is not "
                "a codebook format. Save it as CSV, XLSX or JSON with the columns name, "
                "description and (optionally) examples."
            )
        try:
            if suffix == ".json":
                records = _json_records(target)
            elif suffix in (".xlsx", ".xlsm"):
                frame = pd.read_excel(target, sheet_name=0 if sheet is None else sheet, dtype=str)
                records = _frame_records(frame)
            else:
                records = _delimited_records(target, "\t" if suffix == ".tsv" else None)
        except CodebookError:
            raise
        except Exception as exc:
            raise CodebookError(
                f"heard could not read the codebook {label} ({type(exc).__name__}: {exc}). "
                "Check that it is a valid, unprotected file of its type; saving it again as "
                "CSV (UTF-8) usually helps."
            ) from exc
        return cls.from_records(records, name=label)


def _clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    return " ".join(str(value).split())


def _strip(value: Any) -> str:
    """An example as given (inner spacing kept, so it matches the same response's text)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _split_examples(text: str) -> list[str]:
    return [p for p in (_strip(x) for x in _EXAMPLE_SPLIT.split(text)) if p]


def _as_examples(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [e for e in (_strip(x) for x in value) if e]
    text = "" if isinstance(value, float) and np.isnan(value) else str(value)
    return _split_examples(text)


def _find_column(columns: Sequence[str], wanted: Sequence[str]) -> str | None:
    simple = {re.sub(r"[\s_-]+", "", c).casefold(): c for c in reversed(columns)}
    for name in wanted:
        if name in simple:
            return simple[name]
    return None


def _delimited_records(path: Path, sep: str | None) -> list[Mapping[str, Any]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        text = raw.decode("latin-1")
    import io

    frame = pd.read_csv(
        io.StringIO(text), sep=sep, engine="python", dtype=str, keep_default_na=False
    )
    return _frame_records(frame)


def _frame_records(frame: pd.DataFrame) -> list[Mapping[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _json_records(path: Path) -> list[Mapping[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CodebookError(
            f"The codebook {path.name} is not valid JSON ({exc}). Write it as a list of "
            '{"name": ..., "description": ..., "examples": [...]} objects.'
        ) from exc
    if isinstance(data, Mapping):
        for key in ("codes", "themes", "entries", "codebook"):
            if isinstance(data.get(key), list):
                return list(data[key])
        records: list[Mapping[str, Any]] = []
        for code, value in data.items():
            if isinstance(value, Mapping):
                records.append({"name": code, **value})
            else:
                records.append({"name": code, "description": value})
        return records
    if isinstance(data, list):
        return data
    raise CodebookError(
        f"The codebook {path.name} holds a single {type(data).__name__}, not a list of codes. "
        'Write it as a list of {"name": ..., "description": ..., "examples": [...]} objects.'
    )
