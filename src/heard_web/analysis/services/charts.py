"""The explorer's SVG charts, drawn with :mod:`heard.report.charts` (a table sits beside each)."""

from __future__ import annotations

import functools
from typing import Any

from heard_web.analysis import edits
from heard_web.analysis.models import Theme, ThemeKind


@functools.lru_cache(maxsize=1)
def _charts() -> Any:
    from heard.report import charts

    return charts


def _percent(share: float) -> str:
    from heard.report.wording import percent

    return str(percent(share))


def size_chart(themes: list[Theme], total: int) -> Any:
    """Theme sizes as bars (the page shows the same numbers in a table beside it)."""
    charts = _charts()
    if not themes or not total:
        return None
    biggest = max(t.size for t in themes) or 1
    bars = [
        charts.Bar(
            label=t.label,
            value=t.size / biggest,
            text=f"{t.size:,} ({_percent(t.size / total)})",
            muted=t.kind == ThemeKind.NONE,
        )
        for t in themes
    ]
    return charts.bar_chart(
        bars,
        chart_id="theme-sizes",
        title="Stories per theme",
        desc="; ".join(f"{b.label}: {b.text}" for b in bars) + ".",
    )


def sentiment_chart(themes: list[Theme], chart_id: str = "theme-sentiment") -> Any:
    """How people feel about each theme, as 100% stacked bars (negative, mixed, positive)."""
    charts = _charts()
    rows = [t for t in themes if t.sentiment_mix and t.kind != ThemeKind.NONE]
    if not rows:
        return None
    stack = [
        charts.StackRow(t.label, [float(t.sentiment_mix.get(k, 0.0)) for k in edits.SENTIMENTS])
        for t in rows
    ]
    desc = "; ".join(
        f"{t.label}: "
        + ", ".join(f"{_percent(float(t.sentiment_mix.get(k, 0.0)))} {k}" for k in edits.SENTIMENTS)
        for t in rows
    )
    return charts.stacked_bars(
        stack,
        chart_id=chart_id,
        title="How people feel about each theme",
        desc=desc + ".",
        show_labels=len(rows) > 1,
    )


def trend_chart(theme: Theme, months: list[dict[str, Any]]) -> Any:
    """The theme's share of each month's stories, as a small line (table beside it)."""
    charts = _charts()
    if len(months) < 2:
        return None
    values = [m["share"] for m in months]
    return charts.sparkline(
        values,
        ymax=max(values) or 1.0,
        chart_id="theme-trend",
        title=f"Share of stories about {theme.label}, month by month",
        desc=", ".join(f"{m['month']:%B %Y}: {_percent(m['share'])}" for m in months) + ".",
        height=80,
    )
