"""Background tasks shared by every app, and the one way to enqueue work from a service.

Tasks live in each app's ``tasks.py``, take only ids and plain values (they are stored as
JSON), and call that app's ``services`` module. Enqueue after the database transaction commits,
so a worker never looks for a row that is not there yet::

    from heard_web.core.tasks import enqueue_on_commit
    from heard_web.stories.tasks import run_import

    job = ImportJob.objects.create(...)
    enqueue_on_commit(run_import, job, job_id=job.pk)   # job.task_id is filled in
"""

from __future__ import annotations

import os
import socket
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django_tasks import task


@task()
def ping(note: str = "") -> dict[str, Any]:
    """Answer at once: proves a worker is taking tasks (``heard manage check_worker``)."""
    return {
        "note": note,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "at": timezone.now().isoformat(),
    }


def enqueue_on_commit(
    task_: Any, record: models.Model | None = None, /, *args: Any, **kwargs: Any
) -> None:
    """Enqueue ``task_(*args, **kwargs)`` once the current transaction commits.

    When ``record`` (an ImportJob, AnalysisRun...) is given, its ``task_id`` is saved.
    """

    def go() -> None:
        result = task_.enqueue(*args, **kwargs)
        if record is not None:
            type(record)._default_manager.filter(pk=record.pk).update(task_id=str(result.id))
            record.task_id = str(result.id)  # type: ignore[attr-defined]

    transaction.on_commit(go)


def backend_status() -> dict[str, Any]:
    """What the health check says about the task queue: reachable, and how much is waiting."""
    from django.conf import settings

    if getattr(settings, "REDIS_URL", ""):
        import django_rq

        queue = django_rq.get_queue("default")
        queue.connection.ping()
        return {"backend": "rq", "ok": True, "waiting": queue.count}
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return {
        "backend": "database",
        "ok": True,
        "waiting": waiting.count(),
        "oldest_waiting_seconds": (
            round((timezone.now() - oldest).total_seconds(), 1) if oldest else None
        ),
    }
