"""Reports: the analysis as a web page people can read, and as tables for other programs.

    >>> from heard.report import render_html, write_outputs
    >>> html = render_html(analysis)                 # one self-contained page
    >>> paths = write_outputs(analysis, Path("out"))
    >>> paths["report"], paths["themes"], paths["assignments"], paths["xlsx"]

``write_outputs`` writes ``report.html``, ``themes.csv``, ``assignments.csv`` and
``results.xlsx``. Each file appears in one step (written under a temporary name beside
it, then renamed), so an interrupted run never leaves a half-written file behind.
"""

from __future__ import annotations

from pathlib import Path

from heard.errors import SettingsError
from heard.report.html import render_html
from heard.report.tables import (
    assignments_csv,
    atomic_path,
    themes_csv,
    write_bytes_atomic,
    write_xlsx,
)
from heard.result import Analysis

__all__ = ["OUTPUT_FILES", "render_html", "write_outputs"]

#: The files ``write_outputs`` writes, by the key it returns them under.
OUTPUT_FILES = {
    "report": "report.html",
    "themes": "themes.csv",
    "assignments": "assignments.csv",
    "xlsx": "results.xlsx",
}


def write_outputs(analysis: Analysis, outdir: Path) -> dict[str, Path]:
    """Write the report and tables into ``outdir`` (created if needed); return their paths."""
    outdir = Path(outdir)
    if outdir.exists() and not outdir.is_dir():
        raise SettingsError(
            f"heard cannot write its results to '{outdir}', because that is a file, not a "
            "folder. Choose a folder with -o, for example: -o heard-results"
        )
    paths = {key: outdir / name for key, name in OUTPUT_FILES.items()}
    # Everything that can fail on bad data runs before the first file is touched.
    html = render_html(analysis).encode("utf-8")
    themes = themes_csv(analysis)
    assignments = assignments_csv(analysis)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(paths["themes"], themes)
        write_bytes_atomic(paths["assignments"], assignments)
        with atomic_path(paths["xlsx"]) as tmp:
            write_xlsx(analysis, tmp)
        write_bytes_atomic(paths["report"], html)
    except PermissionError as exc:
        raise SettingsError(
            f"heard could not write to '{exc.filename or outdir}': permission denied. "
            "If one of its files is open in another program, such as Excel, close it and try "
            "again; otherwise choose a folder you can write to with -o."
        ) from exc
    return paths
