"""Jobs left behind by a worker that stopped: found when a worker starts, and marked failed.

A worker killed mid-task (the server stopped or restarted, the computer ran out of memory or
went to sleep) leaves its import, analysis or export "running" for ever. When ``heard worker``
starts (``heard serve`` restarts its worker when it dies), :func:`recover` finds the tasks no
worker is running any more and hands their unfinished jobs to each app, which marks them failed
with a clear message and undoes what a half-done job left (``stories.services.abandon_imports``,
``analysis.services.abandon_runs``, ``reports.services.abandon_exports``). Nothing is retried
by itself: a task that made the worker run out of memory would only do it again.

How a task is known to be abandoned:

- database queue: each worker's id names its host, the host's boot and its process id
  (:func:`worker_id`); a task still "running" under a worker of this host whose process is gone
  (or that ran before the host last started) is abandoned. Workers on other hosts are left to
  themselves.
- Redis queue (RQ): RQ moves a task whose worker stopped sending heartbeats to its failed
  registry (``StartedJobRegistry.cleanup``); a job whose task failed there, or that Redis no
  longer knows (Redis keeps nothing on disk by default), is abandoned.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Model, QuerySet

log = logging.getLogger(__name__)

PREFIX = "heard"
STOPPED = (
    "The background worker stopped while this was running (the server was stopped or "
    "restarted, or the computer ran out of memory)."
)


def _boot() -> str:
    """A short id of this boot of the host ('' where the system does not say)."""
    try:
        boot_id = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""
    return hashlib.sha256(boot_id.encode()).hexdigest()[:8]


def worker_id(pid: int | None = None) -> str:
    """This worker's id for the database queue: heard:HOST:BOOT:PID (at most 64 characters)."""
    host = socket.gethostname()[:40].replace(":", "-")
    return f"{PREFIX}:{host}:{_boot()}:{pid if pid is not None else os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def is_gone(worker: str) -> bool:
    """True when ``worker`` (an id from :func:`worker_id`) ran on this host and has stopped."""
    parts = worker.split(":")
    if len(parts) != 4 or parts[0] != PREFIX or not parts[3].isdigit():
        return False  # not ours: cannot tell
    _, host, boot, pid = parts
    if host != socket.gethostname()[:40].replace(":", "-"):
        return False
    if boot and boot != _boot():
        return True  # the host has restarted since
    return int(pid) != os.getpid() and not _alive(int(pid))


def _abandoned_in_database() -> list[str]:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    found: list[str] = []
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        if result.worker_ids and is_gone(str(result.worker_ids[-1])):
            result.set_failed(RuntimeError(STOPPED))
            found.append(str(result.id))
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
    found += [str(pk) for pk in failed.values_list("id", flat=True)]
    return found


def _abandoned_in_redis(task_ids: Iterable[str]) -> list[str]:
    import django_rq
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus
    from rq.registry import StartedJobRegistry

    connection = django_rq.get_connection()
    for name in settings.TASK_QUEUES:
        StartedJobRegistry(name, connection=connection).cleanup()
    found: list[str] = []
    for task_id in task_ids:
        try:
            status = Job.fetch(task_id, connection=connection).get_status(refresh=True)
        except NoSuchJobError:
            found.append(task_id)
            continue
        if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
            found.append(task_id)
    return found


def _handlers() -> list[tuple[type[Model], Callable[[QuerySet[Any], str], int]]]:
    """Each app's job model, and its function that marks abandoned jobs failed."""
    from heard_web.analysis import services as analysis
    from heard_web.analysis.models import AnalysisRun
    from heard_web.reports import services as reports
    from heard_web.reports.models import Export
    from heard_web.stories import services as stories
    from heard_web.stories.models import ImportJob

    return [
        (ImportJob, stories.abandon_imports),
        (AnalysisRun, analysis.abandon_runs),
        (Export, reports.abandon_exports),
    ]


def _unfinished(model: type[Model]) -> QuerySet[Any]:
    from heard_web.stories.models import JobStatus

    return model._default_manager.filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING])


def recover() -> int:
    """Mark the jobs of tasks no worker is running any more as failed; how many there were."""
    handlers = _handlers()
    waiting = {
        task_id
        for model, _ in handlers
        for task_id in _unfinished(model).values_list("task_id", flat=True)
        if task_id
    }
    redis = bool(getattr(settings, "REDIS_URL", ""))
    if not waiting:
        if not redis:
            _abandoned_in_database()  # still mark the queue's own stale rows
        return 0
    abandoned = set(_abandoned_in_redis(sorted(waiting)) if redis else _abandoned_in_database())
    abandoned &= waiting
    if not abandoned:
        return 0
    count = sum(
        abandon(_unfinished(model).filter(task_id__in=sorted(abandoned)), STOPPED)
        for model, abandon in handlers
    )
    if count:
        log.warning("Marked %d job(s) failed: their worker stopped while they ran.", count)
    return count
