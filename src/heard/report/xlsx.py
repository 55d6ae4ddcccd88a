"""A small, fast writer for .xlsx workbooks of plain tables.

Spreadsheet libraries write one cell per Python call, which takes tens of seconds for
100,000 responses. Here each column's cells are built as XML text with pandas string
operations, so a whole sheet costs a handful of vectorised steps. The format written is
the minimal Office Open XML that Excel, LibreOffice and openpyxl read without repair:
inline strings, one fixed style sheet, a frozen and filterable header row.

Every text cell is stored as text (``t="inlineStr"``), never as a formula, so a response
that starts with "=", "+", "-" or "@" is shown as typed and never runs. The file has no
timestamps, so the same tables give the same bytes.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

import pandas as pd

__all__ = [
    "CUT_NOTE",
    "EXCEL_CELL_LIMIT",
    "EXCEL_ROW_LIMIT",
    "Column",
    "SummaryRow",
    "column_from_series",
    "write_workbook",
]

#: Excel holds at most this many characters in a cell, and this many rows in a sheet.
EXCEL_CELL_LIMIT = 32_767
EXCEL_ROW_LIMIT = 1_048_576
CUT_NOTE = " … [shortened: Excel cells hold at most 32,767 characters]"

# Style ids: positions in <cellXfs> of _STYLES.
DEFAULT, HEADER, TEXT, WRAP, INTEGER, SHARE, SCORE, DATE, DATETIME, TITLE, BOLD, NUMBER = range(12)

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: The same, except NUL, which separates texts joined for escaping in one pass.
_ILLEGAL_BUT_NUL_RE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_EXCEL_ESCAPE_RE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_INF = float("inf")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")

_STYLES = (
    _DECL + f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="4"><numFmt numFmtId="164" formatCode="0.0%"/>'
    '<numFmt numFmtId="165" formatCode="0.000"/>'
    '<numFmt numFmtId="166" formatCode="yyyy\\-mm\\-dd"/>'
    '<numFmt numFmtId="167" formatCode="yyyy\\-mm\\-dd\\ hh:mm"/></numFmts>'
    '<fonts count="4">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="16"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FF12436D"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color rgb="FFB1B4B6"/></left>'
    '<right style="thin"><color rgb="FFB1B4B6"/></right>'
    '<top style="thin"><color rgb="FFB1B4B6"/></top>'
    '<bottom style="thin"><color rgb="FFB1B4B6"/></bottom><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="12">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
    'applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    'applyAlignment="1"><alignment vertical="top"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    'applyAlignment="1"><alignment vertical="top"/></xf>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    'applyAlignment="1"><alignment vertical="top"/></xf>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    'applyAlignment="1"><alignment vertical="top"/></xf>'
    '<xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    'applyAlignment="1"><alignment vertical="top"/></xf>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1" '
    'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top"/></xf>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


@dataclass
class Column:
    """One column of a table sheet: its header, width, style and each row's value as XML."""

    header: str
    width: float
    style: int
    #: "text" (values are escaped XML text), "number" (values are numbers as text) or "bool".
    kind: str
    #: One entry per data row; "" for a blank cell.
    values: list[str]
    #: How many cells were shortened to fit Excel's limit.
    cut: int = 0


@dataclass
class SummaryRow:
    """A row of the Summary sheet: a label and a value (text or number)."""

    label: str
    value: Any = ""
    style: int = TEXT
    value_style: int | None = None


def _letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _escape_one(text: str, illegal: re.Pattern[str] = _ILLEGAL_RE) -> str:
    text = illegal.sub("", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # Excel reads "_x000D_" as an escaped character; "_x005F_" keeps the underscore literal.
    return _EXCEL_ESCAPE_RE.sub(r"_x005F_\1", text)


def escape_texts(texts: list[str]) -> tuple[list[str], int]:
    """Texts as XML that Excel accepts, and how many were cut to Excel's cell limit.

    Cleaning and escaping run once over all the texts joined together, which is many
    times faster than one call per cell.
    """
    cut = 0
    if any(len(t) > EXCEL_CELL_LIMIT for t in texts):
        keep = EXCEL_CELL_LIMIT - len(CUT_NOTE)
        shortened = []
        for t in texts:
            if len(t) > EXCEL_CELL_LIMIT:
                t = t[:keep] + CUT_NOTE
                cut += 1
            shortened.append(t)
        texts = shortened
    joined = "\x00".join(texts)
    if joined.count("\x00") != max(0, len(texts) - 1):  # a text holds a NUL: go one by one
        return [_escape_one(t) for t in texts], cut
    return (_escape_one(joined, _ILLEGAL_BUT_NUL_RE).split("\x00") if texts else []), cut


def column_from_series(header: str, values: pd.Series, *, style: int | None = None) -> Column:
    """One column of data, typed from its dtype: number, yes/no, date or text."""
    dtype = values.dtype
    head_width = len(header) + 2
    if pd.api.types.is_bool_dtype(dtype):
        flags = ["" if v is None or v != v else ("1" if v else "0") for v in values.tolist()]
        return Column(header, max(9, head_width), TEXT, "bool", flags)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_localize(None)
        known = values.dropna()
        timed = bool((known != known.dt.normalize()).any())
        serial = (values - _EXCEL_EPOCH) / pd.Timedelta(days=1)
        chosen = DATETIME if timed else DATE
        return Column(header, 17 if timed else 12, chosen, "number", _numbers(serial))
    if pd.api.types.is_numeric_dtype(dtype):
        chosen = NUMBER if style is None else style
        return Column(header, max(10, head_width), chosen, "number", _numbers(values))
    texts = values.astype("string").fillna("").astype(object).tolist()
    escaped, cut = escape_texts([str(t) for t in texts])
    longest = max((len(t) for t in texts[:500]), default=0)
    wide = longest > 60
    chosen = style if style is not None else (WRAP if wide else TEXT)
    width = 80 if wide else min(60, max(10, head_width, longest + 2))
    return Column(header, width, chosen, "text", escaped, cut)


def _numbers(values: pd.Series) -> list[str]:
    if pd.api.types.is_integer_dtype(values.dtype):
        return ["" if x is None or x is pd.NA else str(int(x)) for x in values.tolist()]
    numbers = pd.to_numeric(values, errors="coerce").astype("float64").tolist()
    # repr() of a float is the shortest text that reads back as the same number.
    return ["" if x != x or x in (_INF, -_INF) else repr(x) for x in numbers]


def _cells(column: Column, letter: str) -> list[str]:
    s = column.style
    if column.kind == "text":
        head = f'" s="{s}" t="inlineStr"><is><t xml:space="preserve">'
        return [
            f'<c r="{letter}{i}{head}{v}</t></is></c>' if v else ""
            for i, v in enumerate(column.values, start=2)
        ]
    kind = ' t="b"' if column.kind == "bool" else ""
    return [
        f'<c r="{letter}{i}" s="{s}"{kind}><v>{v}</v></c>' if v else ""
        for i, v in enumerate(column.values, start=2)
    ]


def _sheet_view(frozen: bool, selected: bool) -> str:
    tab = ' tabSelected="1"' if selected else ""
    if not frozen:
        return f'<sheetViews><sheetView workbookViewId="0"{tab}/></sheetViews>'
    return (
        f'<sheetViews><sheetView workbookViewId="0"{tab}>'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
    )


def _cols(widths: Sequence[tuple[float, int]]) -> str:
    parts = [
        f'<col min="{i}" max="{i}" width="{w:g}" style="{s}" customWidth="1"/>'
        for i, (w, s) in enumerate(widths, start=1)
    ]
    return "<cols>" + "".join(parts) + "</cols>" if parts else ""


def table_sheet(columns: Sequence[Column]) -> tuple[str, str | None]:
    """The XML of a sheet holding a table, and its filter range (None when it has no columns)."""
    n = len(columns[0].values) if columns else 0
    letters = [_letter(j) for j in range(len(columns))]
    ref = f"A1:{letters[-1] if letters else 'A'}{n + 1}"
    header = "".join(
        f'<c r="{letter}1" s="{HEADER}" t="inlineStr"><is><t>{escape_texts([c.header])[0][0]}'
        "</t></is></c>"
        for letter, c in zip(letters, columns, strict=True)
    )
    cells = [_cells(c, letter) for letter, c in zip(letters, columns, strict=True)]
    rows = "".join(
        f'<row r="{i}">{"".join(row)}</row>'
        for i, row in enumerate(zip(*cells, strict=True), start=2)
    )
    xml = (
        _DECL
        + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        + f'<dimension ref="{ref}"/>'
        + _sheet_view(frozen=True, selected=False)
        + '<sheetFormatPr defaultRowHeight="15"/>'
        + _cols([(c.width, c.style) for c in columns])
        + f'<sheetData><row r="1" ht="30" customHeight="1">{header}</row>{rows}</sheetData>'
        + (f'<autoFilter ref="{ref}"/>' if columns else "")
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        + "</worksheet>"
    )
    if not columns:
        return xml, None
    return xml, f"$A$1:${letters[-1]}${n + 1}"


def _summary_cell(ref: str, value: Any, style: int) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        escaped = escape_texts([str(value)])[0][0]
        if not escaped:
            return ""
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'
    if value != value or value in (_INF, -_INF):
        return ""
    number = str(value) if isinstance(value, int) else repr(float(value))
    return f'<c r="{ref}" s="{style}"><v>{number}</v></c>'


def summary_sheet(title: str, rows: Sequence[SummaryRow]) -> str:
    """The XML of a two-column sheet: a title, then label/value rows."""
    out = [f'<row r="1" ht="24" customHeight="1">{_summary_cell("A1", title, TITLE)}</row>']
    for i, row in enumerate(rows, start=3):
        if not row.label and row.value == "":
            continue
        value_style = row.value_style if row.value_style is not None else WRAP
        out.append(
            f'<row r="{i}">{_summary_cell(f"A{i}", row.label, row.style)}'
            f"{_summary_cell(f'B{i}', row.value, value_style)}</row>"
        )
    return (
        _DECL
        + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        + f'<dimension ref="A1:B{len(rows) + 2}"/>'
        + _sheet_view(frozen=False, selected=True)
        + '<sheetFormatPr defaultRowHeight="15"/>'
        + _cols([(42, TEXT), (90, WRAP)])
        + "<sheetData>"
        + "".join(out)
        + "</sheetData>"
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        + "</worksheet>"
    )


def write_workbook(path: Path, title: str, sheets: Sequence[tuple[str, str, str | None]]) -> None:
    """Write sheets given as (name, worksheet XML, filter range or None) to an .xlsx file."""
    n = len(sheets)
    workbook_sheets = "".join(
        f'<sheet name="{_xml_escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
        for i, (name, _, _) in enumerate(sheets, start=1)
    )
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"'{_xml_escape(name)}'!{ref}</definedName>"
        for i, (name, _, ref) in enumerate(sheets)
        if ref
    )
    files = {
        "[Content_Types].xml": _DECL
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        "</Types>",
        "_rels/.rels": _DECL + f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        "</Relationships>",
        "docProps/core.xml": _DECL
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{_xml_escape(title)}</dc:title><dc:creator>heard</dc:creator></cp:coreProperties>",
        "xl/workbook.xml": _DECL + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{workbook_sheets}</sheets>"
        + (f"<definedNames>{names}</definedNames>" if names else "")
        + "</workbook>",
        "xl/_rels/workbook.xml.rels": _DECL
        + f'<Relationships xmlns="{_PKG_REL}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        "</Relationships>",
        "xl/styles.xml": _STYLES,
    }
    for i, (_, xml, _) in enumerate(sheets, start=1):
        files[f"xl/worksheets/sheet{i}.xml"] = xml
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"), compresslevel=1)
