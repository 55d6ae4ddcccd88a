"""Reading responses from the files people have: surveys, forms, transcripts, notes.

    >>> from heard.ingest import read
    >>> responses = read("survey.csv", text="comment", by=["role"], time="date")
    >>> responses.data, responses.text, responses.by

Formats, chosen by extension and checked against the bytes (a workbook saved as
.csv is still read as a workbook):

- CSV and TSV: UTF-8 (with or without BOM), UTF-16 with BOM, or a legacy encoding
  found by charset-normalizer (Windows-1252 preferred when it fits). The delimiter
  (, ; tab |) is sniffed. The header is row 1.
- XLSX: the first sheet, or ``sheet=`` by name or number (1 is the first).
- JSON (a list of objects, or an object holding one list of objects) and JSON Lines.
  Nested objects become dotted columns (``who.role``).
- TXT and Markdown: the file is one story, in column ``text``.
- DOCX: a table of responses when the header row of its first table names the
  text column; otherwise the whole document is one story.
- VTT and SRT: one row per speaker turn, columns ``text``, ``speaker``, ``start``
  and ``end`` (seconds, floats) and ``turn`` (from 1).
- A folder of .txt, .md, .docx, .vtt and .srt files: one story (or one row per
  turn) per file, with a ``file`` column.

Columns are named with ``text``, ``id``, ``by``, ``time`` and ``question`` (the
question each response answers, for sentiment; exactly, else ignoring case and
spacing; a missing one is a ColumnNotFoundError that suggests the closest).
In the result the text column holds strings, "" for an empty response (kept, never
dropped); ids must be present and unique; times are parsed (ISO 8601, else day
first) to datetimes; other empty cells are missing values. Entirely blank rows are
skipped but still counted, so row numbers match what a spreadsheet shows.

For a quick look at a large file, :func:`preview` reads only its first responses (a
CSV's first few hundred kilobytes, a sheet's first rows) and says about how many there
are; it raises the same errors as ``read`` for what it reads, and leaves the rest to it.

Limits (each also a keyword argument): :data:`MAX_CELL_CHARS` characters per cell,
:data:`MAX_COLUMNS` columns, :data:`MAX_FILE_BYTES` bytes per file. Every problem
raises a :class:`heard.errors.InputError` subclass whose message says where (rows
counted as a spreadsheet shows them), why, and what to do.
"""

from __future__ import annotations

from heard.ingest._common import MAX_CELL_CHARS, MAX_COLUMNS, MAX_FILE_BYTES
from heard.ingest._frame import Responses, from_frame
from heard.ingest._preview import PREVIEW_ROWS, Preview, preview
from heard.ingest._read import EXTENSIONS, FOLDER_EXTENSIONS, read
from heard.ingest._transcripts import UNKNOWN_SPEAKER

__all__ = [
    "EXTENSIONS",
    "FOLDER_EXTENSIONS",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "PREVIEW_ROWS",
    "UNKNOWN_SPEAKER",
    "Preview",
    "Responses",
    "from_frame",
    "preview",
    "read",
]
