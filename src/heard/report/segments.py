"""The report's comparisons: themes within each segment (``by`` columns) and over time.

Both are computed with pandas cross-tabulations over the whole table at once, so a
report on 100,000 responses takes about as long as one on 1,000.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from markupsafe import Markup

from heard.report import charts
from heard.report.wording import anchor, percent
from heard.result import NO_THEME_ID, NO_THEME_LABEL, Analysis

__all__ = [
    "NOTABLE_RULE",
    "HeatCell",
    "HeatRow",
    "SegmentView",
    "Spark",
    "TimeView",
    "over_time",
    "segment_views",
]

#: At most this many segment values get their own column; the rest are grouped as "Other".
MAX_SEGMENT_VALUES = 10
#: At most this many themes get a small chart over time.
MAX_TIME_THEMES = 12
#: Below this many responses a month on average, a long enough span is shown by quarter.
MIN_PER_MONTH = 20
#: Spans longer than this many years are shown by year.
MAX_QUARTER_YEARS = 10
#: A theme is "notably more common" in a segment when all of these hold.
NOTABLE_MIN_COUNT = 5
NOTABLE_RATIO = 1.5
NOTABLE_POINTS = 0.05
MAX_NOTES = 5
#: Shading: imaginary responses at the overall share added to each group, and the lift
#: (group share / overall share) that gets the darkest shade.
SHADE_PRIOR = 10
SHADE_FULL_LIFT = 2.0
NOTABLE_RULE = (
    f"at least {NOTABLE_RATIO:g} times the share in all responses, at least "
    f"{NOTABLE_POINTS * 100:g} percentage points higher, and at least {NOTABLE_MIN_COUNT} responses"
)
NOT_RECORDED = "Not recorded"


@dataclass
class HeatCell:
    text: str
    background: str
    colour: str
    notable: bool
    title: str


@dataclass
class HeatRow:
    label: str
    anchor: str
    overall: str
    cells: list[HeatCell]


@dataclass
class SegmentView:
    column: str
    anchor: str
    values: list[tuple[str, int]]
    rows: list[HeatRow]
    notes: list[str]
    grouped: int


@dataclass
class Spark:
    label: str
    anchor: str
    svg: Markup
    summary: str


@dataclass
class TimeView:
    unit: str
    start: str
    end: str
    volume_svg: Markup | None
    volume_summary: str
    cards: list[Spark]
    scale: str
    head: list[str]
    rows: list[list[str]]
    note: str
    undated: int


def _theme_order(analysis: Analysis, labels: dict[str, str]) -> list[tuple[str, str]]:
    order = list(labels.items())
    if (analysis.responses["theme_id"].astype(str) == NO_THEME_ID).any():
        order.append((NO_THEME_ID, NO_THEME_LABEL))
    return order


def _segment_keys(values: pd.Series) -> tuple[pd.Series, list[str], int]:
    """Each response's segment as text, the column order, and how many values went to Other."""
    keys = values.astype("string").fillna(NOT_RECORDED).str.strip().replace("", NOT_RECORDED)
    counts = keys.value_counts()
    if isinstance(values.dtype, pd.CategoricalDtype):
        natural = [str(c) for c in values.cat.categories if str(c) in counts.index]
    elif pd.api.types.is_numeric_dtype(values.dtype):
        uniques = pd.Series(values.dropna().unique()).sort_values()
        natural = [str(v) for v in uniques.astype("string")]
    else:
        natural = sorted(counts.index.drop(NOT_RECORDED, errors="ignore"), key=str.casefold)
    if NOT_RECORDED in counts.index:
        natural = [v for v in natural if v != NOT_RECORDED] + [NOT_RECORDED]
    if len(natural) <= MAX_SEGMENT_VALUES:
        return keys, natural, 0
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    kept = {str(k) for k, _ in ranked[: MAX_SEGMENT_VALUES - 1]}
    other = f"Other ({len(natural) - len(kept)} groups)"
    keys = keys.where(keys.isin(kept), other)
    return keys, [v for v in natural if v in kept] + [other], len(natural) - len(kept)


def _lift_shade(count: int, total: int, base: float) -> float:
    """How much darker a cell is (0..1): how much more common the theme is in the group.

    The group's share is first pulled towards the overall share by a few imaginary
    responses (:data:`SHADE_PRIOR`), so a group of three people cannot look like a
    big difference. Twice as common as overall (or more) is the darkest shade.
    """
    if base <= 0 or total <= 0:
        return 0.0
    shrunk = (count + SHADE_PRIOR * base) / (total + SHADE_PRIOR)
    return max(0.0, min(1.0, (shrunk / base - 1.0) / (SHADE_FULL_LIFT - 1.0)))


def segment_views(analysis: Analysis, labels: dict[str, str]) -> list[SegmentView]:
    """For each segment column, the share of each theme within each segment value."""
    r = analysis.responses
    n = len(r)
    views: list[SegmentView] = []
    if not n:
        return views
    theme = r["theme_id"].astype(str)
    order = _theme_order(analysis, labels)
    overall = theme.value_counts()
    used: set[str] = set()
    for column in analysis.by:
        if column not in r.columns:
            continue
        slug = "segment-" + anchor(str(column)).removeprefix("theme-")
        if slug in used:
            slug = f"{slug}-{len(used) + 1}"
        used.add(slug)
        keys, values, grouped = _segment_keys(r[column])
        counts = pd.crosstab(theme, keys).reindex(
            index=[t for t, _ in order], columns=values, fill_value=0
        )
        totals = keys.value_counts().reindex(values, fill_value=0)
        count_grid = counts.to_numpy(dtype="int64")
        total_row = totals.to_numpy(dtype="int64")
        share_grid = count_grid / np.maximum(total_row, 1)
        rows: list[HeatRow] = []
        found: list[tuple[float, str]] = []
        for i, (tid, label) in enumerate(order):
            base = int(overall.get(tid, 0)) / n
            cells = []
            for j, value in enumerate(values):
                count = int(count_grid[i, j])
                share = float(share_grid[i, j])
                total = int(total_row[j])
                notable = (
                    len(values) > 1
                    and count >= NOTABLE_MIN_COUNT
                    and share >= base * NOTABLE_RATIO
                    and share - base >= NOTABLE_POINTS
                )
                bg, fg = charts.heat_colours(_lift_shade(count, total, base))
                cells.append(
                    HeatCell(
                        text=percent(share) if total else "–",
                        background=bg,
                        colour=fg,
                        notable=notable,
                        title=f"{count:,} of {total:,} responses from {value}",
                    )
                )
                if notable:
                    found.append(
                        (
                            share - base,
                            f"{label}: {percent(share)} of responses from {column} "
                            f"“{value}”, compared with {percent(base)} of all responses.",
                        )
                    )
            rows.append(HeatRow(label, anchor(tid), percent(base), cells))
        found.sort(key=lambda f: (-f[0], f[1]))
        views.append(
            SegmentView(
                column=str(column),
                anchor=slug,
                values=[(v, int(totals[v])) for v in values],
                rows=rows,
                notes=[text for _, text in found[:MAX_NOTES]],
                grouped=grouped,
            )
        )
    return views


def _period_label(period: pd.Period, unit: str) -> str:
    if unit == "Y":
        return str(period.year)
    if unit == "Q":
        return f"Q{period.quarter} {period.year}"
    return period.strftime("%b %Y")


def _dates(values: pd.Series) -> pd.Series:
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = pd.to_datetime(values, errors="coerce", utc=True)
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values


def _time_unit(first: pd.Timestamp, last: pd.Timestamp, n: int) -> str:
    """Months for spans up to two years, quarters for longer ones, years beyond ten.

    Quarters also when months would hold too few responses for their shares to mean
    much, provided that still leaves a few quarters to compare.
    """
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months > 12 * MAX_QUARTER_YEARS:
        return "Y"
    if months > 24:
        return "Q"
    if n / months < MIN_PER_MONTH and months >= 10:
        return "Q"
    return "M"


def over_time(analysis: Analysis, labels: dict[str, str]) -> TimeView | None:
    """Each top theme's share of responses per month (per quarter or year over long spans)."""
    if analysis.time is None:
        return None
    r = analysis.responses
    dates = _dates(r["time"])
    dated = dates.notna()
    undated = int((~dated).sum())
    empty = TimeView("month", "", "", None, "", [], "", [], [], "", undated)
    if not dated.any():
        empty.note = (
            "None of the responses has a date that could be read, so there is no trend to show."
        )
        return empty
    dates = dates[dated]
    first, last = dates.min(), dates.max()
    unit = _time_unit(first, last, int(dated.sum()))
    word = {"M": "month", "Q": "quarter", "Y": "year"}[unit]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        periods = dates.dt.to_period(unit)
    span = pd.period_range(periods.min(), periods.max(), freq=unit)
    names = [_period_label(p, unit) for p in span]
    theme = r.loc[dated, "theme_id"].astype(str)
    volume = periods.value_counts().reindex(span, fill_value=0)
    counts = pd.crosstab(periods, theme).reindex(index=span, fill_value=0)
    shares = counts.div(volume.where(volume > 0), axis=0)
    view = TimeView(word, names[0], names[-1], None, "", [], "", [], [], "", undated)
    if len(span) < 2:
        view.note = (
            f"All dated responses fall in {names[0]}, so there is no change over time to show."
        )
        return view
    shown = list(labels.items())[:MAX_TIME_THEMES]
    for tid, _ in shown:
        if tid not in shares.columns:
            shares[tid] = [0.0 if v else float("nan") for v in volume]
    ymax = float(shares[[t for t, _ in shown]].max().max()) if shown else 0.0
    ymax = ymax if ymax == ymax and ymax > 0 else 1.0  # NaN-safe
    vol = [int(v) for v in volume]
    busiest = max(range(len(vol)), key=lambda i: (vol[i], -i))
    view.volume_summary = (
        f"{sum(vol):,} dated responses, from {vol[0]:,} in {names[0]} to {vol[-1]:,} in "
        f"{names[-1]}; the most was {vol[busiest]:,} in {names[busiest]}."
    )
    view.volume_svg = charts.sparkline(
        [float(v) for v in vol],
        ymax=float(max(vol)),
        chart_id="time-volume",
        title=f"Responses per {word}",
        desc=view.volume_summary,
    )
    for tid, label in shown:
        values = [None if v != v else float(v) for v in shares[tid].tolist()]
        known = [(i, v) for i, v in enumerate(values) if v is not None]
        i0, v0 = known[0]
        i1, v1 = known[-1]
        ipk, vpk = max(known, key=lambda kv: (kv[1], -kv[0]))
        summary = (
            f"{percent(v0)} of responses in {names[i0]}, {percent(v1)} in {names[i1]}; "
            f"highest {percent(vpk)} in {names[ipk]}."
        )
        view.cards.append(
            Spark(
                label=label,
                anchor=anchor(tid),
                svg=charts.sparkline(
                    values,
                    ymax=ymax,
                    chart_id=f"time-{anchor(tid)}",
                    title=f"{label}: share of responses per {word}",
                    desc=summary,
                ),
                summary=summary,
            )
        )
    view.scale = f"Every small chart uses the same scale, from 0% to {percent(ymax)}."
    view.head = [word.capitalize(), "Responses"] + [lab for _, lab in shown]
    grid = shares[[t for t, _ in shown]].to_numpy(dtype="float64")
    for i, name in enumerate(names):
        row = [name, f"{vol[i]:,}"]
        row += ["–" if not vol[i] else percent(float(v)) for v in grid[i]]
        view.rows.append(row)
    return view
