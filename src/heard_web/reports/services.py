"""Reports and downloads: the only module of this app that calls the heard library (report).

An export is made in the background (:func:`start_export` queues :func:`run_export`): the
project's current themes, for all its stories or a filtered view of them (the story list's
query string, read by ``stories.services.filter_stories``), are turned back into the library's
:class:`heard.result.Analysis`, and the library writes the same report and tables as
``heard analyse``. Numbers (sizes, shares, sentiment) are counted over the chosen stories
only; the text of a story whose author did not agree to be quoted is never written out.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from heard_web.accounts.models import AuditAction
from heard_web.accounts.services import record_event
from heard_web.analysis.edits import current_run, live_themes
from heard_web.analysis.models import AnalysisRun, Assignment, ThemeKind
from heard_web.core.months import local_naive
from heard_web.core.tasks import enqueue_on_commit
from heard_web.reports.models import Export, ExportKind
from heard_web.stories.consent import CONSENT_FIELDS, may_quote_values
from heard_web.stories.models import JobStatus

log = logging.getLogger(__name__)

NO_THEME_KEY = "none"
#: Theme kinds as the library's ``source`` column names them.
_SOURCE = {
    ThemeKind.DISCOVERED: "discovered",
    ThemeKind.CODEBOOK: "codebook",
    ThemeKind.PROPOSED: "proposed",
    ThemeKind.PERSON: "person",
    ThemeKind.NONE: "none",
}


class ExportError(Exception):
    """An export that cannot be made, with a message for the person who asked."""


def export_dir() -> Path:
    return Path(settings.DATA_DIR) / "exports"


def filters_from(params: Any) -> dict[str, list[str]]:
    """The story filters of a query string, as stored on an Export (only what filter_stories reads)."""
    from heard_web.stories.services import StoryFilters

    out: dict[str, list[str]] = {}
    for key, value in StoryFilters.from_params(params).to_params():
        out.setdefault(key, []).append(value)
    return out


def describe_filters(project: Any, filters: dict[str, list[str]]) -> str:
    """The filters in words, for the page and the report's title ("" for all stories)."""
    if not filters:
        return ""
    names = {"from": "from", "to": "to", "sentiment": "feeling", "q": "words", "mode": "search"}
    parts = []
    theme_labels = (
        dict(live_themes(current_run(project)).values_list("pk", "label"))
        if current_run(project)
        else {}
    )
    source_names = dict(project.sources.values_list("pk", "name"))
    for key, values in filters.items():
        if key == "theme":
            shown = [theme_labels.get(int(v), v) for v in values if v.isdigit()]
            parts.append("theme " + ", ".join(str(s) for s in shown))
        elif key == "source":
            parts.append(
                "source " + ", ".join(source_names.get(int(v), v) for v in values if v.isdigit())
            )
        elif key.startswith("a."):
            parts.append(f"{key[2:]} " + ", ".join(values))
        else:
            parts.append(f"{names.get(key, key)} " + ", ".join(values))
    return "; ".join(parts)


def chosen_stories(project: Any, run: AnalysisRun, filters: dict[str, list[str]]) -> Any:
    """The stories an export covers: the filtered view, within what ``run`` analysed."""
    from heard_web.accounts.models import Role
    from heard_web.stories.services import filter_stories

    # Downloads are for every member, viewers too: only what a viewer may see (approved).
    stories = filter_stories(project, filters, role=Role.VIEWER)
    analysed = Assignment.objects.filter(theme__run=run, theme__parent=None, primary=True).values(
        "story_id"
    )
    return stories.filter(pk__in=analysed).order_by("id")


def start_export(
    project: Any, kind: str, params: Any, *, by: Any = None, request: Any = None
) -> Export:
    """Queue an export of the project's current themes for the stories ``params`` choose."""
    from heard_web.reports.tasks import run_export_task

    kind = ExportKind(kind).value
    run = current_run(project)
    if run is None:
        raise ExportError("There is nothing to download yet: run the analysis first.")
    filters = filters_from(params)
    with transaction.atomic():
        export = Export.objects.create(
            project=project,
            run=run,
            kind=kind,
            filters=filters,
            created_by=by,
            stage="Waiting for the background worker",
        )
        enqueue_on_commit(run_export_task, export, export_id=export.pk)
    return export


def run_export(export_id: int) -> None:
    """Write one queued export's file (the task calls this); its row records the outcome."""
    claimed = Export.objects.filter(pk=export_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, stage="Reading the themes", progress=0.1
    )
    if not claimed:
        return
    export = Export.objects.select_related("project", "run").get(pk=export_id)
    try:
        if export.run is None:
            raise ExportError(
                "The analysis this download was made from has been deleted. Ask for it again."
            )
        analysis = build_analysis(export.project, export.run, export.filters)
        Export.objects.filter(pk=export_id).update(stage="Writing the file", progress=0.6)
        path = export_dir() / str(export.project_id) / f"{export.pk}-{export.file_name}"
        _write(export.kind, analysis, path)
    except Exception as exc:
        if isinstance(exc, ExportError):
            message = str(exc)
        else:
            log.exception("Export %s failed", export_id)
            message = (
                f"The file could not be made because of an error inside heard ({type(exc).__name__}). "
                "Try again; if it happens again, tell your administrator."
            )
        Export.objects.filter(pk=export_id).update(
            status=JobStatus.FAILED,
            error_message=message,
            stage="Failed",
            finished_at=timezone.now(),
        )
        return
    Export.objects.filter(pk=export_id).update(
        status=JobStatus.SUCCEEDED,
        stored_path=str(path),
        stories_count=analysis.n_responses,
        progress=1.0,
        stage="Ready",
        finished_at=timezone.now(),
    )


def abandon_exports(exports: Any, why: str) -> int:
    """Mark these unfinished downloads failed, removing any half-written file."""
    count = 0
    for export in exports:
        count += 1
        partial = export_dir() / str(export.project_id) / f"{export.pk}-{export.file_name}"
        partial.unlink(missing_ok=True)
        Export.objects.filter(pk=export.pk).update(
            status=JobStatus.FAILED,
            error_message=f"{why} Ask for the file again.",
            stage="Failed",
            finished_at=timezone.now(),
        )
    return count


def _write(kind: str, analysis: Any, path: Path) -> None:
    from heard.report import render_html
    from heard.report.tables import (
        assignments_csv,
        atomic_path,
        table_csv,
        themes_csv,
        write_bytes_atomic,
        write_xlsx,
    )

    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == ExportKind.REPORT:
        write_bytes_atomic(path, render_html(analysis).encode("utf-8"))
    elif kind == ExportKind.PDF:
        write_bytes_atomic(path, report_pdf(render_html(analysis)))
    elif kind == ExportKind.XLSX:
        with atomic_path(path) as tmp:
            write_xlsx(analysis, tmp)
    elif kind == ExportKind.THEMES:
        write_bytes_atomic(path, themes_csv(analysis))
    elif kind == ExportKind.ASSIGNMENTS:
        write_bytes_atomic(path, assignments_csv(analysis))
    else:
        frame = analysis.responses.copy()
        if "time" in frame:
            frame["time"] = frame["time"].dt.strftime("%Y-%m-%d")
        write_bytes_atomic(path, table_csv(frame))


def report_pdf(html: str) -> bytes:
    """The HTML report as a PDF (WeasyPrint; everything it needs is in the page, nothing is
    fetched: any link to another address is refused)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Only data: URLs (images inside the page); nothing from the network or the disk.
    fetcher = URLFetcher(allowed_protocols={"data"})
    for name in ("weasyprint", "weasyprint.progress"):  # CSS it skips is not a problem
        logging.getLogger(name).setLevel(logging.ERROR)
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    if pdf is None:  # pragma: no cover - write_pdf without a target always returns bytes
        raise ExportError("The PDF could not be made.")
    return bytes(pdf)


def build_analysis(
    project: Any, run: AnalysisRun, filters: dict[str, list[str]] | None = None
) -> Any:
    """The library's Analysis of ``run``'s themes, counted over the chosen stories only."""
    import numpy as np
    import pandas as pd

    from heard.result import NO_THEME_LABEL, SENTIMENT_LABELS, Analysis

    filters = filters or {}
    stories = list(
        chosen_stories(project, run, filters).values_list(
            "id",
            "redacted_text",
            "attributes",
            "received_at",
            "sentiment",
            "sentiment_score",
            *CONSENT_FIELDS,
        )
    )
    if not stories:
        raise ExportError(
            "No analysed story matches this view, so there is nothing to put in the file. "
            "Clear some filters, or run the analysis again to include new stories."
        )
    ids = {s[0] for s in stories}
    themes = list(live_themes(run).select_related("parent").order_by("position", "id"))
    by_pk = {t.pk: t for t in themes}
    rows = [
        r
        for r in Assignment.objects.filter(theme__run=run, theme__merged_into__isnull=True)
        .values_list("story_id", "theme_id", "primary", "score", "quote_rank")
        .iterator(chunk_size=5000)
        if r[0] in ids
    ]
    main: dict[int, Any] = {}
    sub: dict[int, Any] = {}
    others: dict[int, list[tuple[Any, float]]] = {}
    for sid, tid, primary, score, _ in rows:
        theme = by_pk.get(tid)
        if theme is None:
            continue
        if theme.parent_id is not None:
            sub[sid] = (theme, score)
        elif primary:
            main[sid] = (theme, score)
        else:
            others.setdefault(sid, []).append((theme, score))
    segments = list((run.parameters or {}).get("segments") or [])
    dated = bool((run.parameters or {}).get("time")) and all(s[3] is not None for s in stories)
    frame: dict[str, Any] = {
        "response_id": [str(s[0]) for s in stories],
        # Never the words of a story that may not be quoted (stories.consent decides).
        "text": [s[1] if may_quote_values(*s[6:]) else "" for s in stories],
    }
    for key in segments:
        frame[key] = [_segment((s[2] or {}).get(key)) for s in stories]
    if dated:
        # Local wall-clock times, so that the report's months and the CSV's days are local.
        frame["time"] = local_naive([s[3] for s in stories])
    none_label = NO_THEME_LABEL

    def main_of(sid: int) -> tuple[str, str]:
        theme = main.get(sid, (None, 0.0))[0]
        return (theme.key, theme.label) if theme is not None else (NO_THEME_KEY, none_label)

    frame["theme_id"] = [main_of(s[0])[0] for s in stories]
    frame["theme"] = [main_of(s[0])[1] for s in stories]
    frame["subtheme_id"] = [sub[s[0]][0].key if s[0] in sub else "" for s in stories]
    frame["subtheme"] = [sub[s[0]][0].label if s[0] in sub else "" for s in stories]
    frame["sentiment"] = [s[4] or "mixed or neutral" for s in stories]
    frame["sentiment_score"] = [float(s[5]) if s[5] is not None else 0.0 for s in stories]
    responses = pd.DataFrame(frame)

    n = len(stories)
    sentiment = responses["sentiment"].to_numpy()
    score = responses["sentiment_score"].to_numpy(dtype=np.float64)
    position = {sid: i for i, sid in enumerate(s[0] for s in stories)}
    theme_rows = []
    order = [t for t in themes if t.parent_id is None and t.key != NO_THEME_KEY]
    sizes = {t.pk: 0 for t in themes}
    for theme, _ in [*main.values(), *sub.values()]:
        sizes[theme.pk] += 1
    order.sort(key=lambda t: -sizes[t.pk])
    mentions = dict(sizes)
    for items in others.values():
        for theme, _ in items:
            mentions[theme.pk] += 1

    def theme_row(theme: Any, members: list[int], level: int) -> dict[str, Any]:
        mask = np.zeros(n, dtype=bool)
        mask[[position[m] for m in members]] = True
        size = int(mask.sum())
        row = {
            "theme_id": theme.key,
            "parent_id": theme.parent.key if theme.parent_id else "",
            "level": level,
            "label": theme.label,
            "key_phrases": "; ".join(theme.key_phrases[:8]),
            "size": size,
            "mentions": max(size, mentions.get(theme.pk, 0)),
            "share": round(size / n, 4) if n else 0.0,
        }
        for label in SENTIMENT_LABELS:
            row[label] = round(float((sentiment[mask] == label).mean()), 4) if size else 0.0
        row["sentiment_score"] = round(float(score[mask].mean()), 4) if size else 0.0
        row["source"] = _SOURCE.get(theme.kind, "discovered")
        return row

    members_of: dict[int, list[int]] = {}
    for sid, (theme, _) in list(main.items()) + list(sub.items()):
        members_of.setdefault(theme.pk, []).append(sid)
    for theme in order:
        theme_rows.append(theme_row(theme, members_of.get(theme.pk, []), 1))
        for child in sorted(
            (t for t in themes if t.parent_id == theme.pk), key=lambda t: -sizes[t.pk]
        ):
            theme_rows.append(theme_row(child, members_of.get(child.pk, []), 2))
    none_members = [s[0] for s in stories if s[0] not in main or main[s[0]][0].key == NO_THEME_KEY]
    none_theme = next((t for t in themes if t.key == NO_THEME_KEY), None) or SimpleNamespace(
        key=NO_THEME_KEY,
        parent_id=None,
        label=none_label,
        key_phrases=[],
        pk=-1,
        kind=ThemeKind.NONE,
    )
    theme_rows.append(theme_row(none_theme, none_members, 1))

    assignment_rows = []
    for s in stories:
        sid = s[0]
        tid, label = main_of(sid)
        subtheme = sub.get(sid)
        assignment_rows.append(
            {
                "response_id": str(sid),
                "theme_id": tid,
                "theme": label,
                "subtheme_id": subtheme[0].key if subtheme else "",
                "subtheme": subtheme[0].label if subtheme else "",
                "score": round(float(main.get(sid, (None, 0.0))[1]), 4),
                "primary": True,
            }
        )
        for theme, value in sorted(others.get(sid, []), key=lambda x: -x[1]):
            assignment_rows.append(
                {
                    "response_id": str(sid),
                    "theme_id": theme.key,
                    "theme": theme.label,
                    "subtheme_id": "",
                    "subtheme": "",
                    "score": round(float(value), 4),
                    "primary": False,
                }
            )
    quotable = {s[0]: s[1] for s in stories if may_quote_values(*s[6:])}
    quote_rows = sorted(
        (
            {
                "theme_id": by_pk[tid].key,
                "rank": rank,
                "response_id": str(sid),
                "text": quotable[sid],
            }
            for sid, tid, _, _, rank in rows
            if rank is not None and sid in quotable and tid in by_pk
        ),
        key=lambda q: (q["theme_id"], q["rank"]),
    )
    library = (run.parameters or {}).get("settings") or {}
    described = describe_filters(project, filters)
    title = project.name + (f" ({described})" if described else "")
    settings_ = {
        "title": title,
        "source": f"heard workspace: {project.name}",
        "responses": n,
        "by": segments,
        "time": "received" if dated else None,
        "random_state": (run.parameters or {}).get("random_state", 0),
        "model": library.get("model"),
        "heard_version": library.get("heard_version"),
        "redact": True,  # stories are redacted when they arrive
        "filters": described or "all stories",
    }
    return Analysis(
        responses=responses,
        themes=pd.DataFrame(theme_rows),
        assignments=pd.DataFrame(assignment_rows),
        quotes=pd.DataFrame(quote_rows, columns=["theme_id", "rank", "response_id", "text"]),
        settings={k: v for k, v in settings_.items() if v is not None},
    )


def _segment(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "Not given"
    return str(value).strip()


def record_download(export: Export, request: Any) -> None:
    """Audit a download: who took which file of which view (never any story content)."""
    record_event(
        AuditAction.EXPORTED,
        project=export.project,
        target=export,
        request=request,
        details={
            "kind": export.kind,
            "file": export.file_name,
            "filters": export.filters,
            "stories": export.stories_count,
            "run": export.run_id,
        },
    )


def delete_export(export: Export) -> None:
    """Remove an export and its file."""
    path = export.path
    export.delete()
    if path is not None:
        path.unlink(missing_ok=True)


def forget_exports(project: Any) -> int:
    """Delete every export of ``project`` and its file (erasure: they may hold a story's text)."""
    exports = list(Export.objects.filter(project=project))
    for export in exports:
        delete_export(export)
    return len(exports)
