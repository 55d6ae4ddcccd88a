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
    rows = theme.assignments.filter(quote_rank__isnull=False, story__consent_quote=True)
    if stories is not None:
        rows = rows.filter(story__in=stories)
    return [
        Quote(a.story_id, a.story.redacted_text, a.quote_rank)
        for a in rows.select_related("story").order_by("quote_rank", "id")[:limit]
    ]


def sentiment_parts(theme: Theme) -> list[tuple[str, float]]:
    mix = theme.sentiment_mix or {}
    return [(s, float(mix.get(s, 0.0))) for s in SENTIMENTS]


def _main_rows(theme: Theme) -> QuerySet[Assignment]:
    return theme.assignments.filter(primary=True)


def trend(theme: Theme) -> list[dict[str, Any]]:
    """Stories per month whose main theme this is, beside all stories that month (dated only)."""
    months = (
        _main_rows(theme)
        .exclude(story__received_at=None)
        .annotate(month=TruncMonth("story__received_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    overall = {
        r["month"]: r["n"]
        for r in Assignment.objects.filter(theme__run=theme.run, theme__parent=None, primary=True)
        .exclude(story__received_at=None)
        .annotate(month=TruncMonth("story__received_at"))
        .values("month")
        .annotate(n=Count("id"))
    }
    ours = {r["month"]: r["n"] for r in months}
    out = []
    for month in sorted(overall):
        total = overall[month]
        n = ours.get(month, 0)
        out.append(
            {"month": month, "count": n, "total": total, "share": n / total if total else 0.0}
        )
    return out


def segments(theme: Theme) -> list[dict[str, Any]]:
    """For each segment the run compared: the theme's share of each value's stories."""
    keys = (theme.run.parameters or {}).get("segments") or []
    out = []
    everyone = Assignment.objects.filter(theme__run=theme.run, theme__parent=None, primary=True)
    for key in keys:
        ours = {
            r["v"]: r["n"]
            for r in _main_rows(theme)
            .annotate(v=KeyTextTransform(key, "story__attributes"))
            .values("v")
            .annotate(n=Count("id"))
        }
        rows = []
        for r in (
            everyone.annotate(v=KeyTextTransform(key, "story__attributes"))
            .values("v")
            .annotate(n=Count("id"))
            .order_by("-n", "v")
        ):
            n = ours.get(r["v"], 0)
            rows.append(
                {
                    "value": r["v"] if r["v"] not in (None, "") else "Not given",
                    "count": n,
                    "total": r["n"],
                    "share": n / r["n"] if r["n"] else 0.0,
                }
            )
        out.append({"key": key, "rows": rows})
    return out


def is_editable(theme: Theme) -> bool:
    return theme.kind != ThemeKind.NONE
