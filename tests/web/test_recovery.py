"""A worker that stops mid-task leaves no job "running" for ever: the next worker to start
marks the jobs of abandoned tasks failed, with a message that says what to do, and undoes
what they had half done; jobs of live workers are left alone.

Real task rows: the database queue's own table (SQLite or PostgreSQL), and Redis when the
run has REDIS_URL (the PostgreSQL + RQ run of `make test-web-pg`).
"""

from __future__ import annotations

import subprocess

import pytest
from django.conf import settings
from factories import make_run, make_source, make_theme

from heard_web.analysis.models import AnalysisRun
from heard_web.core import recovery
from heard_web.core.tasks import ping
from heard_web.reports.models import Export
from heard_web.stories.models import ImportJob, JobStatus

DATABASE_QUEUE = not getattr(settings, "REDIS_URL", "")
pytestmark = pytest.mark.django_db(transaction=True)


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _task(worker: str | None) -> str:
    """A real queued task; claimed by ``worker`` (so "running") when given."""
    from django_tasks_db.models import DBTaskResult

    result = ping.enqueue("recovery test")
    if worker is not None:
        DBTaskResult.objects.get(pk=result.id).claim(worker)
    return str(result.id)


def _jobs(project, task_id: str, *, saved_source=None):
    run = make_run(project, status=JobStatus.RUNNING, task_id=task_id)
    make_theme(run, "Half-made theme")
    job = ImportJob.objects.create(
        project=project,
        file_name="survey.csv",
        status=JobStatus.RUNNING,
        task_id=task_id,
        source=saved_source,
        stories_added=3 if saved_source else 0,
    )
    export = Export.objects.create(
        project=project, kind="themes", status=JobStatus.RUNNING, task_id=task_id
    )
    return run, job, export


@pytest.mark.skipif(not DATABASE_QUEUE, reason="the database queue (no REDIS_URL)")
def test_jobs_of_a_stopped_worker_are_marked_failed_and_live_ones_left_alone(roles):
    project = roles["project"]
    dead = _task(recovery.worker_id(_dead_pid()))
    live = _task(recovery.worker_id())  # this process: alive
    elsewhere = _task("heard:another-host:abcd1234:12345")  # cannot tell: left alone
    waiting = _task(None)  # not started yet
    stopped = _jobs(project, dead)
    running = [_jobs(project, t) for t in (live, elsewhere, waiting)]

    assert recovery.recover() == 3

    run, job, export = (type(o).objects.get(pk=o.pk) for o in stopped)
    assert run.status == job.status == export.status == JobStatus.FAILED
    assert "worker stopped while this was running" in run.error_message
    assert "Run the analysis again" in run.error_message and not run.themes.exists()
    assert "Nothing was imported. Upload the file again" in job.error_message
    assert "Ask for the file again" in export.error_message
    assert all(o.finished_at for o in (run, job, export))
    for trio in running:
        for o in trio:
            assert type(o).objects.get(pk=o.pk).status == JobStatus.RUNNING
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get(pk=dead).status == "FAILED"
    assert DBTaskResult.objects.get(pk=live).status == "RUNNING"
    assert recovery.recover() == 0  # once only


@pytest.mark.skipif(not DATABASE_QUEUE, reason="the database queue (no REDIS_URL)")
def test_a_task_from_before_the_host_restarted_is_abandoned(roles, monkeypatch):
    task = _task(recovery.worker_id())
    run, _, _ = _jobs(roles["project"], task)
    monkeypatch.setattr(recovery, "_boot", lambda: "newboot1")
    assert recovery.recover() == 3
    assert AnalysisRun.objects.get(pk=run.pk).status == JobStatus.FAILED


@pytest.mark.skipif(not DATABASE_QUEUE, reason="the database queue (no REDIS_URL)")
def test_an_import_whose_stories_were_saved_is_finished_not_failed(roles):
    project = roles["project"]
    source = make_source(project, "survey.csv")
    _, job, _ = _jobs(project, _task(recovery.worker_id(_dead_pid())), saved_source=source)
    recovery.recover()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.source_id == source.pk
    assert "3 stories added" in job.stage and "next import prepares them" in job.stage


def test_ids_that_are_not_heards_are_never_taken_for_stopped_workers():
    assert not recovery.is_gone("aB3xY9" * 5)
    assert not recovery.is_gone("heard:host-only")
    assert recovery.is_gone(recovery.worker_id(_dead_pid()))
    assert not recovery.is_gone(recovery.worker_id())
    assert len(recovery.worker_id(2**22)) <= 64


@pytest.mark.skipif(DATABASE_QUEUE, reason="the Redis queue (REDIS_URL)")
def test_with_rq_jobs_whose_task_failed_or_vanished_are_marked_failed(roles):
    import django_rq
    from rq.job import Job

    project = roles["project"]
    failed = ping.enqueue("will fail")
    job = Job.fetch(str(failed.id), connection=django_rq.get_connection())
    job.set_status("failed")
    queued = ping.enqueue("still waiting")
    stopped = _jobs(project, str(failed.id))
    vanished = _jobs(project, "no-such-task-id-in-redis")
    waiting = _jobs(project, str(queued.id))
    assert recovery.recover() == 6
    for o in (*stopped, *vanished):
        assert type(o).objects.get(pk=o.pk).status == JobStatus.FAILED
    for o in waiting:
        assert type(o).objects.get(pk=o.pk).status == JobStatus.RUNNING
    for task in (failed, queued):
        Job.fetch(str(task.id), connection=django_rq.get_connection()).delete()


def test_the_worker_recovers_before_it_takes_tasks(monkeypatch, settings):
    from heard_web import server

    calls: list[str] = []
    monkeypatch.setattr(recovery, "recover", lambda: calls.append("recover") or 0)
    monkeypatch.setattr(server, "setup", lambda: None)
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: calls.append(a[0]))
    server.run_worker(burst=True)
    assert calls[0] == "recover" and calls[1] in ("db_worker", "rqworker")
