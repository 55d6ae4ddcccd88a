"""A preview: the first responses of a file, and how many there are, without reading it all.

A large CSV, TSV or JSON Lines file is read from its start only (a few hundred
kilobytes, more when its rows are long), cut at a line break so no character is cut;
an Excel sheet only to its first rows. Whatever the start cannot settle (a problem in
it, a JSON document, a transcript, a record longer than the largest start read) is
left to a full :func:`heard.ingest.read`, so a preview never says something the full
read would not: its errors are the same errors, with the same messages.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from heard.errors import HeardError, TooLargeError
from heard.ingest._common import MAX_CELL_CHARS, MAX_COLUMNS, MAX_FILE_BYTES, Table, size_words
from heard.ingest._frame import Responses, build
from heard.ingest._office import read_xlsx
from heard.ingest._read import check_file, head_bytes, read, read_content, text_format
from heard.ingest._text import decode, whole_lines

#: How many responses a preview reads at least (all of them when the file has fewer).
PREVIEW_ROWS = 50
#: The first read of a large file; each further read is four times larger, up to the most.
_FIRST_BYTES = 256 * 1024
_MAX_PREFIX_BYTES = 16 * 1024 * 1024
_PREFIX_FORMATS = ("csv", "tsv", "json", "jsonl")
# Every encoding heard reads takes at most this many bytes per character.
_MAX_BYTES_PER_CHAR = 4


class _ReadWhole(Exception):
    """The start of the file cannot settle the preview: read all of it."""


@dataclass
class Preview:
    """The first responses of a file, read as :func:`heard.ingest.read` reads them.

    Attributes
    ----------
    responses:
        The responses read: every one when ``complete``, else the first (at least the
        number asked for), with the text column chosen as ``read`` chooses it.
    complete:
        True when the whole file was read.
    total:
        How many responses the file has, when ``complete``; else None.
    estimate:
        When not ``complete``: about how many responses the file has, from the size of
        the part read, or None when that cannot be told cheaply (an Excel sheet that does
        not say how long it is).
    bytes_read:
        How much of the file was read, in bytes (for a workbook, its size: openpyxl
        reads what it needs of the ZIP).
    """

    responses: Responses
    complete: bool
    total: int | None
    estimate: int | None
    bytes_read: int


def preview(
    path: str | os.PathLike[str],
    rows: int = PREVIEW_ROWS,
    sheet: str | int | None = None,
    encoding: str | None = None,
    *,
    max_bytes: int = _MAX_PREFIX_BYTES,
    max_cell_chars: int = MAX_CELL_CHARS,
    max_columns: int = MAX_COLUMNS,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> Preview:
    """The first ``rows`` responses of a file or folder, reading as little of it as it can.

    Reads like :func:`heard.ingest.read` with no columns named, and raises the same
    errors; a problem further into the file than the part read is found by ``read``
    later. A large CSV, TSV or JSON Lines file is read from its start (up to
    ``max_bytes``); an Excel sheet to its first ``rows`` rows; anything else, and any
    file whose start cannot settle the preview, is read whole.
    """
    target = Path(path).expanduser()
    if not target.is_dir():
        fmt, name, size = check_file(target, max_file_bytes)
        if fmt == "xlsx":
            first = _sheet(target, name, size, rows, sheet, max_cell_chars, max_columns)
            if first is not None:
                return first
        if fmt in _PREFIX_FORMATS:
            budget = _FIRST_BYTES
            try:
                while budget < size and budget <= max_bytes:
                    found = _from_start(
                        target, name, fmt, size, budget, rows, encoding, max_cell_chars, max_columns
                    )
                    if found is not None:
                        return found
                    budget *= 4
            except _ReadWhole:
                pass
        elif fmt == "txt" and size > _MAX_BYTES_PER_CHAR * max_cell_chars + 4:
            if b"WEBVTT" in head_bytes(target, name, 64).replace(b"\x00", b""):
                pass  # a transcript saved as .txt: one response per turn, read whole
            else:  # one response, and certainly longer than one may be
                raise TooLargeError(
                    f"{name} is {size_words(size)}, more than heard's limit of "
                    f"{max_cell_chars:,} characters for one response. Split it into several "
                    "files in a folder, or raise max_cell_chars."
                )
    responses = read(
        target,
        sheet=sheet,
        encoding=encoding,
        max_cell_chars=max_cell_chars,
        max_columns=max_columns,
        max_file_bytes=max_file_bytes,
    )
    files = [p for p in target.iterdir() if p.is_file()] if target.is_dir() else [target]
    return Preview(
        responses=responses,
        complete=True,
        total=len(responses),
        estimate=None,
        bytes_read=sum(p.stat().st_size for p in files),
    )


def _from_start(
    target: Path,
    name: str,
    fmt: str,
    size: int,
    budget: int,
    rows: int,
    encoding: str | None,
    max_cell_chars: int,
    max_columns: int,
) -> Preview | None:
    """The preview from the first ``budget`` bytes; None when more of the file would settle
    it, _ReadWhole when only all of it can."""
    data = head_bytes(target, name, budget)
    lines = whole_lines(data, encoding)
    if not lines:
        return None
    try:
        content, label = decode(lines, name, encoding)
        if "\x00" in content or text_format(content, fmt) not in _PREFIX_FORMATS:
            raise _ReadWhole  # the full read explains, or reads a transcript as one
        table = read_content(
            content, label, target, name, fmt, max_cell_chars, max_columns, complete=False
        )
        if len(table.data) < rows:
            return None
        responses = _responses(table, max_cell_chars, max_columns)
    except HeardError:
        # A problem in the start of the file: the full read finds it too, and says it
        # exactly as it would (a ragged row, say, with every other one in the file).
        raise _ReadWhole from None
    return Preview(
        responses=responses,
        complete=False,
        total=None,
        estimate=max(len(table.data), round(len(table.data) * size / len(lines))),
        bytes_read=len(data),
    )


def _responses(table: Table, max_cell_chars: int, max_columns: int) -> Responses:
    """The responses of a table, with the text column chosen as :func:`read` chooses it."""
    return build(
        table,
        text=None,
        id=None,
        by=None,
        time=None,
        max_cell_chars=max_cell_chars,
        max_columns=max_columns,
    )


def _sheet(
    target: Path,
    name: str,
    size: int,
    rows: int,
    sheet: str | int | None,
    max_cell_chars: int,
    max_columns: int,
) -> Preview | None:
    """The first rows of a workbook's sheet (openpyxl, read-only, reads no further), or
    None when the rest of the sheet must settle it."""
    table = read_xlsx(target, name, str(target), sheet, max_columns, limit=rows)
    complete = bool(table.details.pop("complete"))
    last_row = table.details.pop("last_row")
    try:
        responses = _responses(table, max_cell_chars, max_columns)
    except HeardError:
        if complete:
            raise
        return None  # no text in the first rows, say: the full read says so only if none has
    estimate = None
    if not complete and table.locations:
        # Rows to the last one the sheet declares, less those before the first response
        # (the header); trusted only when it is past the rows already read.
        first = int(table.locations[0].split()[-1])
        shown = int(table.locations[-1].split()[-1])
        if isinstance(last_row, int) and last_row > shown:
            estimate = last_row - first + 1
    return Preview(
        responses=responses,
        complete=complete,
        total=len(responses) if complete else None,
        estimate=estimate,
        bytes_read=size,
    )
