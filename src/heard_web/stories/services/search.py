"""Finding stories: the filters, keyword search and semantic search, shared by every app.

    params = request.GET                       # or a dict: {"source": "3", "a.role": "adopter"}
    stories = filter_stories(project, params)  # a QuerySet, always within the project
    hits = semantic_search(project, "waiting after approval", 20, queryset=stories)

Query-string parameters (``StoryFilters.from_params``): ``source`` (ids, repeatable),
``a.<segment>`` (a value of that segment, repeatable), ``from`` and ``to`` (dates,
YYYY-MM-DD, inclusive), ``theme`` (a theme id of the latest analysis), ``sentiment``,
``q`` (the search words) and ``mode`` (``keyword``, the default, or ``semantic``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import monotonic
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Max, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from heard_web.projects.models import Project
from heard_web.stories.models import JobStatus, Passage, Story
from heard_web.stories.visibility import visible

SEGMENT_PREFIX = "a."
MODES = ("keyword", "semantic")
SENTIMENTS = ("negative", "mixed or neutral", "positive")  # heard.result.SENTIMENT_LABELS
_TERMS = re.compile(r'"([^"]+)"|(\S+)')


@dataclass
class StoryFilters:
    """The filters of a story list, read leniently from a query string (bad values ignored)."""

    sources: list[int] = field(default_factory=list)
    segments: dict[str, list[str]] = field(default_factory=dict)
    date_from: date | None = None
    date_to: date | None = None
    theme: int | None = None
    sentiment: str = ""
    q: str = ""
    mode: str = "keyword"

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> StoryFilters:
        def values(name: str) -> list[str]:
            if hasattr(params, "getlist"):
                found = params.getlist(name)
            else:
                raw = params.get(name)
                found = raw if isinstance(raw, list | tuple) else [] if raw is None else [raw]
            return [str(v).strip() for v in found if str(v).strip()]

        segments: dict[str, list[str]] = {}
        for key in params:
            if str(key).startswith(SEGMENT_PREFIX) and len(str(key)) > len(SEGMENT_PREFIX):
                chosen = values(str(key))
                if chosen:
                    segments[str(key)[len(SEGMENT_PREFIX) :]] = chosen
        mode = (values("mode") or ["keyword"])[0]
        return cls(
            sources=[int(v) for v in values("source") if v.isdigit()],
            segments=segments,
            date_from=_date((values("from") or [""])[0]),
            date_to=_date((values("to") or [""])[0]),
            theme=next((int(v) for v in values("theme") if v.isdigit()), None),
            sentiment=(values("sentiment") or [""])[0],
            q=" ".join((values("q") or [""])[0].split())[:500],
            mode=mode if mode in MODES else "keyword",
        )

    @property
    def active(self) -> bool:
        """True when anything narrows the list (search words included)."""
        return bool(
            self.sources
            or self.segments
            or self.date_from
            or self.date_to
            or self.theme
            or self.sentiment
            or self.q
        )

    def to_params(self) -> list[tuple[str, str]]:
        """The query string these filters came from (for links and the next page)."""
        out: list[tuple[str, str]] = [("source", str(s)) for s in self.sources]
        for name, chosen in self.segments.items():
            out.extend((SEGMENT_PREFIX + name, v) for v in chosen)
        if self.date_from:
            out.append(("from", self.date_from.isoformat()))
        if self.date_to:
            out.append(("to", self.date_to.isoformat()))
        if self.theme:
            out.append(("theme", str(self.theme)))
        if self.sentiment:
            out.append(("sentiment", self.sentiment))
        if self.q:
            out.append(("q", self.q))
            if self.mode != "keyword":
                out.append(("mode", self.mode))
        return out

    def query_string(self, **changes: Any) -> str:
        params = [(k, v) for k, v in self.to_params() if k not in changes]
        params.extend((k, str(v)) for k, v in changes.items() if v not in (None, ""))
        return urlencode(params)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def search_terms(q: str) -> list[str]:
    """Words of a keyword search; "quoted phrases" stay whole."""
    return [a or b for a, b in _TERMS.findall(q) if (a or b).strip()][:20]


def latest_run(project: Project) -> Any:
    """The project's latest finished analysis run, or None (its themes are the filter's)."""
    from heard_web.analysis.models import AnalysisRun

    return (
        AnalysisRun.objects.filter(project=project, status=JobStatus.SUCCEEDED)
        .order_by("-created_at", "-id")
        .first()
    )


def filter_stories(
    project: Project, params: Mapping[str, Any] | StoryFilters | None = None, *, role: str
) -> QuerySet[Story]:
    """The project's stories that a member with ``role`` may see, narrowed by ``params``.

    ``params`` is a query string or StoryFilters; ``role`` the member's role (moderation
    decides what each role sees: ``stories.visibility``).

    Keyword search (``q`` with mode keyword) is applied here: every word must appear,
    ignoring case. With mode semantic the words are left to ``semantic_search``, which
    ranks this queryset. Ordered newest first (by received date, then by id).
    """
    filters = params if isinstance(params, StoryFilters) else StoryFilters.from_params(params or {})
    stories = visible(Story.objects.filter(project=project), role)
    if filters.sources:
        stories = stories.filter(source_id__in=filters.sources)
    for n, (name, chosen) in enumerate(filters.segments.items()):
        # KeyTextTransform, not attributes__<name>: a column name may hold "__" or spaces
        stories = stories.alias(**{f"segment_{n}": _segment(name)}).filter(
            **{f"segment_{n}__in": chosen}
        )
    zone = timezone.get_current_timezone()
    if filters.date_from:
        start = datetime.combine(filters.date_from, time.min, tzinfo=zone)
        stories = stories.filter(received_at__gte=start)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=zone)
        stories = stories.filter(received_at__lt=end)
    if filters.sentiment:
        stories = stories.filter(sentiment=filters.sentiment)
    if filters.theme:
        stories = stories.filter(pk__in=_theme_story_ids(project, filters.theme))
    if filters.q and filters.mode == "keyword":
        stories = _keyword(stories, search_terms(filters.q))
    return stories.order_by(F("received_at").desc(nulls_last=True), "-id")


def _segment(name: str) -> Any:
    """The text of one attribute (segment values are stored as strings).

    On SQLite one json_extract (Django's own key lookup parses the JSON twice, and its
    ``__in`` reads the values as JSON: measured 2x slower on 100,000 stories); elsewhere a
    key text lookup cast to text, so ``__in`` compares strings.
    """
    from django.db import connection

    if connection.vendor == "sqlite":
        path = '$."' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return RawSQL('json_extract("stories_story"."attributes", %s)', [path], TextField())
    return Cast(KeyTextTransform(name, "attributes"), TextField())


def _keyword(stories: QuerySet[Story], terms: list[str]) -> QuerySet[Story]:
    """Stories holding every term, ignoring case (substrings: "wait" finds "waiting").

    On SQLite, terms of 3 or more characters use the FTS5 trigram index (migration 0003);
    on PostgreSQL, ``icontains`` uses the pg_trgm index. Shorter terms scan.
    """
    indexed = [t for t in terms if len(t) >= 3]
    if indexed and _has_fts():
        match = " AND ".join('"' + t.replace('"', '""') + '"' for t in indexed)
        stories = stories.filter(
            pk__in=RawSQL(
                "SELECT rowid FROM stories_story_fts WHERE stories_story_fts MATCH %s", [match]
            )
        )
        terms = [t for t in terms if len(t) < 3]
    for term in terms:
        stories = stories.filter(redacted_text__icontains=term)
    return stories


_fts: dict[str, bool] = {}


def _has_fts() -> bool:
    """True when this SQLite database has the stories' FTS5 index (checked once per process)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return False
    name = str(connection.settings_dict["NAME"])
    if name not in _fts:
        _fts[name] = "stories_story_fts" in connection.introspection.table_names()
    return _fts[name]


def _theme_story_ids(project: Project, theme_id: int) -> Any:
    """Stories assigned to a theme of the latest run (or to its sub-themes)."""
    from heard_web.analysis.models import Assignment, Theme

    run = latest_run(project)
    if run is None:
        return Story.objects.none().values("pk")
    themes = Theme.objects.filter(project=project, run=run).filter(
        Q(pk=theme_id) | Q(parent_id=theme_id)
    )
    return Assignment.objects.filter(theme__in=themes).values("story_id")


def theme_choices(project: Project) -> list[tuple[int, str]]:
    """(id, label) of the latest run's themes, sub-themes indented under their parent."""
    from heard_web.analysis.models import Theme

    run = latest_run(project)
    if run is None:
        return []
    themes = list(
        Theme.objects.filter(project=project, run=run, merged_into__isnull=True).order_by(
            "position", "id"
        )
    )
    top = [t for t in themes if t.parent_id is None]
    out: list[tuple[int, str]] = []
    for theme in top:
        out.append((theme.pk, theme.label))
        out.extend((c.pk, f"– {c.label}") for c in themes if c.parent_id == theme.pk)
    return out


def segment_choices(project: Project) -> dict[str, list[str]]:
    """Segment columns and their values, from what imports remembered (no scan of stories)."""
    merged: dict[str, set[str]] = {}
    for columns in project.sources.values_list("columns", flat=True):
        for name, found in ((columns or {}).get("values") or {}).items():
            merged.setdefault(name, set()).update(found)
    return {name: sorted(found) for name, found in sorted(merged.items())}


# --- semantic search ------------------------------------------------------------------------


@dataclass
class _Matrix:
    """The project's passage vectors in memory, one row per passage, and what they reflect."""

    vectors: Any  # (n, 384) float32, unit rows
    story_ids: Any  # (n,) int64
    passage_ids: Any  # (n,) int64
    passage_last: int = 0  # the largest passage id of the whole table when read
    story_count: int = 0  # the project's stories then
    story_last: int = 0  # and the largest of their ids
    checked_at: float = field(default_factory=monotonic)


#: How often (seconds) a search also counts the project's stories, to notice erasures made
#: by another process (a story erased meanwhile is never shown: hits are read from the table).
RECHECK_SECONDS = 5.0
_matrices: dict[int, _Matrix] = {}
_matrices_lock = threading.Lock()


def forget_matrix(project_id: int) -> None:
    """Drop a project's cached vectors in this process (other processes notice by themselves)."""
    with _matrices_lock:
        _matrices.pop(project_id, None)


def _load(project: Project, after: int = 0) -> tuple[Any, Any, Any]:
    """Vectors, story ids and passage ids of the project's passages with ids above ``after``."""
    import numpy as np

    rows = Passage.objects.filter(story__project=project, embedding__isnull=False)
    if after:
        rows = rows.filter(pk__gt=after)
    ids: list[int] = []
    owners: list[int] = []
    blobs: list[bytes] = []
    for pk, story_id, blob in rows.order_by("pk").values_list("pk", "story_id", "embedding"):
        ids.append(pk)
        owners.append(story_id)
        blobs.append(bytes(blob))
    if not blobs:
        return np.zeros((0, 384), dtype=np.float32), np.zeros(0, np.int64), np.zeros(0, np.int64)
    vectors = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1)
    return vectors, np.asarray(owners, dtype=np.int64), np.asarray(ids, dtype=np.int64)


def project_matrix(project: Project) -> _Matrix:
    """The project's vectors, cached per process, brought up to date when stories change.

    Passages are only ever added or deleted (with their story), never changed, so three cheap
    queries tell what changed since the cache was read: the largest passage id (new passages
    are read and appended), and the count and largest id of the project's stories (when fewer
    stories are left than were added, erased stories' rows are dropped).
    """
    import numpy as np

    passage_last = Passage.objects.aggregate(last=Max("pk"))["last"] or 0
    with _matrices_lock:
        cached = _matrices.get(project.pk)
    if (
        cached is not None
        and cached.passage_last == passage_last
        and monotonic() - cached.checked_at < RECHECK_SECONDS
    ):
        return cached  # nothing added; erasures are looked for every few seconds
    state = Story.objects.filter(project=project).aggregate(n=Count("pk"), last=Max("pk"))
    story_count, story_last = state["n"] or 0, state["last"] or 0
    if cached is not None and (cached.passage_last, cached.story_count, cached.story_last) == (
        passage_last,
        story_count,
        story_last,
    ):
        cached.checked_at = monotonic()
        return cached
    if cached is None:
        vectors, owners, ids = _load(project)
    else:
        vectors, owners, ids = cached.vectors, cached.story_ids, cached.passage_ids
        if passage_last > cached.passage_last:
            new_vectors, new_owners, new_ids = _load(project, after=cached.passage_last)
            if len(new_ids):
                vectors = np.concatenate([vectors, new_vectors])
                owners = np.concatenate([owners, new_owners])
                ids = np.concatenate([ids, new_ids])
        added = Story.objects.filter(project=project, pk__gt=cached.story_last).count()
        if cached.story_count + added != story_count:  # some stories were erased
            alive = np.fromiter(
                Story.objects.filter(project=project).values_list("pk", flat=True), np.int64
            )
            keep = np.isin(owners, alive)
            vectors, owners, ids = vectors[keep], owners[keep], ids[keep]
    matrix = _Matrix(vectors, owners, ids, passage_last, story_count, story_last)
    with _matrices_lock:
        _matrices[project.pk] = matrix
    return matrix


def embed_query(query: str) -> Any:
    """The query's unit vector, from the same model the stories were embedded with."""
    from heard_web.stories.services.store import embed_texts

    return embed_texts([query])[0]


def _ranked(matrix: _Matrix, scores: Any, window: int) -> tuple[list[int], dict[int, int]]:
    """Story ids of the ``window`` best rows, best first, and the row of each one's best passage."""
    import numpy as np

    finite = int(np.isfinite(scores).sum())
    window = min(window, finite)
    if window <= 0:
        return [], {}
    if window < len(scores):
        top = np.argpartition(-scores, window - 1)[:window]
    else:
        top = np.arange(len(scores))
    top = top[np.argsort(-scores[top], kind="stable")]
    best: dict[int, int] = {}
    for row in top.tolist():
        if np.isfinite(scores[row]):
            best.setdefault(int(matrix.story_ids[row]), row)
    return list(best), best


def semantic_search(
    project: Project,
    query: str,
    limit: int = 20,
    queryset: QuerySet[Story] | None = None,
) -> list[tuple[Story, float, Passage]]:
    """The project's stories closest in meaning to ``query``, best first.

    Each hit is (story, cosine similarity of its best passage, that passage). With
    ``queryset`` (e.g. ``filter_stories(...)``), only its stories are ranked. Stories not yet
    embedded (an import still running) are not found.
    """
    return load_hits(project, semantic_ranking(project, query, limit, queryset))


def semantic_ranking(
    project: Project,
    query: str,
    limit: int = 20,
    queryset: QuerySet[Story] | None = None,
) -> list[tuple[int, float, int]]:
    """As ``semantic_search``, as ids only: (story id, score, passage id), best first.

    Reads no rows, so a page can rank a few hundred and load only the ones it shows
    (``load_hits``).
    """
    import numpy as np

    if not query.strip() or limit <= 0:
        return []
    matrix = project_matrix(project)
    if not len(matrix.story_ids):
        return []
    scores = matrix.vectors @ embed_query(query).astype(np.float32)
    candidates, best = _ranked(matrix, scores, max(limit * 4, 200))
    if queryset is not None:
        # First the closest few hundred, checked against the filters in one query; when too
        # few pass (narrow filters), every story of the queryset, masked in one pass.
        allowed = set(queryset.filter(pk__in=candidates).values_list("pk", flat=True))
        if len(allowed) < limit and len(best) < len(matrix.story_ids):
            ids = np.fromiter(queryset.order_by().values_list("pk", flat=True), np.int64)
            scores = np.where(np.isin(matrix.story_ids, ids), scores, -np.inf)
            candidates, best = _ranked(matrix, scores, limit * 4)
            allowed = set(ids[np.isin(ids, candidates)].tolist())
        candidates = [c for c in candidates if c in allowed]
    return [
        (story_id, float(scores[best[story_id]]), int(matrix.passage_ids[best[story_id]]))
        for story_id in candidates[:limit]
    ]


def load_hits(
    project: Project, ranking: Sequence[tuple[int, float, int]]
) -> list[tuple[Story, float, Passage]]:
    """The stories and passages of a ``semantic_ranking`` (erased ones left out)."""
    stories = (
        Story.objects.filter(project=project)
        .select_related("source")
        .defer("original_text")
        .in_bulk([story_id for story_id, _, _ in ranking])
    )
    passages = Passage.objects.defer("embedding").in_bulk([p for _, _, p in ranking])
    hits = []
    for story_id, score, passage_id in ranking:
        story = stories.get(story_id)
        passage = passages.get(passage_id)
        if story is None or passage is None or passage.story_id != story_id:
            continue  # erased since the vectors were read
        hits.append((story, score, passage))
    return hits
