"""What the theme explorer shows: themes, their numbers, quotes, trend and segments (rows only).

No call to the heard library here (charts are drawn in ``services``); every query is scoped to
one run of one project, so nothing from another project can appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Min, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from heard_web.analysis.edits import SENTIMENTS, live_themes
from heard_web.analysis.models import AnalysisRun, Assignment, Theme, ThemeKind
from heard_web.core.months import LocalMonth, month_span


def top_themes(run: AnalysisRun) -> list[Theme]:
    """The run's live top-level themes, biggest first, "No clear theme" last."""
    return list(live_themes(run).filter(parent=None).order_by("position", "id"))


def subthemes(theme: Theme) -> list[Theme]:
    return list(theme.children.filter(merged_into=None).order_by("-size", "position", "id"))


def theme_stories(theme: Theme, role: str) -> QuerySet[Assignment]:
    """The theme's stories a member with ``role`` may see (``stories.visibility``): those
    whose main theme it is first, then the others, best first.

    Assignment rows only: sorting them with their stories joined would read every story of a
    big theme; the page loads its own few stories with :func:`stories_for`.
    """
    from heard_web.stories.visibility import condition

    rows = theme.assignments.filter(condition(role, prefix="story__"))
    return rows.order_by("-primary", "-score", "story_id").only(
        "id", "primary", "score", "source", "story_id", "theme_id"
    )


def stories_for(rows: Any) -> dict[int, Any]:
    """The stories of a page of assignment rows, by id (text and sentiment only)."""
    from heard_web.stories.models import Story

    return Story.objects.only("id", "redacted_text", "sentiment", "project_id").in_bulk(
        [a.story_id for a in rows]
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

    # The theme's few quote rows first, then consent for just those stories: a subquery over
    # all the project's stories would read every one of them (measured: 0.45 s at 100,000).
    candidates = list(
        theme.assignments.filter(quote_rank__isnull=False).values_list("story_id", flat=True)
    )
    allowed = list(
        quotable(theme.project_id, stories).filter(pk__in=candidates).values_list("pk", flat=True)
    )
    rows = theme.assignments.filter(quote_rank__isnull=False, story_id__in=allowed)
    return [
        Quote(a.story_id, quote_text(a.story), a.quote_rank)
        for a in rows.select_related("story").order_by("quote_rank", "id")[:limit]
    ]


def sentiment_parts(theme: Theme) -> list[tuple[str, float]]:
    mix = theme.sentiment_mix or {}
    return [(s, float(mix.get(s, 0.0))) for s in SENTIMENTS]


def _main_rows(theme: Theme) -> QuerySet[Assignment]:
    return theme.assignments.filter(primary=True)


def totals(run: AnalysisRun) -> dict[str, Any]:
    """Stories per month and per segment value over the whole run (what a theme is set against).

    Counted once when the run is saved (``run.parameters["totals"]``), so a theme page reads
    only its own theme's rows. Months are the local time zone's (``core.months``).
    """
    stored = (run.parameters or {}).get("totals")
    if stored is not None and stored.get("zone") == timezone.get_current_timezone_name():
        return stored
    # A run saved before totals were kept (or made by other means), or whose months were
    # counted in another time zone (before months were local, UTC): count once, keep them.
    counted = count_totals(run)
    run.parameters = {**(run.parameters or {}), "totals": counted}
    AnalysisRun.objects.filter(pk=run.pk).update(parameters=run.parameters)
    return counted


def count_totals(run: AnalysisRun) -> dict[str, Any]:
    everyone = Assignment.objects.filter(theme__run=run, theme__parent=None, primary=True)
    dated = everyone.exclude(story__received_at=None)
    span = dated.aggregate(first=Min("story__received_at"), last=Max("story__received_at"))
    months = {
        r["month"]: r["n"]
        for r in dated.annotate(month=LocalMonth("story__received_at", span["first"], span["last"]))
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
    return {"months": months, "segments": segments, "zone": timezone.get_current_timezone_name()}


def trend(theme: Theme) -> list[dict[str, Any]]:
    """Stories per month whose main theme this is, beside all stories that month (dated only;
    months of the local time zone)."""
    from datetime import date

    overall = totals(theme.run)["months"]
    span = month_span(overall)
    if span is None:
        return []
    # The run's months bound the theme's stories: no query for their first and last dates.
    ours = {
        r["month"]: r["n"]
        for r in _main_rows(theme)
        .exclude(story__received_at=None)
        .annotate(month=LocalMonth("story__received_at", *span))
        .values("month")
        .annotate(n=Count("id"))
    }
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
