"""The background worker runs tasks, on the database backend and (with REDIS_URL) on RQ."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import transaction

from heard_web.core.tasks import enqueue_on_commit, ping
from heard_web.server import run_worker


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_task_and_keeps_its_result():
    result = ping.enqueue(note="hello")
    assert result.status == "READY"
    run_worker(burst=True)
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert result.return_value["note"] == "hello"


@pytest.mark.django_db(transaction=True)
def test_the_task_backend_is_the_one_the_settings_choose():
    from django_tasks import task_backends

    expected = "RQBackend" if settings.REDIS_URL else "DatabaseBackend"
    assert type(task_backends["default"]).__name__ == expected


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_transaction_waits_for_the_commit_and_records_its_id():
    from factories import make_project, make_run

    run = make_run(make_project(), status="pending")
    with transaction.atomic():
        enqueue_on_commit(ping, run, note="after commit")
        run.refresh_from_db()
        assert run.task_id == ""  # nothing is queued while the transaction is open
    run.refresh_from_db()
    assert run.task_id
    run_worker(burst=True)
    result = ping.get_result(run.task_id)
    assert result.status == "SUCCESSFUL"
    assert result.return_value["note"] == "after commit"


@pytest.mark.django_db(transaction=True)
def test_nothing_is_queued_when_the_transaction_rolls_back():
    from factories import make_project, make_run

    run = make_run(make_project(), status="pending")
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(ping, run, note="never")
        raise RuntimeError("the import failed")
    run.refresh_from_db()
    assert run.task_id == ""
