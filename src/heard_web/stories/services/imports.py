"""Imports: keep an upload in the data folder, preview it, read it into stories in the background.

    job = store_upload(project, uploaded_file, user)      # reads its start: errors there show at once
    job.options["preview"]                                 # columns, first rows (redacted), guesses
    start_import(job, {"text": ..., "id": ..., "by": [...], "time": ..., "sheet": ...}, user)
    run_import(job.pk)                                     # the task: read, redact, save, embed

Every problem with the file is one of heard's own errors (the message the command line
prints). A failed import leaves no stories and no source behind; the job keeps the message.
The stored file is handled in :mod:`.uploads`, its preview and column guesses in :mod:`.preview`.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from heard_web.accounts.models import AuditAction
from heard_web.accounts.services import record_event
from heard_web.projects.models import Project
from heard_web.stories.models import ImportJob, JobStatus, Source, SourceKind
from heard_web.stories.services import store
from heard_web.stories.services.preview import _cell, read_preview
from heard_web.stories.services.uploads import (
    _read,
    _remove_file,
    _remove_folder,
    _safe_name,
    max_upload_bytes,
)

log = logging.getLogger(__name__)

#: Shares of the progress bar: reading, redacting, saving, then embedding the rest.
_READ, _REDACT, _SAVE = 0.05, 0.45, 0.55


# --- upload ----------------------------------------------------------------------------------


def store_upload(project: Project, uploaded: Any, user: Any) -> ImportJob:
    """Keep the upload under the data folder, preview it, and make a job waiting for columns.

    Raises heard's own error (HeardError) when the file cannot be read; nothing is kept then.
    A problem further into a large file than the preview reads is found by the import.
    """
    from heard.errors import TooLargeError

    folder = Path(settings.UPLOAD_DIR) / str(project.pk) / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    name = _safe_name(getattr(uploaded, "name", "") or "upload")
    path = folder / name
    digest = hashlib.sha256()
    size = 0
    try:
        limit = max_upload_bytes()
        with path.open("wb") as handle:
            for chunk in uploaded.chunks():
                size += len(chunk)
                if size > limit:
                    from heard.ingest._common import size_words

                    raise TooLargeError(
                        f"'{name}' is larger than {size_words(limit)}, the most this heard "
                        "server accepts in one upload. Split it into smaller files, or ask "
                        "the administrator to raise HEARD_MAX_UPLOAD_MB."
                    )
                digest.update(chunk)
                handle.write(chunk)
        preview = read_preview(project, path)
    except BaseException:
        _remove_folder(folder)
        raise
    return ImportJob.objects.create(
        project=project,
        file_name=name,
        stored_path=str(path),
        file_sha256=digest.hexdigest(),
        file_size=size,
        options={"preview": preview, "columns": preview["guess"], "confirmed": False},
        status=JobStatus.PENDING,
        stage="Waiting for you to choose the columns",
        created_by=user if getattr(user, "pk", None) else None,
    )


def change_sheet(job: ImportJob, sheet: str) -> ImportJob:
    """Preview another sheet of the workbook (raises HeardError when it cannot be read)."""
    preview = read_preview(job.project, Path(job.stored_path), sheet=sheet)
    job.options = {**job.options, "preview": preview, "columns": preview["guess"]}
    job.save(update_fields=["options"])
    return job


def discard(job: ImportJob) -> None:
    """Forget an import that was not started: its file and its job."""
    _remove_file(job)
    job.delete()


# --- running --------------------------------------------------------------------------------


def start_import(job: ImportJob, columns: dict[str, Any], user: Any = None) -> ImportJob:
    """Record the chosen columns and queue the import (after the transaction commits)."""
    from heard_web.core.tasks import enqueue_on_commit
    from heard_web.stories.tasks import run_import as run_import_task

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.options.get("confirmed"):
            return job  # a second click on the button
        job.options = {**job.options, "columns": columns, "confirmed": True}
        job.status = JobStatus.PENDING
        job.stage = "Waiting for the background worker"
        job.progress = 0.0
        job.save(update_fields=["options", "status", "stage", "progress"])
        enqueue_on_commit(run_import_task, job, job_id=job.pk)
    return job


class _Reporter:
    """Writes a job's stage and progress, at most a few times a second."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self._last = 0.0

    def __call__(self, stage: str, fraction: float, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 0.5:
            return
        self._last = now
        self.job.stage, self.job.progress = stage, round(min(max(fraction, 0.0), 1.0), 4)
        ImportJob.objects.filter(pk=self.job.pk).update(
            stage=self.job.stage, progress=self.job.progress
        )

    def span(self, stage: str, begin: float, end: float) -> store.Progress:
        def update(done: int, total: int) -> None:
            share = done / total if total else 1.0
            self(f"{stage} ({done:,} of {total:,})", begin + (end - begin) * share)

        return update


def run_import(job_id: int) -> ImportJob:
    """Read the file with the chosen columns, redact, save (all or nothing), then embed."""
    from heard.errors import HeardError

    job = ImportJob.objects.select_related("project").get(pk=job_id)
    if job.is_finished or job.status == JobStatus.RUNNING:
        return job
    project = job.project
    report = _Reporter(job)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    job.status = JobStatus.RUNNING
    columns = job.options.get("columns") or {}
    try:
        report("Reading the file", 0.0, force=True)
        responses = _read(
            Path(job.stored_path),
            sheet=columns.get("sheet"),
            text=columns["text"],
            id=columns.get("id") or None,
            by=columns.get("by") or None,
            time=columns.get("time") or None,
        )
        rows = _rows(responses)
        ImportJob.objects.filter(pk=job.pk).update(rows_read=len(rows))
        report("Removing personal data", _READ, force=True)
        prepared, empty = store.prepare(
            project, rows, progress=report.span("Removing personal data", _READ, _REDACT)
        )
        report("Saving the stories", _REDACT, force=True)

        def make_source() -> Source:
            return Source.objects.create(
                project=project,
                name=job.file_name,
                kind=SourceKind.IMPORT,
                columns={k: columns.get(k) for k in ("text", "id", "by", "time", "sheet")},
                created_by=job.created_by,
            )

        with transaction.atomic():
            source, stories, duplicates = store.save_prepared(project, prepared, make_source)
            ImportJob.objects.filter(pk=job.pk).update(
                source=source,
                rows_read=len(rows),
                stories_added=len(stories),
                duplicates_skipped=duplicates,
            )
    except HeardError as exc:
        return _fail(job, str(exc))
    except Exception as exc:
        log.exception("Import %s failed", job.pk)
        return _fail(
            job,
            f"heard hit an unexpected problem ({type(exc).__name__}) and imported nothing. "
            "Try again; if it happens again, tell your administrator (the details are in the "
            "server's log).",
        )
    from heard_web.stories.services.search import forget_matrix

    forget_matrix(project.pk)
    note = ""
    try:
        # every story of the project still without passages: these, and any an earlier
        # import or API call could not prepare
        store.embed_stories(
            project, progress=report.span("Preparing the stories for search", _SAVE, 1.0)
        )
    except Exception as exc:  # the stories are saved; only search has to wait
        log.exception("Embedding for import %s failed", job.pk)
        note = (
            f" Semantic search cannot find them yet ({type(exc).__name__}); they will be "
            "prepared with the next import."
        )
    _remove_file(job)
    finished = timezone.now()
    stage = (
        f"Finished: {len(stories):,} stories added, {duplicates:,} already in the project"
        + (f", {empty:,} empty rows left out" if empty else "")
        + "."
        + note
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, progress=1.0, stage=stage[:200], finished_at=finished
    )
    record_event(
        AuditAction.IMPORTED,
        actor=job.created_by,
        project=project,
        target=job,
        details={"stories_added": len(stories), "duplicates_skipped": duplicates},
    )
    job.refresh_from_db()
    return job


def _fail(job: ImportJob, message: str) -> ImportJob:
    _remove_file(job)
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED,
        error_message=message,
        stage="Failed: nothing was imported",
        finished_at=timezone.now(),
        source=None,
        stories_added=0,
        duplicates_skipped=0,
    )
    job.refresh_from_db()
    return job


def abandon_imports(jobs: Any, why: str) -> int:
    """Mark these unfinished imports failed: their worker stopped (``core.recovery``).

    An import whose stories were already saved (the worker stopped while preparing them for
    search) is finished instead: its stories are kept, and the next import prepares them.
    """
    count = 0
    for job in jobs:
        count += 1
        if job.source_id is not None:
            _remove_file(job)
            ImportJob.objects.filter(pk=job.pk).update(
                status=JobStatus.SUCCEEDED,
                progress=1.0,
                stage=(
                    f"Finished: {job.stories_added:,} stories added, {job.duplicates_skipped:,} "
                    "already in the project. Semantic search cannot find them yet: the worker "
                    "stopped while preparing them; the next import prepares them."
                )[:200],
                finished_at=timezone.now(),
            )
        else:
            _fail(job, f"{why} Nothing was imported. Upload the file again to import it.")
    return count


def _rows(responses: Any) -> list[store.StoryRow]:
    """heard's Responses as StoryRows: text, id, segment values and date of each response."""
    import pandas as pd

    data = responses.data
    texts = responses.texts
    ids = data[responses.id].tolist() if responses.id else None
    times = data[responses.time].tolist() if responses.time else None
    segments = {column: data[column].tolist() for column in responses.by}
    rows = []
    for n, text in enumerate(texts):
        attributes = {}
        for column, values in segments.items():
            value = _cell(values[n]).strip()
            if value:
                attributes[column] = value
        received = None
        if times is not None and not pd.isna(times[n]):
            stamp = pd.Timestamp(times[n]).to_pydatetime()
            # heard gives naive times: as written, or UTC when the file gave an offset
            received = timezone.make_aware(stamp, timezone.get_default_timezone())
        external = _cell(ids[n]).strip() if ids is not None else ""
        rows.append(
            store.StoryRow(
                text=text, external_id=external, attributes=attributes, received_at=received
            )
        )
    return rows
