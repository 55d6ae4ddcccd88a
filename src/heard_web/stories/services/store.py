"""Storing stories: redact every text, skip what the project already has, save, embed.

Used by imports (``run_import``) and by anything else that adds stories (the API, the
story form): ``add_stories(project, source, rows, user)``. Nothing is stored before it is
redacted; the original text is kept only when the project says so.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from heard_web.projects.models import Project
from heard_web.stories.models import Passage, Source, Story, story_content_hash

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

#: Rows saved per INSERT (well under SQLite's 32,766 bound parameters).
BATCH = 500
#: Stories embedded (and their passages saved) per step of the embedding stage.
EMBED_CHUNK = 1_000
#: Distinct values of a segment column remembered for the story filters.
MAX_SEGMENT_VALUES = 200


@dataclass
class StoryRow:
    """One story to add, as written (it is redacted before anything is stored)."""

    text: str
    external_id: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    received_at: datetime | None = None


@dataclass
class AddResult:
    """What ``add_stories`` did: the stories it saved and how many it left out."""

    stories: list[Story]
    duplicates: int = 0
    empty: int = 0


@dataclass
class _Prepared:
    row: StoryRow
    redacted: str
    counts: dict[str, int]
    content_hash: str


# --- redaction ------------------------------------------------------------------------------


def redactor_for(project: Project) -> Any:
    """A heard Redactor with the project's settings (pseudonyms, names to always remove)."""
    from heard.redact import Redactor

    names = [line.strip() for line in project.known_names.splitlines() if line.strip()]
    return Redactor(pseudonyms=project.pseudonyms, known_names=names)  # type: ignore[arg-type]


def as_row(value: StoryRow | Mapping[str, Any]) -> StoryRow:
    """A StoryRow from a dict with ``text`` and optionally ``external_id``, ``attributes``,
    ``received_at`` (what the API hands over)."""
    if isinstance(value, StoryRow):
        return value
    attributes = {str(k): str(v) for k, v in (value.get("attributes") or {}).items()}
    received = value.get("received_at")
    if received is not None and timezone.is_naive(received):
        received = timezone.make_aware(received, timezone.get_current_timezone())
    return StoryRow(
        text=str(value.get("text") or ""),
        external_id=str(value.get("external_id") or ""),
        attributes=attributes,
        received_at=received,
    )


def prepare(
    project: Project,
    rows: Sequence[StoryRow],
    progress: Progress | None = None,
    redactor: Any = None,
) -> tuple[list[_Prepared], int]:
    """Redact each row and compute its de-duplication key; returns (prepared, empty rows).

    Rows without text are left out (and counted). Rows the same in text, id, attributes and
    date are numbered (``#2``, ``#3``) in the key, so two people who both wrote "Very good"
    stay two stories, and importing the same file again matches each one to itself.
    """
    redactor = redactor or redactor_for(project)
    seen: dict[str, int] = {}
    out: list[_Prepared] = []
    empty = 0
    total = len(rows)
    for n, row in enumerate(rows, 1):
        if not row.text.strip():
            empty += 1
            continue
        received = row.received_at.isoformat() if row.received_at else ""
        base = story_content_hash(
            row.text, external_id=row.external_id, attributes=row.attributes, received=received
        )
        seen[base] = seen.get(base, 0) + 1
        key = base
        if seen[base] > 1:
            key = story_content_hash(
                row.text,
                external_id=f"{row.external_id}#{seen[base]}",
                attributes=row.attributes,
                received=received,
            )
        result = redactor.redact(row.text)
        out.append(_Prepared(row, result.text, result.counts, key))
        if progress is not None and (n % 100 == 0 or n == total):
            progress(n, total)
    return out, empty


# --- saving ---------------------------------------------------------------------------------


def save_prepared(
    project: Project,
    prepared: Sequence[_Prepared],
    make_source: Callable[[], Source] | Source,
) -> tuple[Source | None, list[Story], int]:
    """Save the stories the project does not have yet, all or nothing.

    ``make_source`` is a Source, or a function creating one, called only when at least one
    story is new (an import that adds nothing leaves no empty Source behind). Returns
    (source or None, saved stories, duplicates skipped).
    """
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _save(project, prepared, make_source)
        except IntegrityError:
            # Another import saved some of the same stories between our check and our
            # insert (PostgreSQL; SQLite writers queue). Check again, once.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _save(
    project: Project, prepared: Sequence[_Prepared], make_source: Callable[[], Source] | Source
) -> tuple[Source | None, list[Story], int]:
    hashes = [p.content_hash for p in prepared]
    existing: set[str] = set()
    for start in range(0, len(hashes), BATCH):
        chunk = hashes[start : start + BATCH]
        existing.update(
            Story.objects.filter(project=project, content_hash__in=chunk).values_list(
                "content_hash", flat=True
            )
        )
    new = [p for p in prepared if p.content_hash not in existing]
    duplicates = len(prepared) - len(new)
    if not new:
        return None, [], duplicates
    source = make_source if isinstance(make_source, Source) else make_source()
    keep = project.keep_original_text
    now = timezone.now()
    stories = [
        Story(
            project=project,
            source=source,
            external_id=p.row.external_id[:200],
            original_text=p.row.text if keep else "",
            redacted_text=p.redacted,
            redaction_counts=p.counts,
            attributes=p.row.attributes,
            received_at=p.row.received_at,
            content_hash=p.content_hash,
            created_at=now,
        )
        for p in new
    ]
    saved: list[Story] = []
    for start in range(0, len(stories), BATCH):
        saved.extend(Story.objects.bulk_create(stories[start : start + BATCH]))
    remember_segments(source, [p.row.attributes for p in new])
    return source, saved, duplicates


def remember_segments(source: Source, attributes: Iterable[Mapping[str, str]]) -> None:
    """Keep the distinct values of each segment in ``source.columns["values"]``.

    The story filters list them from here, instead of scanning every story's attributes.
    """
    values: dict[str, list[str]] = {
        k: list(v) for k, v in (source.columns.get("values") or {}).items()
    }
    sets = {k: set(v) for k, v in values.items()}
    for attrs in attributes:
        for key, value in attrs.items():
            bucket = sets.setdefault(key, set())
            if value not in bucket and len(bucket) < MAX_SEGMENT_VALUES:
                bucket.add(value)
                values.setdefault(key, []).append(value)
    if values != (source.columns.get("values") or {}):
        source.columns = {**source.columns, "values": {k: sorted(v) for k, v in values.items()}}
        source.save(update_fields=["columns"])


def add_stories(
    project: Project,
    source: Source,
    rows: Iterable[StoryRow | Mapping[str, Any]],
    user: Any = None,
) -> AddResult:
    """Redact, de-duplicate and save stories into ``source``; embed them in the background.

    ``rows`` are StoryRow objects or dicts (``text``, ``external_id``, ``attributes``,
    ``received_at``). All or nothing: a failure saves none of them. Stories the project
    already has are skipped and counted in ``duplicates``; rows without text in ``empty``.
    Semantic search finds the new stories once the embedding task has run.
    """
    if source.project_id != project.pk:
        raise ValueError("The source belongs to another project.")
    prepared, empty = prepare(project, [as_row(r) for r in rows])
    with transaction.atomic():
        _, stories, duplicates = save_prepared(project, prepared, source)
        if stories:
            from heard_web.core.tasks import enqueue_on_commit
            from heard_web.stories.tasks import embed_stories

            ids = [s.pk for s in stories]
            enqueue_on_commit(embed_stories, None, project_id=project.pk, story_ids=ids)
    return AddResult(stories=stories, duplicates=duplicates, empty=empty)


# --- embedding ------------------------------------------------------------------------------

_embedder_lock = threading.Lock()
_embedder: Any = None


def embedder() -> Any:
    """The process's one heard Embedder (the model loads once per process, on first use)."""
    global _embedder
    with _embedder_lock:
        if _embedder is None:
            from heard.embed import Embedder

            # No on-disk cache: its SQLite file is per thread, and stories are never
            # embedded twice (passages are stored with the story).
            _embedder = Embedder(use_cache=False, precision="float32")
        return _embedder


def embed_texts(texts: Sequence[str]) -> Any:
    """Unit vectors (float32, one row per text) from the shared embedder, thread-safe.

    For the few short texts of a search query, on one thread: torch's default of one thread
    per core made a query take 550 ms instead of 40 ms on a busy 2-core server (measured).
    """
    import torch

    model = embedder()
    with _embedder_lock:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return model.embed(list(texts))
        finally:
            torch.set_num_threads(threads)


def embed_stories(
    project: Project, story_ids: Sequence[int] | None = None, progress: Progress | None = None
) -> int:
    """Embed the project's stories that have no passages yet (of ``story_ids``, if given).

    Long stories are split into passages within the model's window (by heard.embed); each
    passage is stored with its float32 vector. Returns the number of stories embedded.
    """
    from heard.embed import MODEL_NAME

    missing = Story.objects.filter(project=project, passages__isnull=True)
    if story_ids is None:
        ids = list(missing.order_by("pk").values_list("pk", flat=True))
    else:
        wanted = sorted(set(story_ids))
        ids = []
        for start in range(0, len(wanted), BATCH):
            chunk_ids = wanted[start : start + BATCH]
            ids.extend(missing.filter(pk__in=chunk_ids).order_by("pk").values_list("pk", flat=True))
    total = len(ids)
    if progress is not None:
        progress(0, total)
    model = embedder()
    done = 0
    for start in range(0, total, EMBED_CHUNK):
        chunk = list(
            Story.objects.filter(pk__in=ids[start : start + EMBED_CHUNK]).values_list(
                "pk", "redacted_text"
            )
        )
        with _embedder_lock:
            found = model.embed_documents([text for _, text in chunk])
        passages: list[Passage] = []
        position: dict[int, int] = {}
        cursor: dict[int, int] = {}
        for n, (owner, text) in enumerate(
            zip(found.passage_owner.tolist(), found.passage_text, strict=True)
        ):
            story_id, full = chunk[owner]
            index = position.get(story_id, 0)
            position[story_id] = index + 1
            begin = _offset(full, text, cursor.get(story_id, 0))
            cursor[story_id] = begin + len(text)
            passages.append(
                Passage(
                    story_id=story_id,
                    index=index,
                    text=text,
                    start=begin,
                    end=min(begin + len(text), len(full)),
                    embedding=found.passage_vectors[n].astype("float32").tobytes(),
                    model_name=MODEL_NAME,
                )
            )
        with transaction.atomic():
            # A story erased while it was being embedded has no passages to keep.
            alive = set(
                Story.objects.filter(pk__in=[s for s, _ in chunk]).values_list("pk", flat=True)
            )
            Passage.objects.bulk_create(
                [p for p in passages if p.story_id in alive],
                batch_size=BATCH,
                ignore_conflicts=True,
            )
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    if total:
        from heard_web.stories.services.search import forget_matrix

        forget_matrix(project.pk)
    return total


def _offset(full: str, passage: str, start: int) -> int:
    """Where ``passage`` begins in ``full`` (passages are whole sentences, rejoined by spaces)."""
    head = passage[:40]
    found = full.find(head, start)
    if found < 0:
        found = full.find(head)
    return max(found, 0) if found >= 0 else min(start, len(full))
