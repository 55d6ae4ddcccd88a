"""The ``heard`` command line: a thin layer over the library.

Heavy modules (pandas, torch, the model) are imported inside the commands, so
``heard --help`` answers at once. Errors heard raises on purpose become a one-line
message and exit status 1; anything else becomes a short apology, exit status 2,
and the traceback only with ``--debug``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from heard import __version__
from heard._clierrors import friendly_errors
from heard.errors import HeardError

F = TypeVar("F", bound=Callable[..., Any])


_friendly_errors = friendly_errors("Try a smaller file, or split it and analyse the parts.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="heard")
def main() -> None:
    """heard: find the real issues in what people say, on your own machine.

    Start with:  heard analyse responses.csv --text comment -o results/
    """


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--text", "text", metavar="COLUMN", help="Column holding the responses (guessed if left out)."
)
@click.option(
    "--id",
    "id_",
    metavar="COLUMN",
    help="Column with a unique id per response (default: row position).",
)
@click.option(
    "--by",
    multiple=True,
    metavar="COLUMN",
    help="Segment column to compare themes by (repeatable).",
)
@click.option("--time", "time_", metavar="COLUMN", help="Date column, for themes over time.")
@click.option(
    "--question",
    metavar="COLUMN",
    help="Column with the question each response answers, so sentiment reads "
    "'Nothing' under 'What could we do better?' as praise.",
)
@click.option(
    "--sheet",
    metavar="NAME",
    help="Sheet of an .xlsx file, by name or number (default: the first).",
)
@click.option(
    "--encoding",
    metavar="NAME",
    help="Text encoding of a CSV/TXT file, e.g. utf-8 or cp1252 (default: detected).",
)
@click.option(
    "--codebook",
    type=click.Path(path_type=Path),
    help="Your themes: CSV/XLSX/JSON with name, description, examples.",
)
@click.option(
    "--themes",
    "n_themes",
    type=click.IntRange(1, 100),
    help="Number of themes (default: chosen from the data).",
)
@click.option(
    "--seed",
    "random_state",
    type=int,
    default=0,
    show_default=True,
    help="Random seed; same input and seed give the same result.",
)
@click.option("--title", help="Title of the report.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for report.html, themes.csv, assignments.csv and results.xlsx.",
)
@click.option(
    "--no-redact",
    is_flag=True,
    help="Keep personal data (names, phone numbers, addresses...) in the outputs. The report says so.",
)
@click.option(
    "--names",
    "names_file",
    type=click.Path(path_type=Path),
    help="A text file of known names (participants, staff, children), one per line, to redact wherever they appear.",
)
@click.option(
    "--pseudonyms",
    type=click.Choice(["none", "story", "project"]),
    default="none",
    show_default=True,
    help="Number the placeholders ([NAME-1], [NAME-2]) within each story or across the project.",
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),
    help="Embedding cache folder (default: $HEARD_CACHE_DIR or ~/.cache/heard).",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the embedding cache.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or summary; errors only.")
@click.option("--debug", is_flag=True, help="Show full tracebacks for unexpected errors.")
@_friendly_errors
def analyse(
    file: Path,
    text: str | None,
    id_: str | None,
    by: tuple[str, ...],
    time_: str | None,
    question: str | None,
    sheet: str | None,
    encoding: str | None,
    codebook: Path | None,
    n_themes: int | None,
    random_state: int,
    title: str | None,
    output: Path,
    no_redact: bool,
    names_file: Path | None,
    pseudonyms: str,
    cache_dir: Path | None,
    no_cache: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Find the themes in FILE and write a report.

    FILE can be CSV, TSV, XLSX, JSON, JSON Lines, TXT, DOCX, VTT or SRT, or a folder
    of text files or transcripts (one story each).
    """
    started = time.perf_counter()
    from heard.analysis import analyse as run
    from heard.ingest import read

    if output.exists() and not output.is_dir():
        raise HeardError(
            f"The output {output} is a file, not a folder. Give -o a folder name, e.g. -o results/"
        )
    sheet_arg: str | int | None = int(sheet) if sheet and sheet.isdigit() else sheet
    known_names = _read_names(names_file) if names_file is not None else []
    book = None
    if codebook is not None:
        from heard.codebook import Codebook

        book = Codebook.from_file(codebook)  # check it before the long work starts
    responses = read(
        file,
        text=text,
        id=id_,
        by=list(by) or None,
        time=time_,
        sheet=sheet_arg,
        encoding=encoding,
        question=question,
    )
    if not quiet:
        click.echo(
            f"Read {len(responses):,} responses from {file} (text column '{responses.text}').",
            err=True,
        )
    result = run(
        responses,
        codebook=book,
        n_themes=n_themes if n_themes else "auto",
        random_state=random_state,
        cache_dir=cache_dir,
        use_cache=not no_cache,
        progress=not quiet,
        title=title,
        redact=not no_redact,
        known_names=known_names,
        pseudonyms=pseudonyms,
    )
    paths = result.save(output)
    if quiet:
        return
    top = result.top_themes
    click.echo("")
    click.echo(
        f"{result.n_responses:,} responses, {len(top)} themes; "
        f"{result.no_theme_share:.1%} with no clear theme. ({time.perf_counter() - started:.1f} s)"
    )
    for _, row in top.head(5).iterrows():
        click.echo(f"  {row['theme_id']:>3}. {row['label']} ({row['share']:.0%})")
    if len(top) > 5:
        click.echo(f"  ... and {len(top) - 5} more in the report.")
    click.echo("")
    if no_redact:
        click.echo("Personal data was NOT removed (--no-redact): handle these files with care.")
    else:
        found = result.settings.get("redactions") or {}
        summary = ", ".join(
            f"{count} {kind.lower().replace('_', ' ')}" for kind, count in found.items()
        )
        click.echo(f"Personal data removed: {summary or 'none found'}.")
    for name, path in paths.items():
        click.echo(f"  {name:<12} {path}")


def _read_names(path: Path) -> list[str]:
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise HeardError(
            f"The names file {path} does not exist. Check the path given to --names."
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise HeardError(
            f"heard could not read the names file {path} ({exc}). Save it as UTF-8 text, one name per line."
        ) from exc
    return [line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")]


def _register() -> None:
    from heard._webcli import (
        backup_command,
        manage_command,
        restore_command,
        serve_command,
        worker_command,
    )
    from heard.redact.cli import redact_command

    main.add_command(redact_command, "redact")
    main.add_command(serve_command, "serve")
    main.add_command(worker_command, "worker")
    main.add_command(manage_command, "manage")
    main.add_command(backup_command, "backup")
    main.add_command(restore_command, "restore")


_register()


if __name__ == "__main__":  # pragma: no cover
    main()
