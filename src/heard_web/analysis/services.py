"""Analysis: the only module of this app that calls the heard library (themes, sentiment, charts).

Views and tasks call these functions; they turn ORM rows into library types and back.

- :func:`start_run` makes an AnalysisRun and queues :func:`run_analysis` for the worker.
- :func:`run_analysis` reads the project's analysable stories into a DataFrame, calls
  :func:`heard.find_themes` (reusing stored passage vectors, else the library's embedding
  cache), and saves themes, sub-themes, assignments, sentiment and quotes. The first run saves
  what the library found; a re-run keeps the previous run's themes as people shaped them and
  places new stories in them (see :mod:`heard_web.analysis.matching`), then replays any edit
  made while it was working.
- Chart helpers draw the explorer's SVG charts with :mod:`heard.report.charts`.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from heard_web.accounts.models import AuditAction
from heard_web.accounts.services import record_event
from heard_web.analysis import edits, explorer
from heard_web.analysis.models import (
    AnalysisRun,
    AssignedBy,
    Assignment,
    Theme,
    ThemeEdit,
    ThemeKind,
)
from heard_web.core.months import local_naive
from heard_web.core.tasks import enqueue_on_commit
from heard_web.stories.models import JobStatus, Moderation, Passage

log = logging.getLogger(__name__)

NO_THEME_KEY = edits.NO_THEME_KEY
QUOTES_PER_THEME = 5
QUOTES_PER_SUBTHEME = 2
#: Segments compared in the explorer and report: attributes with 2..MAX_SEGMENT_VALUES values.
MAX_SEGMENT_VALUES = 40
MAX_SEGMENTS = 6
#: A re-run knows each old theme by at most this many of its stories (sampled, seeded).
REFERENCE_PER_THEME = 3000
#: A newcomer also joins another theme that it fits within this margin of its best one.
SECONDARY_MARGIN = 0.06
#: The worker keeps one embedding model loaded between runs (it takes seconds to load).
_EMBEDDER: Any = None


class AnalysisError(Exception):
    """A run that cannot start or finish, with a message for the person who asked for it."""


# Starting and running ------------------------------------------------------------------


def analysable_stories(project: Any) -> Any:
    """The stories an analysis reads: consented to analysis and not held back by moderation."""
    return project.stories.filter(consent_analysis=True, moderation=Moderation.APPROVED)


def start_run(
    project: Any,
    *,
    by: Any = None,
    request: Any = None,
    random_state: int = 0,
    n_themes: int | str = "auto",
) -> AnalysisRun:
    """Queue an analysis of ``project`` (AnalysisError if one is already waiting or running).

    ``n_themes`` matters for a first run only: a re-run keeps the themes it finds.
    """
    from heard_web.analysis.tasks import run_analysis_task

    with transaction.atomic():
        busy = project.analysis_runs.filter(
            status__in=[JobStatus.PENDING, JobStatus.RUNNING]
        ).first()
        if busy is not None:
            raise AnalysisError(
                "An analysis of this project is already waiting or running. "
                "Wait for it to finish; this page shows its progress."
            )
        if not analysable_stories(project).exists():
            raise AnalysisError(
                "This project has no stories to analyse yet (or none that people consented to "
                "having analysed). Import some stories first, then run the analysis."
            )
        run = AnalysisRun.objects.create(
            project=project,
            created_by=by,
            previous_run=edits.current_run(project),
            parameters={"random_state": int(random_state), "n_themes": n_themes},
            stage="Waiting for the background worker",
        )
        enqueue_on_commit(run_analysis_task, run, run_id=run.pk)
        record_event(AuditAction.ANALYSED, actor=by, project=project, target=run, request=request)
    return run


class _Reporter:
    """Writes a run's stage and progress as the library reports it (at most twice a second)."""

    # Where each library stage sits in the run's 0..1 progress.
    SPANS = {
        "Embedding responses": (0.05, 0.6),
        "Finding themes": (0.6, 0.8),
        "Sentiment": (0.8, 0.85),
    }

    def __init__(self, run: AnalysisRun) -> None:
        self.run = run
        self.last = 0.0

    def set(self, stage: str, progress: float, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < 0.5:
            return
        self.last = now
        AnalysisRun.objects.filter(pk=self.run.pk).update(stage=stage, progress=round(progress, 3))

    def __call__(self, stage: str, done: int, total: int) -> None:
        low, high = self.SPANS.get(stage, (0.05, 0.85))
        fraction = done / total if total else 0.0
        self.set(stage, low + (high - low) * min(1.0, fraction), force=done == 0)


def run_analysis(run_id: int) -> None:
    """Do one queued run (the task calls this); its row records success or a clear failure."""
    claimed = AnalysisRun.objects.filter(pk=run_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        stage="Reading the stories",
        progress=0.01,
    )
    if not claimed:
        return  # already done, or taken by another worker
    run = AnalysisRun.objects.select_related("project").get(pk=run_id)
    try:
        _analyse(run, _Reporter(run))
    except Exception as exc:
        from heard.errors import HeardError

        if isinstance(exc, AnalysisError | HeardError):
            message = str(exc)
        else:
            log.exception("Analysis run %s failed", run_id)
            message = (
                "The analysis stopped because of an error inside heard "
                f"({type(exc).__name__}). Nothing was changed: the themes shown are those of the "
                "last analysis that finished. Try again; if it happens again, tell your administrator."
            )
        run.themes.all().delete()
        AnalysisRun.objects.filter(pk=run_id).update(
            status=JobStatus.FAILED,
            error_message=message,
            finished_at=timezone.now(),
            stage="Failed",
        )


def abandon_runs(runs: Any, why: str) -> int:
    """Mark these unfinished runs failed, dropping what they had saved (``core.recovery``)."""
    count = 0
    for run in runs:
        count += 1
        with transaction.atomic():
            run.themes.all().delete()
            AnalysisRun.objects.filter(pk=run.pk).update(
                status=JobStatus.FAILED,
                error_message=(
                    f"{why} Nothing was changed: the themes shown are those of the last "
                    "analysis that finished. Run the analysis again."
                ),
                finished_at=timezone.now(),
                stage="Failed",
            )
    return count


@dataclass
class _Corpus:
    """The stories a run reads, in id order, with what the library needs."""

    ids: list[int]
    texts: list[str]
    frame: Any  # pandas DataFrame
    by: list[str]
    time: str | None
    empty: list[int]  # stories with no text: "No clear theme" without asking the library


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


def embedder() -> Any:
    """The worker's embedding model (loaded once; vectors cached by the library on disk)."""
    global _EMBEDDER
    if _EMBEDDER is None:
        from heard.embed import Embedder

        _EMBEDDER = Embedder()
    return _EMBEDDER


class _StoredFirst:
    """The library's embedder, except that stories with stored passage vectors reuse them.

    The library asks for the same texts' vectors more than once in a run; the last answer is
    kept, so nothing is embedded twice.
    """

    def __init__(self, base: Any, stored: dict[str, tuple[Any, list[str]]]) -> None:
        self.base = base
        self.stored = stored
        self._last: tuple[list[str], Any] | None = None
        self.reused = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)

    def embed_documents(self, texts: Any, progress: Any = None) -> Any:
        import numpy as np

        from heard.embed import Passages

        texts = list(texts)
        if self._last is not None and self._last[0] == texts:
            return self._last[1]
        todo = [i for i, t in enumerate(texts) if t not in self.stored]
        fresh = (
            self.base.embed_documents([texts[i] for i in todo], progress=progress) if todo else None
        )
        where = {i: j for j, i in enumerate(todo)}
        vectors, pvecs, owners, ptexts = [], [], [], []
        for i, text in enumerate(texts):
            if i in where:
                j = where[i]
                rows = np.flatnonzero(fresh.passage_owner == j)
                vectors.append(fresh.vectors[j])
                pvecs.extend(fresh.passage_vectors[rows])
                ptexts.extend(fresh.passage_text[r] for r in rows)
                owners.extend([i] * len(rows))
            else:
                vecs, parts = self.stored[text]
                weights = np.asarray([max(len(p), 1) for p in parts], dtype=np.float64)
                mean = (vecs.astype(np.float64) * weights[:, None]).sum(axis=0)
                vectors.append((mean / max(np.linalg.norm(mean), 1e-12)).astype(np.float32))
                pvecs.extend(vecs)
                ptexts.extend(parts)
                owners.extend([i] * len(parts))
                self.reused += 1
        dims = self.base_dimensions()
        result = Passages(
            vectors=np.asarray(vectors, dtype=np.float32).reshape(len(texts), dims),
            passage_vectors=np.asarray(pvecs, dtype=np.float32).reshape(len(owners), dims),
            passage_owner=np.asarray(owners, dtype=np.int64),
            passage_text=ptexts,
        )
        self._last = (texts, result)
        return result

    @staticmethod
    def base_dimensions() -> int:
        from heard.embed import DIMENSIONS

        return DIMENSIONS


def _stored_passages(ids: list[int], texts: list[str]) -> dict[str, tuple[Any, list[str]]]:
    """Passage vectors the stories app stored, for stories whose passages cover their text."""
    import numpy as np

    from heard.embed import DIMENSIONS, MODEL_NAME

    by_story: dict[int, list[tuple[int, str, bytes]]] = defaultdict(list)
    chunk = 2000
    for start in range(0, len(ids), chunk):
        for sid, index, text, blob in (
            Passage.objects.filter(story_id__in=ids[start : start + chunk], model_name=MODEL_NAME)
            .exclude(embedding=None)
            .values_list("story_id", "index", "text", "embedding")
            .iterator(chunk_size=chunk)
        ):
            by_story[sid].append((index, text, bytes(blob)))
    stored: dict[str, tuple[Any, list[str]]] = {}
    for sid, text in zip(ids, texts, strict=True):
        parts = sorted(by_story.get(sid, []))
        if not parts or any(len(b) != 4 * DIMENSIONS for _, _, b in parts):
            continue
        vecs = np.stack([np.frombuffer(b, dtype=np.float32) for _, _, b in parts])
        stored[text] = (vecs, [t for _, t, _ in parts])
    return stored


@dataclass
class _ThemePlan:
    key: str
    label: str
    parent: str = ""
    kind: str = ThemeKind.DISCOVERED
    machine_label: str = ""
    key_phrases: list[str] = field(default_factory=list)
    renamed: bool = False
    pinned: bool = False
    quotes: list[int] = field(default_factory=list)  # story ids, best first
    centroid: Any = None


def _kept_plan(theme: Theme, parent: str = "") -> _ThemePlan:
    """The plan of a theme carried over from the previous run as it stands."""
    return _ThemePlan(
        key=theme.key,
        parent=parent,
        label=theme.label,
        kind=theme.kind,
        machine_label=theme.machine_label,
        key_phrases=list(theme.key_phrases),
        renamed=theme.renamed,
        pinned=theme.pinned,
    )


@dataclass
class _Plan:
    """What a run saves: themes, and every story's place."""

    themes: dict[str, _ThemePlan] = field(default_factory=dict)
    primary: dict[int, tuple[str, float, str]] = field(
        default_factory=dict
    )  # story: key, score, by
    sub: dict[int, tuple[str, float, str]] = field(default_factory=dict)
    secondary: list[tuple[int, str, float, str]] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)


def _analyse(run: AnalysisRun, reporter: _Reporter) -> None:
    import numpy as np

    from heard import find_themes
    from heard.progress import Progress

    project = run.project
    corpus = _corpus(project)
    seed = int(run.parameters.get("random_state", 0))
    previous = run.previous_run
    if previous is not None and (
        previous.status != JobStatus.SUCCEEDED or not previous.themes.exists()
    ):
        previous = None
    n_themes = run.parameters.get("n_themes", "auto")
    if previous is not None:
        # A re-run's fresh clusters only match old themes and find new ones: ask for a few more
        # than there are, so that a new topic is not lumped in with an old one.
        # "auto" counts as the library does (by the amount of text, not the number of stories)
        from heard.themes.discover import content_units, default_theme_count

        known = edits.live_themes(previous).filter(parent=None).exclude(key=NO_THEME_KEY).count()
        wanted = (
            n_themes
            if isinstance(n_themes, int)
            else default_theme_count(content_units(corpus.texts), 5, 25)
        )
        n_themes = max(int(wanted), known + 2)
    reporter.set("Reading stored vectors", 0.03, force=True)
    model = _StoredFirst(embedder(), _stored_passages(corpus.ids, corpus.texts))
    if corpus.ids:
        result = find_themes(
            corpus.frame,
            text="text",
            id="story_id",
            by=corpus.by or None,
            time=corpus.time,
            random_state=seed,
            n_themes=n_themes,
            embedder=model,
            progress=Progress(enabled=False, callback=reporter),
            redact=False,  # stories are redacted when they arrive
            title=project.name,
        )
        vectors = model.embed_documents(corpus.texts).vectors.astype(np.float64)
    else:
        result, vectors = None, np.zeros((0, 384))
    reporter.set("Saving the themes", 0.87, force=True)
    plan = (
        _fresh_plan(result, corpus)
        if previous is None
        else _update_plan(previous, result, corpus, vectors)
    )
    for sid in corpus.empty:
        plan.primary[sid] = (NO_THEME_KEY, 0.0, AssignedBy.MACHINE)
    sentiment = {}
    if result is not None:
        r = result.responses
        sentiment = dict(
            zip(
                r["response_id"].astype(int).tolist(),
                zip(
                    r["sentiment"].tolist(),
                    r["sentiment_score"].astype(float).tolist(),
                    strict=True,
                ),
                strict=True,
            )
        )
    from heard_web.projects.models import Project

    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        _save(run, plan, corpus, vectors, sentiment)
        late = []
        if previous is not None:
            late = list(
                ThemeEdit.objects.filter(
                    run=previous, undone=False, created_at__gte=run.started_at
                ).order_by("created_at", "id")
            )
        skipped = edits.replay(run, late)
        run.parameters = {**run.parameters, "segments": corpus.by}
        totals = explorer.count_totals(run)
        run.parameters = {
            **run.parameters,
            **plan.notes,
            "segments": corpus.by,
            "time": bool(corpus.time),
            "vectors_reused": model.reused,
            "edits_replayed": len(late) - len(skipped),
            "totals": totals,
            "settings": _plain(result.settings) if result is not None else {},
        }
        run.status = JobStatus.SUCCEEDED
        run.progress = 1.0
        run.stage = "Finished"
        run.finished_at = timezone.now()
        run.save(update_fields=["parameters", "status", "progress", "stage", "finished_at"])


def _plain(value: Any) -> Any:
    """JSON-safe copy of the library's settings."""
    import json

    return json.loads(json.dumps(value, default=str))


def _phrases(value: Any) -> list[str]:
    return [p.strip() for p in str(value or "").split(";") if p.strip()][:8]


def _fresh_plan(result: Any, corpus: _Corpus) -> _Plan:
    """A first run: the library's themes, sub-themes, places and quotes as they are."""
    plan = _Plan()
    for row in result.themes.to_dict("records"):
        key = str(row["theme_id"])
        kind = (
            ThemeKind.NONE
            if key == NO_THEME_KEY
            else str(row.get("source") or ThemeKind.DISCOVERED)
        )
        plan.themes[key] = _ThemePlan(
            key=key,
            parent=str(row.get("parent_id") or ""),
            kind=kind,
            label=str(row["label"]),
            machine_label=str(row["label"]),
            key_phrases=_phrases(row.get("key_phrases")),
        )
    for row in result.quotes.sort_values(["theme_id", "rank"]).to_dict("records"):
        theme = plan.themes.get(str(row["theme_id"]))
        if theme is not None:
            theme.quotes.append(int(row["response_id"]))
    for row in result.assignments.to_dict("records"):
        sid, key, score = int(row["response_id"]), str(row["theme_id"]), float(row["score"])
        if row["primary"]:
            plan.primary[sid] = (key, score, AssignedBy.MACHINE)
            if row.get("subtheme_id"):
                plan.sub[sid] = (str(row["subtheme_id"]), score, AssignedBy.MACHINE)
        else:
            plan.secondary.append((sid, key, score, AssignedBy.MACHINE))
    plan.notes = {"mode": "discovered"}
    return plan


def _update_plan(previous: AnalysisRun, result: Any, corpus: _Corpus, vectors: Any) -> _Plan:
    """A re-run: carry over the previous themes, match, place the rest, discover what is new."""
    import numpy as np

    from heard.themes import key_phrases
    from heard_web.analysis import matching

    plan = _Plan()
    pos = {sid: i for i, sid in enumerate(corpus.ids)}
    old = list(edits.live_themes(previous).select_related("parent"))
    old_top = [t for t in old if t.parent_id is None and t.kind != ThemeKind.NONE]
    rows = list(
        Assignment.objects.filter(theme__run=previous, theme__merged_into__isnull=True).values_list(
            "story_id", "theme_id", "primary", "source", "score"
        )
    )
    key_of = {t.pk: t.key for t in old}
    parent_of = {t.pk: t.parent_id for t in old}
    for sid, tid, primary, source, score in rows:
        if sid not in pos or parent_of.get(tid) is not None:
            continue
        key = key_of[tid]
        if primary:
            if key == NO_THEME_KEY and source != AssignedBy.PERSON:
                continue  # placed again below: a new theme may fit it now
            plan.primary[sid] = (key, score, source)
    for sid, tid, primary, source, score in rows:
        if sid not in plan.primary:
            continue
        key = key_of[tid]
        parent = parent_of.get(tid)
        if parent is not None:
            if key_of.get(parent) == plan.primary[sid][0]:
                plan.sub[sid] = (key, score, source)
        elif not primary and key != plan.primary[sid][0] and plan.primary[sid][0] != NO_THEME_KEY:
            plan.secondary.append((sid, key, score, source))

    # Carry over the live themes that still have stories, and every pinned one.
    members: dict[str, list[int]] = defaultdict(list)
    for sid, (key, _, _) in plan.primary.items():
        members[key].append(pos[sid])
    kept = [t for t in old_top if members.get(t.key) or t.pinned]
    kept_keys = {t.key for t in kept}
    for t in kept:
        plan.themes[t.key] = _kept_plan(t)
    for t in old:
        if t.parent_id is not None and t.parent.key in kept_keys:
            plan.themes[t.key] = _kept_plan(t, parent=t.parent.key)
    plan.themes[NO_THEME_KEY] = _ThemePlan(
        key=NO_THEME_KEY,
        label=edits.NO_THEME_LABEL,
        kind=ThemeKind.NONE,
        machine_label=edits.NO_THEME_LABEL,
    )
    plan.sub = {sid: v for sid, v in plan.sub.items() if v[0] in plan.themes}
    plan.secondary = [s for s in plan.secondary if s[1] in kept_keys]

    # Centroids (for matching) and the stories each theme is known by (for placing).
    dims = vectors.shape[1] if len(vectors) else 384
    centroids = np.zeros((len(kept), dims))
    for j, t in enumerate(kept):
        rows_j = members.get(t.key, [])
        if rows_j:
            centroids[j] = matching.centroid(vectors, rows_j)
        elif t.centroid:
            centroids[j] = matching.unit(np.frombuffer(bytes(t.centroid), dtype=np.float32))
    ref_rows: list[int] = []
    ref_theme: list[int] = []
    rng = np.random.default_rng(int(previous.parameters.get("random_state", 0)))
    for j, t in enumerate(kept):
        rows_j = sorted(members.get(t.key, []))
        if len(rows_j) > REFERENCE_PER_THEME:
            rows_j = sorted(rng.choice(rows_j, REFERENCE_PER_THEME, replace=False).tolist())
        ref_rows.extend(rows_j)
        ref_theme.extend([j] * len(rows_j))
    reference = vectors[np.asarray(ref_rows, dtype=np.int64)] if ref_rows else np.zeros((0, dims))
    ref_theme_arr = np.asarray(ref_theme, dtype=np.int64)
    thresholds = matching.member_thresholds(reference, ref_theme_arr, len(kept))
    for j, t in enumerate(kept):
        if not members.get(t.key) and not t.centroid:
            thresholds[j] = np.inf  # an empty pinned theme with nothing to compare: people fill it

    # The fresh clusters, and which old theme each one is.
    fresh_rows = result.themes[
        (result.themes["level"] == 1) & (result.themes["theme_id"] != NO_THEME_KEY)
    ]
    fresh_ids = [str(x) for x in fresh_rows["theme_id"]]
    fresh_index = {tid: c for c, tid in enumerate(fresh_ids)}
    story_cluster = np.array(
        [fresh_index.get(str(t), -1) for t in result.responses["theme_id"]], dtype=np.int64
    )
    fresh_centroids = np.zeros((len(fresh_ids), dims))
    for c in range(len(fresh_ids)):
        fresh_centroids[c] = matching.centroid(vectors, np.flatnonzero(story_cluster == c))
    matched = matching.match_themes(centroids, fresh_centroids)

    # Place every story that has no place yet.
    todo = [i for i, sid in enumerate(corpus.ids) if sid not in plan.primary]
    fits = matching.theme_fits(vectors[todo], reference, ref_theme_arr, len(kept))
    for j in range(len(kept)):
        if not (ref_theme_arr == j).any() and centroids[j].any():
            fits[:, j] = vectors[todo] @ centroids[j]  # a pinned theme known only by its centroid
    placed = matching.place(fits, thresholds, story_cluster[todo], matched)
    leftovers: dict[int, list[int]] = defaultdict(list)
    counts = {"nearest": 0, "cluster": 0, "new_theme": 0, "no_theme": 0}
    for n, i in enumerate(todo):
        sid = corpus.ids[i]
        j = int(placed.theme[n])
        if j < 0:
            leftovers[int(story_cluster[i])].append(i)
            continue
        key = kept[j].key
        counts[placed.how[n]] += 1
        plan.primary[sid] = (key, round(float(max(placed.score[n], 0.0)), 4), AssignedBy.MACHINE)
        row = fits[n]
        for k in np.flatnonzero((row >= row[j] - SECONDARY_MARGIN) & (row >= thresholds)):
            if k != j:
                plan.secondary.append(
                    (sid, kept[k].key, round(float(row[k]), 4), AssignedBy.MACHINE)
                )

    # What fits nothing: a new theme where an unmatched fresh cluster gathers enough of it.
    numbers = [int(k) for k in (t.key for t in old) if k.isdigit()]
    next_number = max(numbers, default=0) + 1
    labels_taken = {t.label.lower() for t in plan.themes.values()}
    fresh_by_id = {str(r["theme_id"]): r for r in result.themes.to_dict("records")}
    for c, rows_c in sorted(leftovers.items()):
        if c < 0 or c in matched or len(rows_c) < matching.MIN_NEW_THEME:
            for i in rows_c:
                plan.primary[corpus.ids[i]] = (NO_THEME_KEY, 0.0, AssignedBy.MACHINE)
                counts["no_theme"] += 1
            continue
        fresh = fresh_by_id[fresh_ids[c]]
        key = str(next_number)
        next_number += 1
        label = str(fresh["label"])
        base, extra = label, 2
        while label.lower() in labels_taken:
            label, extra = f"{base} ({extra})", extra + 1
        labels_taken.add(label.lower())
        plan.themes[key] = _ThemePlan(
            key=key,
            label=label,
            machine_label=label,
            key_phrases=_phrases(fresh.get("key_phrases")),
        )
        centre = matching.centroid(vectors, rows_c)
        for i in rows_c:
            plan.primary[corpus.ids[i]] = (
                key,
                round(float(max(vectors[i] @ centre, 0.0)), 4),
                AssignedBy.MACHINE,
            )
            counts["new_theme"] += 1

    # Sub-themes: a story of a theme that has them joins the nearest; a theme without them
    # (found now, or grown) is split as a first run would split it.
    _place_in_subthemes(plan, corpus, vectors)
    taken = set(previous.themes.values_list("key", flat=True))
    _split_themes(plan, corpus, vectors, taken, int(result.settings.get("random_state", 0)))

    # Key phrases for the themes as they now are (a pinned theme keeps its own).
    tops = [k for k, t in plan.themes.items() if not t.parent and k != NO_THEME_KEY]
    index = {k: n for n, k in enumerate(tops)}
    groups = np.full(len(corpus.ids), -1, dtype=np.int64)
    for sid, (key, _, _) in plan.primary.items():
        if sid in pos and key in index:
            groups[pos[sid]] = index[key]
    if len(tops) and (groups >= 0).any():
        phrases = key_phrases(corpus.texts, groups, len(tops), top_n=8)
        for key, words in zip(tops, phrases, strict=True):
            if words and not plan.themes[key].pinned:
                plan.themes[key].key_phrases = [w for w, _ in words][:8]
    _pick_quotes(plan, corpus, vectors)
    old_keys = {t.key for t in old}
    plan.notes = {
        "mode": "updated",
        "previous_run": previous.pk,
        "matched_clusters": len(matched),
        "placed": counts,
        "new_themes": [
            k for k, plan_t in plan.themes.items() if k not in old_keys and not plan_t.parent
        ],
    }
    return plan


def _place_in_subthemes(plan: _Plan, corpus: _Corpus, vectors: Any) -> None:
    """Put each story of a theme with sub-themes, but in none of them, in the nearest one.

    As in a first run, where every story of a theme with sub-themes is in one: new stories, and
    stories a person moved into the theme (the person chose the theme; the sub-theme is the
    machine's). Nearest by centroid, as the library's own split assigns its stories.
    """
    from heard_web.analysis import matching

    pos = {sid: i for i, sid in enumerate(corpus.ids)}
    members: dict[str, list[int]] = defaultdict(list)
    for sid, (skey, _, _) in plan.sub.items():
        if sid in pos:
            members[skey].append(pos[sid])
    centres: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for skey, theme in plan.themes.items():
        if theme.parent and members.get(skey):
            centres[theme.parent].append((skey, matching.centroid(vectors, members[skey])))
    for sid, (key, _, _) in plan.primary.items():
        if sid in plan.sub or not centres.get(key) or sid not in pos:
            continue
        i = pos[sid]
        score, skey = max((float(vectors[i] @ c), skey) for skey, c in centres[key])
        plan.sub[sid] = (skey, round(max(score, 0.0), 4), AssignedBy.MACHINE)


def _split_themes(
    plan: _Plan, corpus: _Corpus, vectors: Any, taken: set[str], random_state: int
) -> None:
    """Sub-themes for every theme that has none, from the library (``heard.subthemes``).

    The library splits each theme as a first run does (none under 16 stories), in a space
    shaped by all the themed stories. Sub-theme keys are ``<key>.1``, ``<key>.2``... biggest
    first, never a key of the previous run (a replayed edit must not find a stranger there).
    """
    import numpy as np

    from heard.subthemes import find_subthemes
    from heard_web.analysis import matching

    tops = [k for k, t in plan.themes.items() if not t.parent and t.kind != ThemeKind.NONE]
    has_subs = {t.parent for t in plan.themes.values() if t.parent}
    bare = [n for n, k in enumerate(tops) if k not in has_subs]
    if not bare:
        return
    index = {k: n for n, k in enumerate(tops)}
    pos = {sid: i for i, sid in enumerate(corpus.ids)}
    groups = np.full(len(corpus.ids), -1, dtype=np.int64)
    for sid, (key, _, _) in plan.primary.items():
        if sid in pos and key in index:
            groups[pos[sid]] = index[key]
    found = find_subthemes(
        vectors,
        corpus.texts,
        groups,
        [plan.themes[k].label for k in tops],
        only=bare,
        random_state=random_state,
    )
    taken = taken | set(plan.themes)
    for n, subs in found.items():
        key = tops[n]
        number = 0
        for sub in subs:
            number += 1
            while f"{key}.{number}" in taken:
                number += 1
            skey = f"{key}.{number}"
            taken.add(skey)
            plan.themes[skey] = _ThemePlan(
                key=skey,
                parent=key,
                label=sub.label,
                machine_label=sub.label,
                key_phrases=list(sub.key_phrases),
            )
            centre = matching.centroid(vectors, sub.rows)
            for i in sub.rows:
                score = round(float(max(vectors[i] @ centre, 0.0)), 4)
                plan.sub[corpus.ids[int(i)]] = (skey, score, AssignedBy.MACHINE)


def _pick_quotes(plan: _Plan, corpus: _Corpus, vectors: Any) -> None:
    """Representative quotes for every theme as it now is (the library's own picker)."""
    import numpy as np

    from heard.themes.quotes import pick_quotes
    from heard_web.analysis import matching

    pos = {sid: i for i, sid in enumerate(corpus.ids)}
    members: dict[str, list[int]] = defaultdict(list)
    for sid, (key, _, _) in plan.primary.items():
        if sid in pos:
            members[key].append(pos[sid])
    for sid, (key, _, _) in plan.sub.items():
        if sid in pos:
            members[key].append(pos[sid])
    for key, theme in plan.themes.items():
        rows = np.asarray(sorted(members.get(key, [])), dtype=np.int64)
        if not len(rows):
            theme.quotes = []
            continue
        centre = matching.centroid(vectors, rows)
        count = QUOTES_PER_SUBTHEME if theme.parent else QUOTES_PER_THEME
        picked = pick_quotes(rows, vectors[rows] @ centre, vectors, corpus.texts, count=count)
        theme.quotes = [corpus.ids[i] for i in picked]


def _save(
    run: AnalysisRun,
    plan: _Plan,
    corpus: _Corpus,
    vectors: Any,
    sentiment: dict[int, tuple[str, float]],
) -> None:
    """Write the plan's themes and assignments for ``run``, and each story's sentiment."""
    import numpy as np

    from heard_web.analysis import matching
    from heard_web.stories.models import Story

    pos = {sid: i for i, sid in enumerate(corpus.ids)}
    if NO_THEME_KEY not in plan.themes:
        plan.themes[NO_THEME_KEY] = _ThemePlan(
            key=NO_THEME_KEY,
            label=edits.NO_THEME_LABEL,
            kind=ThemeKind.NONE,
            machine_label=edits.NO_THEME_LABEL,
        )
    members: dict[str, list[int]] = defaultdict(list)
    for source in (plan.primary, plan.sub):
        for sid, (key, _, _) in source.items():
            if sid in pos:
                members[key].append(pos[sid])
    made: dict[str, Theme] = {}
    for n, theme in enumerate(sorted(plan.themes.values(), key=lambda t: bool(t.parent))):
        rows = members.get(theme.key, [])
        centre = matching.centroid(vectors, rows) if rows else None
        made[theme.key] = Theme.objects.create(
            project=run.project,
            run=run,
            parent=made.get(theme.parent) if theme.parent else None,
            key=theme.key,
            kind=theme.kind,
            label=theme.label[:200],
            machine_label=(theme.machine_label or theme.label)[:200],
            key_phrases=theme.key_phrases,
            renamed=theme.renamed,
            pinned=theme.pinned,
            position=n,
            centroid=np.asarray(centre, dtype=np.float32).tobytes() if centre is not None else None,
        )
    quote_rank = {
        (k, sid): r for k, t in plan.themes.items() for r, sid in enumerate(t.quotes, start=1)
    }
    batch: list[Assignment] = []

    def add(sid: int, key: str, score: float, source: str, primary: bool) -> None:
        theme = made.get(key)
        if theme is None:
            return
        batch.append(
            Assignment(
                story_id=sid,
                theme=theme,
                score=max(0.0, min(1.0, float(score))),
                primary=primary,
                source=source,
                quote_rank=quote_rank.get((key, sid)),
            )
        )
        if len(batch) >= 2000:
            Assignment.objects.bulk_create(batch)
            batch.clear()

    for sid, (key, score, source) in plan.primary.items():
        add(sid, key, score, source, True)
    for sid, (key, score, source) in plan.sub.items():
        add(sid, key, score, source, True)
    seen = set()
    for sid, key, score, source in plan.secondary:
        if (sid, key) not in seen and plan.primary.get(sid, ("",))[0] != key:
            seen.add((sid, key))
            add(sid, key, score, source, False)
    Assignment.objects.bulk_create(batch)
    stories = list(
        Story.objects.filter(pk__in=list(sentiment)).only("id", "sentiment", "sentiment_score")
    )
    for story in stories:
        story.sentiment, story.sentiment_score = sentiment[story.pk]
    Story.objects.bulk_update(stories, ["sentiment", "sentiment_score"], batch_size=2000)
    edits.refresh_stats(run)


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
