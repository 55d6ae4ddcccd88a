"""What the theme explorer shows: themes, their numbers, quotes, trend and segments (rows only).

No call to the heard library here (charts are drawn in ``services``); every query is scoped to
one run of one project, so nothing from another project can appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import TruncMonth

from heard_web.analysis.edits import SENTIMENTS, live_themes
from heard_web.analysis.models import AnalysisRun, Assignment, Theme, ThemeKind


def top_themes(run: AnalysisRun) -> list[Theme]:
    """The run's live top-level themes, biggest first, "No clear theme" last."""
    return list(live_themes(run).filter(parent=None).order_by("position", "id"))


def subthemes(theme: Theme) -> list[Theme]:
    return list(theme.children.filter(merged_into=None).order_by("-size", "position", "id"))


def theme_stories(theme: Theme) -> QuerySet[Assignment]:
    """The theme's stories: those whose main theme it is first, then the others, best first."""
    return (
        theme.assignments.select_related("story")
        .order_by("-primary", "-score", "story_id")
        .only(
            "id",
            "primary",
            "score",
            "source",
            "story__id",
            "story__redacted_text",
            "story__sentiment",
        )
    )


@dataclass
class Quote:
    story_id: int
    text: str
    rank: int


def quotes_for(theme: Theme, limit: int = 5, stories: Any = None) -> list[Quote]:
    """The theme's representative quotes that may be shown: only stories consented for quoting.

    ``stories`` (a Story queryset) limits them to a filtered view.
    """
    from heard_web.stories.consent import quotable, quote_text

    rows = theme.assignments.filter(
        quote_rank__isnull=False, story__in=quotable(theme.project_id, stories)
    )
    return [
        Quote(a.story_id, quote_text(a.story), a.quote_rank)
        for a in rows.select_related("story").order_by("quote_rank", "id")[:limit]
    ]


def sentiment_parts(theme: Theme) -> list[tuple[str, float]]:
    mix = theme.sentiment_mix or {}
    return [(s, float(mix.get(s, 0.0))) for s in SENTIMENTS]


def _main_rows(theme: Theme) -> QuerySet[Assignment]:
    return theme.assignments.filter(primary=True)


def _month_key(month: Any) -> str:
    return f"{month:%Y-%m}"


def totals(run: AnalysisRun) -> dict[str, Any]:
    """Stories per month and per segment value over the whole run (what a theme is set against).

    Counted once when the run is saved (``run.parameters["totals"]``), so a theme page reads
    only its own theme's rows.
    """
    stored = (run.parameters or {}).get("totals")
    if stored is not None:
        return stored
    # A run saved before totals were kept (or made by other means): count once, keep them.
    counted = count_totals(run)
    run.parameters = {**(run.parameters or {}), "totals": counted}
    AnalysisRun.objects.filter(pk=run.pk).update(parameters=run.parameters)
    return counted


def count_totals(run: AnalysisRun) -> dict[str, Any]:
    everyone = Assignment.objects.filter(theme__run=run, theme__parent=None, primary=True)
    months = {
        _month_key(r["month"]): r["n"]
        for r in everyone.exclude(story__received_at=None)
        .annotate(month=TruncMonth("story__received_at"))
        .values("month")
        .annotate(n=Count("id"))
    }
    segments = {}
    for key in (run.parameters or {}).get("segments") or []:
        segments[key] = {
            (r["v"] if r["v"] not in (None, "") else "Not given"): r["n"]
            for r in everyone.annotate(v=KeyTextTransform(key, "story__attributes"))
            .values("v")
            .annotate(n=Count("id"))
        }
    return {"months": months, "segments": segments}


def trend(theme: Theme) -> list[dict[str, Any]]:
    """Stories per month whose main theme this is, beside all stories that month (dated only)."""
    from datetime import date

    ours = {
        _month_key(r["month"]): r["n"]
        for r in _main_rows(theme)
        .exclude(story__received_at=None)
        .annotate(month=TruncMonth("story__received_at"))
        .values("month")
        .annotate(n=Count("id"))
    }
    overall = totals(theme.run)["months"]
    out = []
    for key in sorted(overall):
        total, n = overall[key], ours.get(key, 0)
        year, month = (int(x) for x in key.split("-"))
        out.append(
            {
                "month": date(year, month, 1),
                "count": n,
                "total": total,
                "share": n / total if total else 0.0,
            }
        )
    return out


def segments(theme: Theme) -> list[dict[str, Any]]:
    """For each segment the run compared: the theme's share of each value's stories."""
    keys = (theme.run.parameters or {}).get("segments") or []
    overall = totals(theme.run)["segments"]
    out = []
    for key in keys:
        ours = {
            (r["v"] if r["v"] not in (None, "") else "Not given"): r["n"]
            for r in _main_rows(theme)
            .annotate(v=KeyTextTransform(key, "story__attributes"))
            .values("v")
            .annotate(n=Count("id"))
        }
        everyone = overall.get(key, {})
        rows = [
            {
                "value": value,
                "count": ours.get(value, 0),
                "total": total,
                "share": ours.get(value, 0) / total if total else 0.0,
            }
            for value, total in sorted(everyone.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        out.append({"key": key, "rows": rows})
    return out


def is_editable(theme: Theme) -> bool:
    return theme.kind != ThemeKind.NONE
