"""``heard redact``: a redacted copy of a file, in the same format, and a summary.

The lead adds :data:`redact_command` to the ``heard`` group. It reads the file with
:func:`heard.ingest.read` (so every input check and message is the same as for
``heard analyse``), redacts the text column(s) and writes the whole table back.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from heard._clierrors import friendly_errors
from heard.errors import ColumnNotFoundError, InputError, SettingsError

if TYPE_CHECKING:
    import pandas as pd

    from heard.ingest import Responses

F = TypeVar("F", bound=Callable[..., Any])

#: Output formats by extension. Inputs heard cannot write back (DOCX, VTT, SRT, a
#: folder) are written as CSV, one row per story or turn.
WRITERS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".txt": "txt",
    ".md": "txt",
}
_SAME_FORMAT = {"csv", "tsv", "xlsx", "json", "jsonl", "txt"}


_friendly_errors = friendly_errors("Split the file and redact the parts.")


@click.command("redact")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--text",
    "texts",
    multiple=True,
    metavar="COLUMN",
    help="Column to redact; repeat for several (default: the text column heard finds).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Redacted copy to write; its extension sets the format "
    "(default: FILE.redacted.<same extension>).",
)
@click.option(
    "--kinds",
    metavar="LIST",
    help="Only these kinds, comma-separated, e.g. name,phone,email (default: all).",
)
@click.option(
    "--pseudonyms",
    type=click.Choice(["none", "story", "project"]),
    default="none",
    show_default=True,
    help="[NAME] for every name, or [NAME-1], [NAME-2] numbered per response (story) "
    "or across the whole file (project).",
)
@click.option(
    "--known-names",
    type=click.Path(path_type=Path),
    help="File of names always to redact (participants, staff, children): one per line, "
    "or the first column of a CSV/XLSX.",
)
@click.option(
    "--allow",
    multiple=True,
    metavar="PHRASE",
    help="A word or phrase never to redact, e.g. a town or team (repeatable).",
)
@click.option(
    "--allow-file",
    type=click.Path(path_type=Path),
    help="File of words or phrases never to redact, one per line.",
)
@click.option(
    "--record",
    type=click.Path(path_type=Path),
    help="Also write what was replaced where (CSV or JSON), without the values.",
)
@click.option("--sheet", metavar="NAME", help="Sheet of an .xlsx file (default: the first).")
@click.option(
    "--encoding", metavar="NAME", help="Text encoding of a CSV/TXT file (default: detected)."
)
@click.option("-q", "--quiet", is_flag=True, help="No summary; errors only.")
@click.option("--debug", is_flag=True, help="Show full tracebacks for unexpected errors.")
@_friendly_errors
def redact_command(
    file: Path,
    texts: tuple[str, ...],
    output: Path | None,
    kinds: str | None,
    pseudonyms: str,
    known_names: Path | None,
    allow: tuple[str, ...],
    allow_file: Path | None,
    record: Path | None,
    sheet: str | None,
    encoding: str | None,
    quiet: bool,
    debug: bool,
) -> None:
    """Write a copy of FILE with personal data replaced by [NAME], [PHONE], [EMAIL]...

    FILE can be CSV, TSV, XLSX, JSON or JSON Lines (written back in the same format),
    or TXT; DOCX, VTT, SRT files and folders are written as CSV. Nothing leaves this
    machine. Automatic redaction misses some personal data: read the result before
    you share it.
    """
    started = time.perf_counter()
    from heard.ingest import read
    from heard.redact import KIND_LABELS, KINDS, Redactor, redact_frame

    sheet_arg: str | int | None = int(sheet) if sheet and sheet.isdigit() else sheet
    responses = read(file, text=texts[0] if texts else None, sheet=sheet_arg, encoding=encoding)
    columns = [responses.text, *(_column(responses, name) for name in texts[1:])]
    columns = list(dict.fromkeys(columns))
    fmt, target = _target(file, output, responses.format)
    if record is not None and record.suffix.lower() not in (".csv", ".json"):
        raise SettingsError(
            f"The record file {record.name} must end in .csv or .json, e.g. --record redactions.csv"
        )
    redactor = Redactor(
        kinds=kinds.split(",") if kinds else None,
        pseudonyms=pseudonyms,  # type: ignore[arg-type]
        known_names=_read_list(known_names, "--known-names") if known_names else (),
        allow=[*allow, *(_read_list(allow_file, "--allow-file") if allow_file else [])],
    )
    redacted, spans = redact_frame(responses.data, columns, redactor, progress=not quiet)
    _write(redacted, target, fmt, responses, columns[0])
    if record is not None:
        _write_record(spans, record, responses)
    if quiet:
        return
    counts = spans["kind"].value_counts().to_dict() if len(spans) else {}
    n_changed = spans[["row"]].drop_duplicates().shape[0] if len(spans) else 0
    where = ", ".join(f"'{c}'" for c in columns)
    click.echo(
        f"Redacted {len(responses):,} responses (column{'s' if len(columns) > 1 else ''} "
        f"{where}): {len(spans):,} items replaced in {n_changed:,} responses. "
        f"({time.perf_counter() - started:.1f} s)"
    )
    for kind in KINDS:
        if counts.get(kind):
            click.echo(f"  {KIND_LABELS[kind]:<28}{counts[kind]:>7,}")
    click.echo(f"Wrote {target}")
    if record is not None:
        click.echo(f"Wrote {record} (the record: positions and kinds, no personal data)")
    click.echo("Read it before you share it: automatic redaction misses some names.")


def _column(responses: Responses, name: str) -> str:
    columns = [str(c) for c in responses.data.columns]
    if name in columns:
        return name
    folded = {c.casefold().replace(" ", ""): c for c in columns}
    key = name.casefold().replace(" ", "")
    if key in folded:
        return folded[key]
    import difflib

    close = difflib.get_close_matches(name, columns, n=1, cutoff=0.6)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise ColumnNotFoundError(
        f"There is no column '{name}' to redact.{hint} The columns are: "
        f"{', '.join(repr(c) for c in columns[:20])}. Name it with --text."
    )


def _target(file: Path, output: Path | None, read_format: str) -> tuple[str, Path]:
    """The format to write and where."""
    same = read_format if read_format in _SAME_FORMAT else "csv"
    suffix = {"csv": ".csv", "tsv": ".tsv", "xlsx": ".xlsx", "json": ".json", "jsonl": ".jsonl"}
    suffix |= {"txt": file.suffix if file.suffix.lower() in (".txt", ".md") else ".txt"}
    default_name = f"{file.stem if file.is_file() else file.name}.redacted{suffix[same]}"
    if output is None:
        target = file.parent / default_name
    elif output.is_dir():
        target = output / default_name
    else:
        target = output
    fmt = WRITERS.get(target.suffix.lower())
    if fmt is None:
        raise SettingsError(
            f"heard cannot write '{target.suffix or target.name}' files. End the -o name in "
            ".csv, .tsv, .xlsx, .json, .jsonl or .txt, e.g. -o redacted.csv"
        )
    if fmt == "txt" and read_format != "txt":
        raise SettingsError(
            f"{file.name} holds a table, which a .txt file cannot hold. End the -o name in "
            ".csv, .xlsx or .json instead."
        )
    try:
        if target.resolve() == file.resolve():
            raise SettingsError(
                f"-o {target} is the input file itself; heard never overwrites the original. "
                "Choose another name, e.g. -o redacted.csv"
            )
    except OSError:
        pass
    if not target.parent.exists():
        raise SettingsError(
            f"The folder {target.parent} does not exist. Create it first, or choose another -o."
        )
    return fmt, target


def _read_list(path: Path, option: str) -> list[str]:
    """Names or phrases from a text file (one per line) or the first column of a table."""
    if not path.is_file():
        raise InputError(f"There is no file at {path} for {option}. Check the path.")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".tsv", ".xlsx"):
            import pandas as pd

            if suffix == ".xlsx":
                table = pd.read_excel(path, header=None, dtype=str)
            else:
                table = pd.read_csv(
                    path,
                    header=None,
                    dtype=str,
                    sep="\t" if suffix == ".tsv" else ",",
                    encoding="utf-8-sig",
                )
            values = [v for v in table.iloc[:, 0].tolist() if isinstance(v, str)]
        else:
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp1252", errors="replace")
            values = text.splitlines()
    except (OSError, ValueError, IndexError) as exc:
        raise InputError(
            f"heard could not read {path.name} for {option} ({exc}). Give a text file with "
            "one entry per line, or a CSV/XLSX with the entries in the first column."
        ) from None
    return [v.strip() for v in values if v and v.strip() and not v.strip().startswith("#")]


def _write(df: pd.DataFrame, target: Path, fmt: str, responses: Responses, text: str) -> None:
    tmp = target.with_name(f".{target.name}.part")
    try:
        if fmt in ("csv", "tsv"):
            df.to_csv(tmp, index=False, sep="\t" if fmt == "tsv" else ",", encoding="utf-8-sig")
        elif fmt == "xlsx":
            _write_xlsx(df, tmp, str(responses.details.get("sheet") or "Redacted"))
        elif fmt in ("json", "jsonl"):
            records = _records(df)
            with tmp.open("w", encoding="utf-8") as handle:
                if fmt == "json":
                    json.dump(records, handle, ensure_ascii=False, indent=2, default=str)
                    handle.write("\n")
                else:
                    for item in records:
                        handle.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
        else:  # txt: one story
            tmp.write_text("\n\n".join(str(v) for v in df[text].tolist()) + "\n", encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(
            f"heard could not write {target}: {exc.strerror or exc}. Check the folder exists "
            "and you can write to it, and that the file is not open in Excel."
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    import math

    out = []
    for row in df.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for key, value in row.items():
            if (
                isinstance(value, float)
                and math.isnan(value)
                or value is not None
                and type(value).__name__ in ("NAType", "NaTType")
            ):
                value = None
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            clean[str(key)] = value
        out.append(clean)
    return out


def _write_xlsx(df: pd.DataFrame, path: Path, sheet: str) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    ws = book.active
    ws.title = sheet[:31] or "Redacted"
    ws.append([str(c) for c in df.columns])
    for values in df.itertuples(index=False, name=None):
        row = []
        for value in values:
            if (
                isinstance(value, float)
                and value != value
                or value is not None
                and type(value).__name__ in ("NAType", "NaTType")
            ):
                value = None
            elif getattr(value, "tzinfo", None) is not None:
                value = value.replace(tzinfo=None)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            row.append(value)
        ws.append(row)
        # text that starts with "=" stays text, never a formula
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    book.save(path)


def _write_record(spans: pd.DataFrame, path: Path, responses: Responses) -> None:
    table = spans.copy()
    table.insert(
        1,
        "where",
        [responses.locations[r] if r < len(responses.locations) else "" for r in table["row"]],
    )
    if responses.id is not None:
        ids = responses.data[responses.id].tolist()
        table.insert(1, "id", [ids[r] for r in table["row"]])
    try:
        if path.suffix.lower() == ".json":
            path.write_text(
                json.dumps(_records(table), ensure_ascii=False, indent=2, default=str) + "\n",
                encoding="utf-8",
            )
        else:
            table.to_csv(path, index=False, encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(
            f"heard could not write the record {path}: {exc.strerror or exc}."
        ) from None
