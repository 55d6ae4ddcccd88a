"""Background tasks of the stories app: run an import, embed new stories for search."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import(job_id: int) -> None:
    """Read, redact, save and embed one upload (the job row records progress and errors)."""
    from heard_web.stories import services

    services.run_import(job_id)


@task()
def embed_stories(project_id: int, story_ids: list[int] | None = None) -> int:
    """Embed the project's stories that have no passages yet (of ``story_ids``, if given)."""
    from heard_web.projects.models import Project
    from heard_web.stories import services

    project = Project.objects.filter(pk=project_id).first()
    if project is None:  # erased before the worker got to it
        return 0
    return services.embed_stories(project, story_ids)
