"""Excel workbooks (.xlsx) and Word documents (.docx).

openpyxl and python-docx are imported inside the functions that use them, so
``import heard`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from heard.errors import (
    ColumnNotFoundError,
    HeardError,
    InputError,
    TooLargeError,
    UnreadableFileError,
)
from heard.ingest import _columns
from heard.ingest._common import Table, capital, quoted, quoted_list, unique_names, where


def _reason(exc: BaseException) -> str:
    """The library's own words, briefly, when they add something a person can use."""
    text = " ".join(str(exc).split())
    if text.startswith("Package not found"):
        text = "it is not a complete ZIP package"
    return f" ({text[:80]})" if text else ""


# --- Excel -------------------------------------------------------------------------


def read_xlsx(
    path: Path,
    name: str,
    source: str,
    sheet: str | int | None,
    max_columns: int,
    limit: int | None = None,
) -> Table:
    """The chosen sheet of a workbook: the first non-empty row is the header.

    Rows are numbered as Excel shows them. Entirely empty rows are skipped; columns
    with data but no header are named by their letter ("column F"). With ``limit``,
    reading stops after that many rows of responses; ``details["complete"]`` then says
    whether that was all of them, and ``details["last_row"]`` is the sheet's last row
    as the file declares it (None when it does not), which may be stale.
    """
    from openpyxl import load_workbook

    # From an open file, not a path: openpyxl refuses paths whose extension is not .xlsx,
    # and heard also reads workbooks that arrive with the wrong extension.
    with path.open("rb") as handle:
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:
            raise UnreadableFileError(
                f"{name} cannot be opened as an Excel workbook: it is damaged or not really "
                f".xlsx{_reason(exc)}. Open it in Excel or LibreOffice and save it again as "
                ".xlsx, or export it as CSV UTF-8."
            ) from None
        try:
            worksheet = _pick_sheet(workbook, sheet, name)
            table = _read_sheet(worksheet, name, source, max_columns, limit)
            table.details["sheets"] = [ws.title for ws in workbook.worksheets]
            return table
        finally:
            workbook.close()


def _pick_sheet(workbook: Any, sheet: str | int | None, name: str) -> Any:
    sheets = list(workbook.worksheets)
    if not sheets:
        raise UnreadableFileError(f"{name} has no worksheets, only charts. Check the file.")
    titles = [ws.title for ws in sheets]
    if sheet is None:
        return sheets[0]
    wanted = str(sheet)
    if not isinstance(sheet, int):
        found = _columns.matches(titles, wanted)
        if len(found) == 1:
            return sheets[titles.index(found[0])]
    number = sheet if isinstance(sheet, int) else int(wanted) if wanted.strip().isdigit() else 0
    if 1 <= number <= len(sheets):
        return sheets[number - 1]
    raise InputError(
        f"{name} has no sheet {quoted(wanted)}. Its sheets are: {quoted_list(titles)}. "
        "Pick one with --sheet, by name or by number (1 is the first)."
    )


def _read_sheet(
    worksheet: Any, name: str, source: str, max_columns: int, limit: int | None = None
) -> Table:
    from openpyxl.utils import get_column_letter

    label = f"sheet {quoted(worksheet.title)} of {name}"
    declared = worksheet.max_column
    if declared is not None and declared > max_columns:
        raise TooLargeError(
            f"The {label} is {declared:,} columns wide (to column "
            f"{get_column_letter(min(declared, 18278))}); heard reads at most {max_columns:,}. "
            "Delete the columns you do not need, or copy the ones you do to a new sheet."
        )
    last_row = worksheet.max_row
    # A stale size in the file would make openpyxl cut or pad rows; read what is there.
    worksheet.reset_dimensions()
    complete = True
    header: list[Any] | None = None
    rows: list[list[Any]] = []
    locations: list[str] = []
    width = 0
    try:
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = list(values)
            while cells and _blank(cells[-1]):
                cells.pop()
            if not cells:
                continue
            if limit is not None and len(rows) >= limit:
                complete = False
                break
            if len(cells) > max_columns:
                raise TooLargeError(
                    f"Row {number} of the {label} has data in column {len(cells):,}; heard reads "
                    f"at most {max_columns:,} columns. Delete the columns you do not need."
                )
            width = max(width, len(cells))
            if header is None:
                header = cells
                continue
            rows.append(cells)
            locations.append(f"row {number}")
    except HeardError:
        raise
    except Exception as exc:
        raise UnreadableFileError(
            f"The {label} is damaged and cannot be read{_reason(exc)}. Open it in Excel or "
            "LibreOffice and save it again."
        ) from None
    if header is None:
        header = []
    names = [
        value if not _blank(value) else f"column {get_column_letter(n)}"
        for n, value in enumerate(header + [None] * (width - len(header)), start=1)
    ]
    data = pd.DataFrame(
        [row + [None] * (width - len(row)) for row in rows],
        columns=unique_names(names),
        dtype=object,
    )
    return Table(
        data=data,
        locations=locations,
        source=source,
        format="xlsx",
        name=name,
        details={"sheet": worksheet.title}
        | ({"complete": complete, "last_row": last_row} if limit is not None else {}),
        empty_reason=(
            f"The {label} is empty."
            if width == 0
            else f"The {label} has a header row but no responses."
        ),
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- Word ----------------------------------------------------------------------------


def _open_docx(path: Path, name: str) -> Any:
    import docx

    try:
        return docx.Document(str(path))
    except Exception as exc:
        raise UnreadableFileError(
            f"{name} cannot be opened as a Word document: it is damaged or not really "
            f".docx{_reason(exc)}. Open it in Word or LibreOffice and save it again as .docx, "
            "or save it as .txt."
        ) from None


def docx_story(path: Path, name: str) -> str:
    """All the text of a Word document, paragraphs and tables in order, as one story."""
    return _story(_open_docx(path, name))


def _story(document: Any) -> str:
    from docx.table import Table as DocxTable

    blocks: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, DocxTable):
            for row in block.rows:
                cells = _distinct_cells(row)
                line = " | ".join(text for text in (c.text.strip() for c in cells) if text)
                if line:
                    blocks.append(line)
        elif block.text.strip():
            blocks.append(block.text.strip())
    return "\n\n".join(blocks)


def _distinct_cells(row: Any) -> list[Any]:
    """A row's cells, once each: python-docx repeats a merged cell in every column it spans."""
    seen: set[int] = set()
    cells = []
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            cells.append(cell)
    return cells


def read_docx(path: Path, name: str, source: str, text: str | None) -> Table:
    """A Word document: a table of responses if its first table has the text column in
    its header row, otherwise the whole document as one story in column ``text``."""
    document = _open_docx(path, name)
    tables = list(document.tables)
    if tables and tables[0].rows:
        header = [cell.text.strip() for cell in tables[0].rows[0].cells]
        wanted = _columns.matches(header, text) if text else []
        if (text and wanted) or (not text and _columns.default_text(header)):
            return _docx_table(tables, header, name, source)
    if text and not _columns.matches(["text"], text):
        raise ColumnNotFoundError(
            f"{name} has no table whose header row includes {quoted(text)} (--text), so it reads "
            "as one story, in column 'text'. Leave out --text, or check the table's header row."
        )
    story = _story(document)
    return Table(
        data=pd.DataFrame({"text": [story]}, dtype=object),
        locations=[f"file {path.name}"],
        source=source,
        format="docx",
        name=name,
    )


def _docx_table(tables: list[Any], header: list[str], name: str, source: str) -> Table:
    width = len(header)
    rows: list[list[Any]] = []
    locations: list[str] = []
    ragged: list[str] = []
    used = [t for t in tables if t.rows and [c.text.strip() for c in t.rows[0].cells] == header]
    for k, table in enumerate(used, start=1):
        suffix = f" of table {k}" if len(used) > 1 else ""
        for number, row in enumerate(list(table.rows)[1:], start=2):
            cells: list[Any] = [cell.text for cell in row.cells]
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                ragged.append(f"table row {number}{suffix}")
                continue
            cells = cells[:width] + [None] * (width - len(cells))
            rows.append([None if c is None or not c.strip() else c for c in cells])
            locations.append(f"table row {number}{suffix}")
    if ragged:
        raise UnreadableFileError(
            f"{capital(where(ragged))} of the table in {name} "
            f"{'has' if len(ragged) == 1 else 'have'} more cells than its header "
            f"row ({width}). Fix the table so each row has one cell per column."
        )
    return Table(
        data=pd.DataFrame(rows, columns=unique_names(header), dtype=object),
        locations=locations,
        source=source,
        format="docx",
        name=name,
        details={"table": True},
        empty_reason=f"The table in {name} has a header row but no responses.",
    )
