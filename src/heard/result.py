"""The result of an analysis: what was found, and every response's place in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["NO_THEME_ID", "NO_THEME_LABEL", "SENTIMENT_LABELS", "Analysis"]

#: The id and label of the group of responses that fit no theme.
NO_THEME_ID = "none"
NO_THEME_LABEL = "No clear theme"
#: Sentiment classes, most negative first.
SENTIMENT_LABELS = ("negative", "mixed or neutral", "positive")


@dataclass
class Analysis:
    """Themes, sub-themes, sentiment and quotes found in a set of responses.

    Attributes
    ----------
    responses:
        One row per response, in input order: ``response_id``, ``text`` (as analysed,
        redacted unless redaction was turned off), the segment columns named in
        ``by``, ``time`` (datetime, when a time column was given), ``theme_id``,
        ``theme`` (primary theme), ``subtheme_id``, ``subtheme``, ``sentiment``
        (one of :data:`SENTIMENT_LABELS`), ``sentiment_score`` (-1 very negative
        .. 1 very positive).
    themes:
        One row per theme and sub-theme, biggest theme first, each theme followed by
        its sub-themes: ``theme_id`` ("3", sub-theme "3.2", :data:`NO_THEME_ID`),
        ``parent_id`` ("" for a theme), ``level`` (1 theme, 2 sub-theme), ``label``,
        ``key_phrases`` ("; "-separated), ``size`` (responses whose main theme it is),
        ``mentions`` (responses assigned to it at all), ``share`` (size / responses),
        ``negative``, ``mixed or neutral``, ``positive`` (shares of its responses),
        ``sentiment_score`` (mean), ``source`` ("discovered", "codebook" or "proposed").
    assignments:
        One row per (response, theme): ``response_id``, ``theme_id``, ``theme``,
        ``subtheme_id``, ``subtheme``, ``score`` (cosine similarity, 0..1), ``primary``.
        A response with no clear theme has one row with ``theme`` "No clear theme".
    quotes:
        Representative quotes: ``theme_id``, ``rank`` (1 = most central), ``response_id``,
        ``text``.
    settings:
        What produced this result: columns, options, ``random_state``, model, version.
    """

    responses: pd.DataFrame
    themes: pd.DataFrame
    assignments: pd.DataFrame
    quotes: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def n_responses(self) -> int:
        return len(self.responses)

    @property
    def by(self) -> list[str]:
        return list(self.settings.get("by") or [])

    @property
    def time(self) -> str | None:
        return "time" if "time" in self.responses.columns else None

    @property
    def top_themes(self) -> pd.DataFrame:
        """Top-level themes, biggest first, without the "No clear theme" row."""
        t = self.themes
        return t[(t["level"] == 1) & (t["theme_id"] != NO_THEME_ID)]

    @property
    def no_theme_share(self) -> float:
        """Share of responses (0..1) whose main theme is "No clear theme"."""
        if not len(self.responses):
            return 0.0
        return float((self.responses["theme_id"] == NO_THEME_ID).mean())

    def subthemes(self, theme_id: str) -> pd.DataFrame:
        t = self.themes
        return t[t["parent_id"] == str(theme_id)]

    def quotes_for(self, theme_id: str) -> pd.DataFrame:
        q = self.quotes
        return q[q["theme_id"] == str(theme_id)].sort_values("rank")

    def sentiment_by(self, column: str) -> pd.DataFrame:
        """Share of each sentiment class per value of ``column`` (a segment or ``theme``)."""
        r = self.responses
        table = pd.crosstab(r[column], r["sentiment"], normalize="index")
        return table.reindex(columns=list(SENTIMENT_LABELS), fill_value=0.0)

    def to_html(self) -> str:
        """The whole report as one self-contained HTML page."""
        from heard.report import render_html

        return render_html(self)

    def save(self, directory: str | Path) -> dict[str, Path]:
        """Write report.html, themes.csv, assignments.csv and results.xlsx to ``directory``."""
        from heard.report import write_outputs

        return write_outputs(self, Path(directory))
