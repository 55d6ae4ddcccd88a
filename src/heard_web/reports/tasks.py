"""Background work of the reports app (run by `heard worker`; see heard_web/README.md)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_export_task(export_id: int) -> None:
    """Write one requested report or table (its Export row records progress and outcome)."""
    from heard_web.reports import services

    services.run_export(export_id)
