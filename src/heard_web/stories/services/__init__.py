"""Stories: the only place this app calls the heard library (ingest, redact, embed).

Views and tasks call these functions; other apps reuse them (see heard_web/README.md):

- ``filter_stories(project, params, role=...) -> QuerySet[Story]``: the story list's filters
  and keyword search, from a query string or a dict, within what ``role`` may see
  (``stories.visibility``);
- ``semantic_search(project, query, limit, queryset=None) -> [(story, score, passage)]``;
- ``add_stories(project, source, rows, user) -> AddResult``: redact, de-duplicate, save,
  and embed in the background.
"""

from __future__ import annotations

from heard_web.stories.services.imports import (
    abandon_imports,
    change_sheet,
    discard,
    run_import,
    start_import,
    store_upload,
)
from heard_web.stories.services.search import (
    SENTIMENTS,
    StoryFilters,
    filter_stories,
    forget_matrix,
    latest_run,
    load_hits,
    search_terms,
    segment_choices,
    semantic_ranking,
    semantic_search,
    theme_choices,
)
from heard_web.stories.services.store import (
    AddResult,
    StoryRow,
    add_stories,
    embed_stories,
    redactor_for,
)
from heard_web.stories.services.uploads import max_upload_bytes, supported_suffixes

__all__ = [
    "SENTIMENTS",
    "AddResult",
    "StoryFilters",
    "StoryRow",
    "abandon_imports",
    "add_stories",
    "change_sheet",
    "discard",
    "embed_stories",
    "filter_stories",
    "forget_matrix",
    "latest_run",
    "load_hits",
    "max_upload_bytes",
    "redactor_for",
    "run_import",
    "search_terms",
    "segment_choices",
    "semantic_ranking",
    "semantic_search",
    "start_import",
    "store_upload",
    "supported_suffixes",
    "theme_choices",
]
