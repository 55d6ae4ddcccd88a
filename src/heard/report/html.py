"""The HTML report: one self-contained page a non-programmer can read, share and print.

The page is built from an :class:`~heard.result.Analysis` in two steps: this module turns
the analysis into small view objects (numbers already worded, charts already drawn),
and the Jinja2 template ``templates/report.html.j2`` lays them out with autoescaping
on. Everything is grouped with pandas, so the cost does not grow with per-response
Python loops.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from markupsafe import Markup

from heard.report import charts
from heard.report.segments import NOTABLE_RULE, over_time, segment_views
from heard.report.wording import anchor, percent, plural, sentiment_phrase, shorten
from heard.result import NO_THEME_ID, NO_THEME_LABEL, SENTIMENT_LABELS, Analysis

__all__ = ["build_context", "render_html"]

DEFAULT_TITLE = "What people told us"
SUMMARY_THEMES = 5
MAX_QUOTES = 5
NO_THEME_EXAMPLES = 4

_SETTING_NAMES = {
    "source": "Input file",
    "input": "Input file",
    "text": "Text column",
    "id": "ID column",
    "by": "Segment columns",
    "time": "Time column",
    "question": "Question column",
    "question_kinds": "Questions, as sentiment read them",
    "codebook": "Codebook",
    "model": "Language model",
    "random_state": "Random seed (random_state)",
    "redact": "Personal data removed",
    "version": "heard version",
    "heard_version": "heard version",
}


@dataclass
class Quote:
    text: str
    response_id: str
    shortened: bool


@dataclass
class SubTheme:
    label: str
    anchor: str
    size: int
    share_of_theme: str
    key_phrases: list[str]


@dataclass
class ThemeView:
    number: int
    theme_id: str
    label: str
    anchor: str
    size: int
    share: float
    share_text: str
    mentions: int
    sentiment: list[tuple[str, str]]
    sentiment_parts: list[float]
    sentiment_text: str
    sentiment_svg: Markup | None
    key_phrases: list[str]
    quotes: list[Quote]
    subthemes: list[SubTheme] = field(default_factory=list)


@dataclass
class NoThemeView:
    size: int
    share_text: str
    examples: list[Quote]


def render_html(analysis: Analysis) -> str:
    """The whole report as one self-contained HTML page (inline CSS and SVG, no scripts)."""
    return _template().render(**build_context(analysis))


@functools.lru_cache(maxsize=1)
def _template() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("heard", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["thousands"] = lambda n: f"{int(n):,}"
    env.filters["plural"] = plural
    return env.get_template("report.html.j2")


def build_context(analysis: Analysis) -> dict[str, Any]:
    """Everything the template shows, already worded and drawn."""
    settings = analysis.settings or {}
    n = analysis.n_responses
    themes = theme_views(analysis)
    no_theme = no_theme_view(analysis)
    heard_of = [t for t in themes if t.size > 0]  # a codebook entry nobody raised is no issue
    redact = settings.get("redact")
    return {
        "title": str(settings.get("title") or DEFAULT_TITLE),
        "n": n,
        "redact_off": redact is False,
        "redact_on": redact is True,
        "themes": themes,
        "top_issues": heard_of[:SUMMARY_THEMES],
        "more_themes": max(0, len(heard_of) - SUMMARY_THEMES),
        "no_theme": no_theme,
        "overall": overall_sentiment(analysis),
        "size_chart": size_chart(themes, no_theme, n),
        "sentiment_chart": sentiment_chart(themes),
        "sentiment_labels": list(SENTIMENT_LABELS),
        "sentiment_swatches": list(zip(SENTIMENT_LABELS, charts.SENTIMENT_COLOURS, strict=True)),
        "segments": segment_views(analysis, _labels(themes)),
        "notable_rule": NOTABLE_RULE,
        "over_time": over_time(analysis, _labels(themes)),
        "settings_rows": settings_rows(settings, n),
        "version": str(settings.get("version") or settings.get("heard_version") or ""),
    }


# Views ---------------------------------------------------------------------------------


def _int(value: Any) -> int:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return 0
    return 0 if math.isnan(f) else int(round(f))


def _float(value: Any) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(f) else f


def _phrases(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    return [p.strip() for p in value.split(";") if p.strip()][:8]


def _label(row: Mapping[Any, Any]) -> str:
    label = row.get("label")
    if isinstance(label, str) and label.strip():
        return label.strip()
    return f"Theme {row.get('theme_id')}"


def _quotes(frame: pd.DataFrame, limit: int) -> list[Quote]:
    """Up to ``limit`` quotes in rank order, skipping blanks and repeats of the same words."""
    head = frame.head(limit * 4)
    ids = head["response_id"].tolist() if "response_id" in head else [""] * len(head)
    out: list[Quote] = []
    seen: set[str] = set()
    for text, rid in zip(head["text"].tolist(), ids, strict=True):
        if not isinstance(text, str) or not text.strip():
            continue
        key = " ".join(text.casefold().split())
        if key in seen:
            continue
        seen.add(key)
        short, cut = shorten(text)
        out.append(Quote(short, "" if rid is None else str(rid), cut))
        if len(out) == limit:
            break
    return out


def theme_views(analysis: Analysis) -> list[ThemeView]:
    """The top-level themes, biggest first, each with its quotes and sub-themes."""
    top = analysis.top_themes.copy()
    top["_size"] = pd.to_numeric(top["size"], errors="coerce").fillna(0)
    top = top.sort_values("_size", ascending=False, kind="mergesort")
    n = analysis.n_responses
    views = []
    for number, row in enumerate(top.to_dict("records"), start=1):
        tid = str(row["theme_id"])
        size = _int(row.get("size"))
        parts = {label: _float(row.get(label)) for label in SENTIMENT_LABELS}
        subs = analysis.subthemes(tid).copy()
        subs["_size"] = pd.to_numeric(subs["size"], errors="coerce").fillna(0)
        subs = subs.sort_values("_size", ascending=False, kind="mergesort")
        label = _label(row)
        share = size / n if n else 0.0
        views.append(
            ThemeView(
                number=number,
                theme_id=tid,
                label=label,
                anchor=anchor(tid),
                size=size,
                share=share,
                share_text=percent(share),
                mentions=max(size, _int(row.get("mentions"))),
                sentiment=[(k, percent(v)) for k, v in parts.items()],
                sentiment_parts=list(parts.values()),
                sentiment_text=sentiment_phrase(parts),
                sentiment_svg=(
                    charts.stacked_bars(
                        [charts.StackRow(label, list(parts.values()))],
                        chart_id=f"{anchor(tid)}-sentiment",
                        title=f"How people feel about {label}",
                        desc=", ".join(f"{percent(v)} {k}" for k, v in parts.items()) + ".",
                        show_labels=False,
                    )
                    if any(parts.values())
                    else None
                ),
                key_phrases=_phrases(row.get("key_phrases")),
                quotes=_quotes(analysis.quotes_for(tid), MAX_QUOTES),
                subthemes=[
                    SubTheme(
                        label=_label(s),
                        anchor=anchor(str(s["theme_id"])),
                        size=_int(s.get("size")),
                        share_of_theme=percent(_int(s.get("size")) / size if size else 0.0),
                        key_phrases=_phrases(s.get("key_phrases")),
                    )
                    for s in subs.to_dict("records")
                ],
            )
        )
    return views


def no_theme_view(analysis: Analysis) -> NoThemeView:
    """The responses that fit no theme, with a few examples so a reader can judge them."""
    r = analysis.responses
    mask = (r["theme_id"].astype(str) == NO_THEME_ID).to_numpy(dtype=bool)
    size = int(mask.sum())
    examples = _quotes(analysis.quotes_for(NO_THEME_ID), NO_THEME_EXAMPLES)
    if not examples and size and "text" in r:
        examples = _quotes(r.loc[mask], NO_THEME_EXAMPLES)
    share = size / len(r) if len(r) else 0.0
    return NoThemeView(size=size, share_text=percent(share), examples=examples)


def overall_sentiment(analysis: Analysis) -> dict[str, Any] | None:
    r = analysis.responses
    if "sentiment" not in r or not len(r):
        return None
    shares = r["sentiment"].value_counts(normalize=True)
    parts = {label: float(shares.get(label, 0.0)) for label in SENTIMENT_LABELS}
    words = [f"{percent(v)} {k}" for k, v in parts.items()]
    return {
        "sentence": f"Overall, {words[0]}, {words[1]} and {words[2]}.",
        "negative": percent(parts["negative"]),
        "chart": charts.stacked_bars(
            [charts.StackRow("All responses", list(parts.values()))],
            chart_id="overall-sentiment",
            title="How people feel, across all responses",
            desc=f"{words[0]}, {words[1]}, {words[2]}.",
            show_labels=False,
        ),
    }


def size_chart(themes: list[ThemeView], no_theme: NoThemeView, n: int) -> Markup | None:
    if not themes and not no_theme.size:
        return None
    biggest = max([t.share for t in themes] + [no_theme.size / n if n else 0.0]) or 1.0
    bars = [charts.Bar(t.label, t.share / biggest, f"{t.size:,} ({t.share_text})") for t in themes]
    if no_theme.size:
        bars.append(
            charts.Bar(
                NO_THEME_LABEL,
                (no_theme.size / n) / biggest,
                f"{no_theme.size:,} ({no_theme.share_text})",
                muted=True,
            )
        )
    desc = "; ".join(f"{b.label}: {b.text}" for b in bars)
    return charts.bar_chart(
        bars,
        chart_id="theme-sizes",
        title="Number of responses in each theme, biggest first",
        desc=desc + ".",
    )


def sentiment_chart(themes: list[ThemeView]) -> Markup | None:
    rows = [
        charts.StackRow(t.label, t.sentiment_parts) for t in themes if t.sentiment_svg is not None
    ]
    if not rows:
        return None
    desc = "; ".join(f"{t.label}: " + ", ".join(f"{v} {k}" for k, v in t.sentiment) for t in themes)
    return charts.stacked_bars(
        rows,
        chart_id="theme-sentiment",
        title="Share of negative, mixed or neutral and positive responses in each theme",
        desc=desc + ".",
    )


def _labels(themes: list[ThemeView]) -> dict[str, str]:
    return {t.theme_id: t.label for t in themes}


def settings_rows(settings: dict[str, Any], n: int) -> list[tuple[str, str]]:
    """'How this was made': each setting as a (name, value) row in plain words."""
    rows = [("Responses analysed", f"{n:,}")]
    known = list(_SETTING_NAMES)
    for key in sorted(
        settings, key=lambda k: (known.index(k) if k in known else len(known), str(k))
    ):
        if key == "title":
            continue
        name = _SETTING_NAMES.get(key, str(key).replace("_", " ").capitalize())
        rows.append((name, _setting_value(settings[key])))
    return rows


def _setting_value(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        text = "; ".join(f"{k}: {_setting_value(v)}" for k, v in value.items()) or "none"
    elif isinstance(value, list | tuple | set):
        items = sorted(value, key=str) if isinstance(value, set) else value
        text = ", ".join(_setting_value(v) for v in items) or "none"
    else:
        text = str(value)
    return text if len(text) <= 300 else text[:299] + "…"
