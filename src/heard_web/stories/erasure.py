"""Erasure: a story taken back (by its author's reference), deleted by an owner, or past retention.

One path for all three (:func:`erase_stories`), so "erased" means the same everywhere:

- the story row goes, and with it (cascade) its passages and their embeddings, its theme
  assignments and quote places; nothing else in the database holds its words;
- the themes it was in are counted again (sizes, shares, sentiment mix, totals) and a quote it
  was is replaced by the theme's next most typical story that may be quoted;
- every export of the project is deleted with its file (an export may hold the text); people
  make them again;
- its vectors leave the on-disk embedding cache of the worker (``heard.embed``'s cache) and the
  search matrix of this process;
- the audit log records that an erasure happened, by whom, when and why, never any content;
- the erasure ledger in the data folder (``stories.ledger``) gets one line per story, with
  identifiers only, flushed to disk before anything is deleted, so that ``heard restore``
  can erase the story again from a backup made before (:func:`erase_again`);
- on SQLite, deleted rows are overwritten with zeros (``PRAGMA secure_delete``, set on every
  connection in settings), the keyword index is merged so no old segment keeps the row, and the
  write-ahead log is checkpointed and truncated, so the words do not linger in free pages or
  the WAL. On PostgreSQL the rows are deleted and the tables vacuumed (dead row versions
  become reusable space; PostgreSQL does not zero them, see the README).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from heard_web.accounts.models import AuditAction
from heard_web.accounts.services import record_event
from heard_web.stories.models import Story

log = logging.getLogger(__name__)

#: How many quotes a theme keeps (the library's default).
QUOTES_PER_THEME = 3


class Reason:
    OWNER = "owner"  # deleted by a project owner
    WITHDRAWN = "withdrawn"  # taken back by its author with the reference
    RETENTION = "retention"  # older than the project's retention period
    RESTORE = "restore"  # erased before, back from a backup: erased again from the ledger


_ACTION = {
    Reason.OWNER: AuditAction.STORY_ERASED,
    Reason.WITHDRAWN: AuditAction.STORY_WITHDRAWN,
    Reason.RETENTION: AuditAction.RETENTION_RUN,
}


@dataclass
class Erased:
    """What an erasure did (counts only)."""

    stories: int = 0
    themes_updated: int = 0
    quotes_replaced: int = 0
    exports_deleted: int = 0
    cached_vectors_deleted: int = 0
    story_ids: list[int] = field(default_factory=list)


def erase_story(
    story: Story, actor: Any = None, reason: str = Reason.OWNER, request: Any = None
) -> Erased:
    """Erase one story (see the module's docstring for everything that goes)."""
    return erase_stories(story.project, [story.pk], actor=actor, reason=reason, request=request)


def erase_by_reference(project: Any, reference: str, request: Any = None) -> bool:
    """Erase the story with this withdrawal reference in ``project``; False when none has it.

    The reference is compared as given after trimming spaces and ignoring case.
    """
    reference = (reference or "").strip()
    if not reference:
        return False
    story = Story.objects.filter(project=project, reference__iexact=reference).first()
    if story is None:
        return False
    erase_story(story, actor=None, reason=Reason.WITHDRAWN, request=request)
    return True


def erase_stories(
    project: Any,
    story_ids: Iterable[int],
    *,
    actor: Any = None,
    reason: str = Reason.OWNER,
    request: Any = None,
) -> Erased:
    """Erase these stories of ``project`` (ids of other projects are ignored)."""
    from heard_web.analysis.models import Assignment, Theme
    from heard_web.reports.services import forget_exports
    from heard_web.stories import ledger
    from heard_web.stories.models import Passage

    ids = sorted(
        Story.objects.filter(project=project, pk__in=list(story_ids)).values_list("pk", flat=True)
    )
    done = Erased(story_ids=ids)
    if not ids:
        return done
    texts: set[str] = set()
    for redacted, original in Story.objects.filter(pk__in=ids).values_list(
        "redacted_text", "original_text"
    ):
        texts.update(t for t in (redacted, original) if t)
    texts.update(Passage.objects.filter(story_id__in=ids).values_list("text", flat=True))
    created = dict(Story.objects.filter(pk__in=ids).values_list("pk", "created_at"))

    # First, so that a ledger that cannot be written stops the erasure before any change
    # (and outside the transaction: SQLite's write lock is not held while the disk syncs).
    if reason != Reason.RESTORE:  # a story erased again is in the ledger already
        now = timezone.now()
        ledger.append(
            ledger.Entry(
                project=project.pk, story=pk, created_at=created[pk], erased_at=now, reason=reason
            )
            for pk in ids
        )
    with transaction.atomic():
        touched = list(
            Assignment.objects.filter(story_id__in=ids)
            .values_list("theme_id", "theme__run_id", "quote_rank")
            .distinct()
        )
        quote_themes = {theme_id for theme_id, _, rank in touched if rank is not None}
        runs = {run_id for _, run_id, _ in touched}
        # Blank the words first, so no later copy of the row (WAL, dead tuple) holds them.
        Story.objects.filter(pk__in=ids).update(redacted_text="", original_text="")
        Passage.objects.filter(story_id__in=ids).update(text="", embedding=None)
        Story.objects.filter(pk__in=ids).delete()
        for theme in Theme.objects.filter(pk__in=quote_themes):
            done.quotes_replaced += _replace_quotes(theme)
        _recount(runs)
        done.themes_updated = len({theme_id for theme_id, _, _ in touched})
        done.exports_deleted = forget_exports(project)
        record_event(
            _ACTION.get(reason, AuditAction.STORY_ERASED),
            actor=actor,
            project=project,
            request=request,
            details={"reason": reason, "stories": len(ids), "story_ids": ids},
        )
    done.stories = len(ids)
    done.cached_vectors_deleted = _forget_vectors(project, texts)
    scrub_database()
    return done


def _replace_quotes(theme: Any) -> int:
    """Renumber the theme's quotes 1, 2, 3... and fill the place an erased story left."""
    rows = list(theme.assignments.filter(quote_rank__isnull=False).order_by("quote_rank", "id"))
    for rank, row in enumerate(rows, start=1):
        if row.quote_rank != rank:
            row.quote_rank = rank
            row.save(update_fields=["quote_rank"])
    wanted = QUOTES_PER_THEME - len(rows)
    if wanted <= 0:
        return 0
    from heard_web.stories.consent import quotable

    candidates = (
        theme.assignments.filter(quote_rank__isnull=True, story__in=quotable(theme.project))
        .order_by("-primary", "-score", "story_id")
        .only("id")[:wanted]
    )
    added = 0
    for rank, row in enumerate(candidates, start=len(rows) + 1):
        row.quote_rank = rank
        row.save(update_fields=["quote_rank"])
        added += 1
    return added


def _recount(run_ids: Iterable[int]) -> None:
    from heard_web.analysis import explorer
    from heard_web.analysis.edits import refresh_stats
    from heard_web.analysis.models import AnalysisRun

    for run in AnalysisRun.objects.filter(pk__in=list(run_ids)):
        refresh_stats(run)
        if (run.parameters or {}).get("totals") is not None:
            run.parameters = {**run.parameters, "totals": explorer.count_totals(run)}
            run.save(update_fields=["parameters"])


def _forget_vectors(project: Any, texts: Iterable[str]) -> int:
    """Drop the texts' vectors from the worker's on-disk cache and this process's search cache."""
    from heard_web.stories.services.search import forget_matrix

    forget_matrix(project.pk)
    texts = [t for t in texts if t]
    if not texts:
        return 0
    from heard.embed import EmbeddingCache, default_cache_dir

    directory = default_cache_dir()
    if not (directory / "embeddings.sqlite3").exists():
        return 0
    cache = EmbeddingCache(directory)
    try:
        return cache.delete_texts(texts)
    finally:
        cache.close()


def scrub_database() -> None:
    """Leave no copy of deleted rows behind: merge the keyword index and empty SQLite's WAL;
    vacuum the story tables on PostgreSQL."""
    if connection.in_atomic_block:
        return  # the caller's transaction is not committed yet; it scrubs afterwards
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stories_story_fts'"
            )
            if cursor.fetchone():
                cursor.execute(
                    "INSERT INTO stories_story_fts(stories_story_fts) VALUES ('optimize')"
                )
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql":
            for table in ("stories_story", "stories_passage", "analysis_assignment"):
                cursor.execute(f"VACUUM {table}")


def erase_again(entries: Iterable[Any]) -> int:
    """Erase the ledger's stories that the database holds again (after ``heard restore``).

    A story counts only when its project, id and creation time all match the ledger's
    entry, so another installation's story that happens to have the same id is left alone.
    Returns how many stories were erased.
    """
    from heard_web.projects.models import Project

    # An id can come back after a restore (the database's counter goes back with it), so
    # one id may have several entries, each with its own creation time.
    wanted: dict[int, dict[int, set[Any]]] = {}
    for entry in entries:
        wanted.setdefault(entry.project, {}).setdefault(entry.story, set()).add(entry.created_at)
    erased = 0
    for project_id, stories in sorted(wanted.items()):
        project = Project.objects.filter(pk=project_id).first()
        if project is None:
            continue
        ids = sorted(stories)
        found = []
        for start in range(0, len(ids), 500):
            rows = Story.objects.filter(project=project, pk__in=ids[start : start + 500])
            found += [pk for pk, at in rows.values_list("pk", "created_at") if at in stories[pk]]
        if found:
            erased += erase_stories(project, found, reason=Reason.RESTORE).stories
    return erased


# Retention -----------------------------------------------------------------------------


def expired_stories(project: Any, now: Any = None) -> Any:
    """The project's stories that arrived longer ago than its retention period."""
    if not project.retention_days:
        return Story.objects.none()
    cutoff = (now or timezone.now()) - timedelta(days=project.retention_days)
    return Story.objects.filter(project=project, created_at__lt=cutoff)


def apply_retention(now: Any = None) -> dict[str, int]:
    """Erase every story past its project's retention period; {project slug: stories erased}."""
    from heard_web.projects.models import Project

    erased: dict[str, int] = {}
    for project in Project.objects.filter(retention_days__isnull=False):
        ids = list(expired_stories(project, now).values_list("pk", flat=True))
        if ids:
            done = erase_stories(project, ids, reason=Reason.RETENTION)
            erased[project.slug] = done.stories
    return erased
