"""Analysis: the only place this app calls the heard library (themes, sentiment, charts).

Views and tasks call these functions; they turn ORM rows into library types and back.

- :func:`start_run` makes an AnalysisRun and queues :func:`run_analysis` for the worker.
- :func:`run_analysis` reads the project's analysable stories into a DataFrame
  (:mod:`.corpus`), calls :func:`heard.find_themes` (reusing stored passage vectors, else the
  library's embedding cache: :mod:`.embedding`), and saves themes, sub-themes, assignments,
  sentiment and quotes (:mod:`.runs`). The first run saves what the library found; a re-run
  keeps the previous run's themes as people shaped them and places new stories in them
  (:mod:`.plan`, with :mod:`heard_web.analysis.matching`), then replays any edit made while
  it was working.
- Chart helpers draw the explorer's SVG charts with :mod:`heard.report.charts` (:mod:`.charts`).
"""

from __future__ import annotations

from heard_web.analysis.services.charts import sentiment_chart, size_chart, trend_chart
from heard_web.analysis.services.corpus import analysable_stories, segment_keys
from heard_web.analysis.services.embedding import embedder
from heard_web.analysis.services.errors import AnalysisError
from heard_web.analysis.services.runs import abandon_runs, run_analysis, start_run

__all__ = [
    "AnalysisError",
    "abandon_runs",
    "analysable_stories",
    "embedder",
    "run_analysis",
    "segment_keys",
    "sentiment_chart",
    "size_chart",
    "start_run",
    "trend_chart",
]
