"""CSV and TSV: the delimiter is sniffed, ragged rows and giant cells are refused.

Rows are counted as a spreadsheet shows them: the header is row 1, a quoted cell
spanning several lines is still one row, and blank rows count but are skipped.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice

import pandas as pd

from heard.errors import EmptyInputError, TooLargeError, UnreadableFileError
from heard.ingest._common import Table, capital, join_words, quoted, unique_names, where

DELIMITERS = (",", ";", "\t", "|")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SAMPLE_CHARS = 65_536
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SEP_LINE = re.compile(r"\A\s*sep=(.)[ \t]*(\r\n|\n|\r)")

# csv's field size limit is one setting for the whole process; heard sets it only while
# it parses, one parse at a time, and puts back what was there.
_FIELD_LIMIT_LOCK = threading.Lock()


@contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    with _FIELD_LIMIT_LOCK:
        previous = csv.field_size_limit(limit)
        try:
            yield
        finally:
            csv.field_size_limit(previous)


def sniff_delimiter(text: str, preferred: str = ",") -> str:
    """The delimiter among , ; tab | that splits the header into most columns, consistently.

    The header decides: it rarely holds punctuation, while free text in the rows
    holds every kind. Ties go to ``preferred``.
    """
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    scores: dict[str, tuple[float, int, int]] = {}
    order = [preferred, *(d for d in DELIMITERS if d != preferred)]
    for rank, delimiter in enumerate(order):
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            rows = [row for row in islice(reader, 100) if any(cell.strip() for cell in row)]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        body = rows[1:]
        consistent = sum(len(row) == width for row in body) / len(body) if body else 1.0
        scores[delimiter] = (consistent, width, -rank)
    if not scores:
        return preferred
    return max(scores, key=lambda d: scores[d])


def read_delimited(
    text: str,
    name: str,
    source: str,
    fmt: str,
    max_cell_chars: int,
    max_columns: int,
    *,
    complete: bool = True,
) -> Table:
    """Parse delimited text into a table of strings; empty cells become missing values.

    ``complete=False`` says ``text`` is only the start of a file: its last record may be
    cut short (a quoted cell that goes on past the cut), so it is left out, and a table
    with no rows is returned rather than refused (the caller reads more).
    """
    body = text
    details: dict[str, object] = {}
    sep = _SEP_LINE.match(text)
    if sep:
        delimiter = sep.group(1)
        body = text[sep.end() :]
    else:
        delimiter = sniff_delimiter(text, "\t" if fmt == "tsv" else ",")
    details["delimiter"] = delimiter

    header: list[str] | None = None
    header_row = 0
    rows: list[list[str]] = []
    locations: list[str] = []
    ragged: list[tuple[int, int]] = []
    record = 0
    last: tuple[int, list[str]] | None = None
    kept: str | None = None  # where the last record went: "rows", "ragged" or "header"
    with _field_limit(max_cell_chars):
        reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
        while True:
            lines_before = reader.line_num
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                _raise_csv_error(
                    exc, body, lines_before, record + 1, header, delimiter, name, max_cell_chars
                )
            record += 1
            last = (lines_before, row)
            kept = None
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                if len(row) > max_columns:
                    raise TooLargeError(
                        f"The header of {name} has {len(row):,} columns; heard reads at most "
                        f"{max_columns:,}. Save only the columns you need, or raise max_columns."
                    )
                header, header_row, kept = row, record, "header"
                continue
            width = len(header)
            if len(row) > width:
                if any(cell.strip() for cell in row[width:]):
                    ragged.append((record, len(row)))
                    kept = "ragged"
                    continue
                row = row[:width]
            elif len(row) < width:
                row = row + [""] * (width - len(row))
            rows.append(row)
            locations.append(f"row {record}")
            kept = "rows"
        if not complete:
            if kept == "rows":
                rows.pop()
                locations.pop()
            elif kept == "ragged":
                ragged.pop()
            elif kept == "header":
                header = None
            if header is None:
                return Table(
                    data=pd.DataFrame(), locations=[], source=source, format=fmt, name=name
                )
        elif last is not None:
            last_start, last_row = last
            spans_lines = reader.line_num - last_start > 1
            if spans_lines or any(cell.endswith(("\n", "\r")) for cell in last_row):
                _refuse_unclosed_quote(body, last_start, record, delimiter, name)

    if header is None:
        raise EmptyInputError(
            f"{name} has no rows, only blank lines. Check you picked the right file."
        )
    if ragged:
        _raise_ragged(ragged, len(header), delimiter, name)
    if header_row != 1:
        details["header_row"] = header_row
    columns = unique_names(header)
    data = pd.DataFrame(rows, columns=columns, dtype=object)
    data = data.where(data != "", None) if len(data) else data
    return Table(
        data=data,
        locations=locations,
        source=source,
        format=fmt,
        name=name,
        details=details,
        empty_reason=f"{name} has a header row but no responses below it.",
        cells_checked=True,
    )


def _raise_ragged(ragged: list[tuple[int, int]], width: int, delimiter: str, name: str) -> None:
    counts = {n for _, n in ragged}
    places = where([f"row {r}" for r, _ in ragged])
    verb = "has" if len(ragged) == 1 else "have"
    if len(counts) == 1:
        problem = (
            f"{capital(places)} of {name} {verb} {counts.pop()} fields but the header has {width}."
        )
    else:
        shown = join_words([f"{r} ({n})" for r, n in ragged[:5]], len(ragged))
        problem = f"Rows {shown} of {name} have more fields than the header ({width})."
    raise UnreadableFileError(
        f"{problem} A cell probably contains a {_NAMES.get(delimiter, repr(delimiter))} "
        "without quotes around it. Put quotes around those cells, or save the file again "
        "from a spreadsheet program."
    )


def _raise_csv_error(
    exc: csv.Error,
    body: str,
    lines_before: int,
    row: int,
    header: list[str] | None,
    delimiter: str,
    name: str,
    limit: int,
) -> None:
    if "field larger than field limit" not in str(exc):
        raise UnreadableFileError(
            f"Row {row} of {name} cannot be read as CSV ({exc}). Check that row for stray "
            "quotes, or save the file again from a spreadsheet program."
        ) from None
    start = _offset_of_line(body, lines_before)
    index, starts_quoted = _long_field(body, start, delimiter, limit)
    if index is None:
        column = "a column"
    elif header is not None and index < len(header):
        column = f"column {quoted(header[index])}"
    else:
        column = f"column {index + 1}"
    row_words = f"row {row}" if header is not None else f"row {row} (the header)"
    hint = ' A quote (") that is never closed can also cause this.' if starts_quoted else ""
    raise TooLargeError(
        f"The cell in {row_words}, {column} of {name} is longer than heard's limit of "
        f"{limit:,} characters. Split that text into several responses, or raise "
        f"max_cell_chars.{hint}"
    ) from None


def _offset_of_line(body: str, line: int) -> int:
    """Character offset where physical line ``line + 1`` starts (lines counted as csv does)."""
    if line <= 0:
        return 0
    for count, match in enumerate(_LINE_BREAK.finditer(body), start=1):
        if count == line:
            return match.end()
    return len(body)


def _long_field(body: str, start: int, delimiter: str, limit: int) -> tuple[int | None, bool]:
    """Which field of the record at ``start`` is longer than ``limit``, and was it quoted."""
    in_quotes = re.compile(r'"[^"]*(?:""[^"]*)*"?')
    plain = re.compile(rf"[^{re.escape(delimiter)}\r\n]*")
    pos, index = start, 0
    while pos <= len(body):
        is_quoted = body.startswith('"', pos)
        match = (in_quotes if is_quoted else plain).match(body, pos)
        end = match.end() if match else pos
        if is_quoted:
            tail = plain.match(body, end)
            end = tail.end() if tail else end
        if end - pos > limit:
            return index, is_quoted
        if end >= len(body) or body[end] != delimiter:
            return None, False
        pos, index = end + 1, index + 1
    return None, False


def _refuse_unclosed_quote(
    body: str, lines_before: int, record: int, delimiter: str, name: str
) -> None:
    """Refuse a file whose last cell opens a quote that never closes.

    csv quietly reads everything from such a quote to the end of the file as one cell,
    which would merge many responses into one.
    """
    tail = body[_offset_of_line(body, lines_before) :]
    if '"' not in tail:
        return
    try:
        for _ in csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise UnreadableFileError(
                f'Row {record} of {name} opens a quote (") that is never closed, so '
                "everything after it would be read as one cell. Add the closing quote, or "
                "save the file again from a spreadsheet program."
            ) from None
