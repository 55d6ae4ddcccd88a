"""Reading a file or folder: find its real format, check its size, hand it to a reader."""

from __future__ import annotations

import difflib
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from heard.errors import EmptyInputError, InputError, TooLargeError, UnreadableFileError
from heard.ingest._common import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    SUPPORTED,
    Table,
    quoted,
    size_words,
)
from heard.ingest._delimited import read_delimited
from heard.ingest._frame import Responses, build
from heard.ingest._json import read_json
from heard.ingest._office import docx_story, read_docx, read_xlsx
from heard.ingest._text import OLE2, ZIP, decode, magic_kind
from heard.ingest._transcripts import COLUMNS as TRANSCRIPT_COLUMNS
from heard.ingest._transcripts import read_transcript

#: File extensions heard reads, and the format each one promises.
EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".txt": "txt",
    ".md": "txt",
    ".docx": "docx",
    ".vtt": "vtt",
    ".srt": "srt",
}
#: In a folder, each of these files is one story (or, for transcripts, its turns).
FOLDER_EXTENSIONS = (".txt", ".md", ".docx", ".vtt", ".srt")
_LABELS = {"csv": "CSV", "tsv": "TSV", "xlsx": "Excel", "json": "JSON", "jsonl": "JSON Lines"}
_LABELS |= {"txt": "text", "docx": "Word", "vtt": "VTT", "srt": "SRT"}
_HEAD_BYTES = 8192


def read(
    path: str | os.PathLike[str],
    text: str | None = None,
    id: str | None = None,
    by: str | Sequence[str] | None = None,
    time: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    *,
    question: str | None = None,
    max_cell_chars: int = MAX_CELL_CHARS,
    max_columns: int = MAX_COLUMNS,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> Responses:
    """Read responses from a file or a folder of stories.

    ``text``, ``id``, ``by`` and ``time`` name columns (exactly, else ignoring case and
    spacing). Without ``text``, a column called text, comment, response, feedback,
    answer or story is used, else the one with the longest text. ``sheet`` picks an
    Excel sheet by name or number (1 is the first); ``encoding`` overrides detection
    for text files. ``question`` names a column holding the question each response
    answers (a survey with several questions in one export), read by sentiment.
    Anything heard cannot use raises a :class:`heard.errors.InputError`
    (or :class:`heard.errors.SettingsError` for an unknown encoding) that says what to do.
    """
    target = Path(path).expanduser()
    if target.is_dir():
        table = _read_folder(target, encoding, max_file_bytes)
    else:
        table = _read_file(
            target, text, sheet, encoding, max_cell_chars, max_columns, max_file_bytes
        )
    return build(
        table,
        text=text,
        id=id,
        by=by,
        time=time,
        question=question,
        max_cell_chars=max_cell_chars,
        max_columns=max_columns,
    )


def _read_file(
    target: Path,
    text: str | None,
    sheet: str | int | None,
    encoding: str | None,
    max_cell_chars: int,
    max_columns: int,
    max_file_bytes: int,
) -> Table:
    fmt, name, _ = check_file(target, max_file_bytes)
    source = str(target)
    if fmt == "xlsx":
        return read_xlsx(target, name, source, sheet, max_columns)
    if fmt == "docx":
        table = read_docx(target, name, source, text)
        if not table.details.get("table"):
            _check_story(table.data["text"].iloc[0], name, max_cell_chars)
        return table
    content, encoding_label = decode(_bytes(target, name), name, encoding)
    return read_content(content, encoding_label, target, name, fmt, max_cell_chars, max_columns)


def check_file(target: Path, max_file_bytes: int) -> tuple[str, str, int]:
    """The format a file really is, its name for messages and its size, once it is
    known to exist, be readable, not be empty and be within the size limit."""
    name = quoted(target.name, 60)
    if not target.exists():
        _not_found(target)
    fmt = EXTENSIONS.get(target.suffix.lower())
    if fmt is None:
        raise UnreadableFileError(
            f"heard cannot read {name}: it does not read '{target.suffix or 'no extension'}' "
            f"files. It reads {SUPPORTED} files, and folders of .txt, .md, .docx, .vtt or "
            ".srt files (one story per file)."
        )
    size = _size(target, name)
    if size == 0:
        raise EmptyInputError(
            f"{name} is empty (0 bytes), so there is nothing to read. It may not have "
            "finished saving or downloading: check the file and try again."
        )
    if size > max_file_bytes:
        raise TooLargeError(
            f"{name} is {size_words(size)}; heard reads files up to "
            f"{size_words(max_file_bytes)}. Split it into smaller files, or raise max_file_bytes."
        )
    head = head_bytes(target, name, _HEAD_BYTES)
    return _sniff(head, target, fmt, name), name, size


def text_format(content: str, fmt: str) -> str:
    """The format decoded text shows: a .csv, .tsv or .txt file holding WebVTT is a transcript."""
    start = content.lstrip("\ufeff \t\r\n")[:6]
    if fmt in ("csv", "tsv", "txt") and start.startswith("WEBVTT"):
        return "vtt"
    return fmt


def read_content(
    content: str,
    encoding_label: str,
    target: Path,
    name: str,
    fmt: str,
    max_cell_chars: int,
    max_columns: int,
    complete: bool = True,
) -> Table:
    """The table in a text file's decoded content.

    With ``complete=False`` the content is only the start of the file, cut at a line
    break: a CSV's last record may be cut short, so it is left out, and JSON saved as
    .csv that does not parse is refused rather than read as CSV.
    """
    if "\x00" in content:
        line = content[: content.index("\x00")].count("\n") + 1
        raise UnreadableFileError(
            f"{name} has a NUL character on line {line:,}, so it is damaged or not a text "
            "file. Check you picked the right file, or save it again."
        )
    source = str(target)
    fmt = text_format(content, fmt)
    start = content.lstrip("\ufeff \t\r\n")[:1]
    if fmt in ("csv", "tsv") and start in ("[", "{"):
        try:  # JSON saved as .csv; a header like "[Ref],comment" is still CSV
            table = read_json(content, name, source, "json")
        except UnreadableFileError:
            if not complete:  # perhaps JSON cut short: only the whole file can tell
                raise
            table = read_delimited(content, name, source, fmt, max_cell_chars, max_columns)
    elif fmt in ("csv", "tsv"):
        table = read_delimited(
            content, name, source, fmt, max_cell_chars, max_columns, complete=complete
        )
    elif fmt in ("json", "jsonl"):
        table = read_json(content, name, source, fmt)
    elif fmt in ("vtt", "srt"):
        table = read_transcript(content, name, source)
    else:
        story = content.replace("\r\n", "\n").strip()
        _check_story(story, name, max_cell_chars)
        table = Table(
            data=pd.DataFrame({"text": [story]}, dtype=object),
            locations=[f"file {target.name}"],
            source=source,
            format="txt",
            name=name,
        )
    table.details["encoding"] = encoding_label
    return table


def _check_story(story: str, name: str, max_cell_chars: int) -> None:
    if not story.strip():
        raise EmptyInputError(f"{name} has no text in it. Check you picked the right file.")
    if len(story) > max_cell_chars:
        raise TooLargeError(
            f"{name} has {len(story):,} characters; heard's limit for one response is "
            f"{max_cell_chars:,}. Split it into several files in a folder, or raise max_cell_chars."
        )


def _not_found(target: Path) -> None:
    parent = target.parent
    if parent.is_dir():
        names = [p.name for p in parent.iterdir()]
        close = difflib.get_close_matches(target.name, names, n=1, cutoff=0.6)
        hint = f" Did you mean {quoted(close[0], 60)}?" if close else ""
    else:
        hint = f" The folder {quoted(str(parent), 80)} does not exist either."
    raise InputError(
        f"There is no file or folder at {quoted(str(target), 100)}.{hint} Check the path."
    )


def _size(target: Path, name: str) -> int:
    try:
        return target.stat().st_size
    except OSError as exc:
        raise InputError(f"heard cannot open {name}: {exc.strerror}.") from None


def head_bytes(target: Path, name: str, size: int) -> bytes:
    """The first ``size`` bytes of a file (all of it when it is shorter)."""
    try:
        with target.open("rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise InputError(f"heard cannot open {name}: {exc.strerror}.") from None


def _bytes(target: Path, name: str) -> bytes:
    try:
        return target.read_bytes()
    except OSError as exc:
        raise InputError(f"heard cannot open {name}: {exc.strerror}.") from None


def _sniff(head: bytes, target: Path, fmt: str, name: str) -> str:
    """The format the bytes show, when the extension says something else."""
    if head.startswith(ZIP):
        inside = _zip_kind(target)
        if inside in ("xlsx", "docx"):
            return inside
        if fmt in ("xlsx", "docx"):
            return fmt  # a damaged workbook or document: its reader explains
        what = "a damaged ZIP archive" if inside == "damaged" else "a ZIP archive"
        raise UnreadableFileError(
            f"{name} is {what}, not a {_LABELS[fmt]} file. Unzip it and read the files "
            "inside, one at a time or as a folder."
        )
    if head.startswith(OLE2):
        old = "an Excel 97-2003 workbook" if fmt != "docx" else "a Word 97-2003 document"
        fix = "Excel" if fmt != "docx" else "Word"
        raise UnreadableFileError(
            f"{name} is {old} (or one protected by a password), which heard cannot read. "
            f"Open it in {fix} or LibreOffice, remove any password, and save it as "
            f"{'.xlsx or CSV UTF-8' if fix == 'Excel' else '.docx'}."
        )
    kind = magic_kind(head)
    markup = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:15].lower()
    if fmt != "txt" and markup.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        raise UnreadableFileError(
            f"{name} is a web page or XML file, not a {_LABELS[fmt]} file (some systems export "
            "these with a spreadsheet extension). If Excel opens it, save it from Excel as "
            ".xlsx or CSV UTF-8."
        )
    if kind is not None:
        raise UnreadableFileError(
            f"{name} is {kind}, not a {_LABELS[fmt]} file. heard reads {SUPPORTED} files. "
            "Check you picked the right file."
        )
    if fmt in ("xlsx", "docx"):
        if b"\x00" in head:
            return fmt  # binary but not a ZIP: its reader explains that it is damaged
        return "csv" if fmt == "xlsx" else "txt"  # text saved under an Office extension
    return fmt


def _other_files(count: int) -> str:
    if not count:
        return ""
    return f" (it has {count:,} other file{'' if count == 1 else 's'})"


def _zip_kind(target: Path) -> str:
    try:
        with zipfile.ZipFile(target) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "damaged"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    return "zip"


def _read_folder(folder: Path, encoding: str | None, max_file_bytes: int) -> Table:
    """One story per .txt/.md/.docx file, one row per turn of each .vtt/.srt file.

    Files are taken in name order; hidden files, Office lock files and other kinds are
    left out; sub-folders are not searched.
    """
    name = f"the folder {quoted(folder.resolve().name or str(folder), 60)}"
    everything = sorted(
        (p for p in folder.iterdir() if p.is_file()), key=lambda p: p.name.casefold()
    )
    files = [
        p
        for p in everything
        if p.suffix.lower() in FOLDER_EXTENSIONS and not p.name.startswith((".", "~$"))
    ]
    if not files:
        raise EmptyInputError(
            f"{name.capitalize()} has no .txt, .md, .docx, .vtt or .srt files"
            f"{_other_files(len(everything))}. Put one "
            "story per file in it, or give a single CSV, Excel or JSON file instead."
        )
    total = sum(_size(p, quoted(p.name)) for p in files)
    if total > max_file_bytes:
        raise TooLargeError(
            f"The files in {name} add up to {size_words(total)}; heard reads up to "
            f"{size_words(max_file_bytes)} at once. Split them into several folders, or raise "
            "max_file_bytes."
        )
    frames: list[pd.DataFrame] = []
    locations: list[str] = []
    has_transcripts = False
    for path in files:
        label = f"{quoted(path.name, 60)} in {name}"
        ext = path.suffix.lower()
        if ext != ".txt" and ext != ".md" and _size(path, label) == 0:
            raise EmptyInputError(
                f"{label} is empty (0 bytes). Remove it, or replace it with the full file."
            )
        if ext in (".vtt", ".srt"):
            content, _ = decode(_bytes(path, label), label, encoding)
            turns = read_transcript(content, label, str(path)).data
            turns.insert(0, "file", path.name)
            frames.append(turns)
            locations.extend(f"turn {n} of {path.name}" for n in turns["turn"])
            has_transcripts = True
            continue
        if ext == ".docx":
            if head_bytes(path, label, _HEAD_BYTES).startswith(OLE2):
                raise UnreadableFileError(
                    f"{label} is a Word 97-2003 document, which heard cannot read. "
                    "Open it in Word or LibreOffice and save it as .docx."
                )
            story = docx_story(path, label)
        else:
            raw = _bytes(path, label)
            story = decode(raw, label, encoding)[0].replace("\r\n", "\n").strip() if raw else ""
        frames.append(pd.DataFrame({"file": [path.name], "text": [story]}, dtype=object))
        locations.append(f"file {path.name}")
    data = pd.concat(frames, ignore_index=True)
    if has_transcripts:
        data = data.reindex(columns=["file", *TRANSCRIPT_COLUMNS])
        data["turn"] = data["turn"].astype("Int64")
    return Table(
        data=data,
        locations=locations,
        source=str(folder),
        format="folder",
        name=name,
        details={"files": len(files)},
    )
