"""What a run reads: the analysable stories, their texts, and the attributes worth comparing."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from heard_web.analysis.services.errors import AnalysisError
from heard_web.core.months import local_naive
from heard_web.stories.models import Moderation

#: Segments compared in the explorer and report: attributes with 2..MAX_SEGMENT_VALUES values.
MAX_SEGMENT_VALUES = 40
MAX_SEGMENTS = 6


def analysable_stories(project: Any) -> Any:
    """The stories an analysis reads: consented to analysis and not held back by moderation."""
    return project.stories.filter(consent_analysis=True, moderation=Moderation.APPROVED)


@dataclass
class _Corpus:
    """The stories a run reads, in id order, with what the library needs."""

    ids: list[int]
    texts: list[str]
    frame: Any  # pandas DataFrame
    by: list[str]
    time: str | None
    empty: list[int]  # stories with no text: "No clear theme" without asking the library

    @functools.cached_property
    def position(self) -> dict[int, int]:
        """Each story id's row in ``ids``, ``texts`` and the run's vectors."""
        return {sid: i for i, sid in enumerate(self.ids)}


def _corpus(project: Any) -> _Corpus:
    import pandas as pd

    rows = list(
        analysable_stories(project)
        .order_by("id")
        .values_list("id", "redacted_text", "attributes", "received_at")
    )
    if not rows:
        raise AnalysisError(
            "This project has no stories to analyse (or none that people consented to having "
            "analysed). Import some stories first, then run the analysis again."
        )
    empty = [r[0] for r in rows if not (r[1] or "").strip()]
    rows = [r for r in rows if (r[1] or "").strip()]
    ids = [r[0] for r in rows]
    texts = [r[1].strip() for r in rows]
    frame = pd.DataFrame({"story_id": [str(i) for i in ids], "text": texts})
    by = segment_keys([r[2] or {} for r in rows])
    for key in by:
        frame[key] = [_segment_value((r[2] or {}).get(key)) for r in rows]
    time_column = None
    if rows and all(r[3] is not None for r in rows):
        time_column = "received"
        frame[time_column] = local_naive([r[3] for r in rows])  # local months and days
    return _Corpus(ids, texts, frame, by, time_column, empty)


def _segment_value(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "Not given"
    return str(value).strip()


def segment_keys(attributes: list[dict[str, Any]]) -> list[str]:
    """Attributes worth comparing themes by: 2 to MAX_SEGMENT_VALUES values, most common first."""
    values: dict[str, set[str]] = defaultdict(set)
    seen: dict[str, int] = defaultdict(int)
    for attrs in attributes:
        for key, value in attrs.items():
            if key in {"story_id", "text", "received"}:
                continue
            seen[key] += 1
            if len(values[key]) <= MAX_SEGMENT_VALUES:
                values[key].add(_segment_value(value))
    keys = [k for k in values if 2 <= len(values[k]) <= MAX_SEGMENT_VALUES]
    keys.sort(key=lambda k: (-seen[k], k))
    return keys[:MAX_SEGMENTS]
