"""Starting an analysis, running it in the worker (with progress), saving it, abandoning it."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
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
from heard_web.analysis.services.corpus import _Corpus, _corpus, analysable_stories
from heard_web.analysis.services.embedding import _stored_passages, _StoredFirst, embedder
from heard_web.analysis.services.errors import AnalysisError
from heard_web.analysis.services.plan import (
    NO_THEME_KEY,
    _fresh_plan,
    _Plan,
    _ThemePlan,
    _update_plan,
)
from heard_web.core.tasks import enqueue_on_commit
from heard_web.stories.models import JobStatus

log = logging.getLogger(__name__)


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

    pos = corpus.position
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
