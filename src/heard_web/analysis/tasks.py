"""Background work of the analysis app (run by `heard worker`; see heard_web/README.md)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_analysis_task(run_id: int) -> None:
    """Analyse a project's stories for one AnalysisRun (its row records progress and outcome)."""
    from heard_web.analysis import services

    services.run_analysis(run_id)
