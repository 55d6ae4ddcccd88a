"""Test data for the web app: synthetic people, projects and stories (no real person's details).

Plain functions with sensible defaults; pass any model field to override it::

    owner = make_user("olivia")
    project = make_project(owner=owner, members={make_user("vera"): "viewer"})
    story = make_story(project, "The wait after approval felt endless.")
"""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from heard_web.accounts.models import ApiToken, Membership, Organisation
from heard_web.analysis.models import AnalysisRun, Assignment, Theme
from heard_web.projects.models import Project
from heard_web.stories.models import JobStatus, Source, Story, story_content_hash

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_user(username: str | None = None, *, password: str = PASSWORD, **fields: Any) -> Any:
    """A user who can sign in with ``PASSWORD``."""
    username = username or f"user{next(_counter)}"
    fields.setdefault("email", f"{username}@example.org")
    return get_user_model().objects.create_user(username=username, password=password, **fields)


def make_organisation(name: str | None = None, **fields: Any) -> Organisation:
    n = next(_counter)
    name = name or f"Organisation {n}"
    return Organisation.objects.create(name=name, slug=fields.pop("slug", f"org-{n}"), **fields)


def make_project(
    *,
    owner: Any = None,
    name: str | None = None,
    members: dict[Any, str] | None = None,
    organisation: Organisation | None = None,
    **fields: Any,
) -> Project:
    """A project with ``owner`` as owner and ``members`` ({user: role}) as the other members."""
    n = next(_counter)
    project = Project.objects.create(
        organisation=organisation or make_organisation(),
        name=name or f"Project {n}",
        slug=fields.pop("slug", f"project-{n}"),
        created_by=owner,
        **fields,
    )
    if owner is not None:
        Membership.objects.create(user=owner, project=project, role="owner")
    for user, role in (members or {}).items():
        Membership.objects.create(user=user, project=project, role=role)
    return project


def make_membership(user: Any, project: Project, role: str = "viewer") -> Membership:
    return Membership.objects.create(user=user, project=project, role=role)


def make_source(project: Project, name: str = "Survey export", **fields: Any) -> Source:
    return Source.objects.create(project=project, name=name, **fields)


def make_story(
    project: Project, text: str | None = None, *, source: Source | None = None, **fields: Any
) -> Story:
    """A stored story; ``text`` is taken as already redacted."""
    text = text or f"Synthetic story number {next(_counter)} about waiting for a decision."
    source = source or Source.objects.filter(project=project).first() or make_source(project)
    attributes = fields.pop("attributes", {})
    external_id = fields.pop("external_id", "")
    return Story.objects.create(
        project=project,
        source=source,
        redacted_text=text,
        attributes=attributes,
        external_id=external_id,
        content_hash=story_content_hash(text, external_id=external_id, attributes=attributes),
        received_at=fields.pop("received_at", timezone.now()),
        **fields,
    )


def make_run(project: Project, status: str = JobStatus.SUCCEEDED, **fields: Any) -> AnalysisRun:
    return AnalysisRun.objects.create(project=project, status=status, **fields)


def run_analysis_now(project: Project, **parameters: Any) -> AnalysisRun:
    """A real analysis (or re-run, after the project's current run) done here, not by a worker."""
    from heard_web.analysis import edits, services

    run = make_run(
        project,
        status="pending",
        previous_run=edits.current_run(project),
        parameters={"random_state": 0, **parameters},
    )
    services.run_analysis(run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error_message
    return run


def make_theme(
    run: AnalysisRun,
    label: str = "Waiting",
    *,
    key: str | None = None,
    stories: list[Story] = (),
    **fields: Any,
) -> Theme:  # type: ignore[assignment]
    """A theme of ``run`` with ``stories`` assigned to it as their main theme."""
    theme = Theme.objects.create(
        project=run.project,
        run=run,
        key=key or str(next(_counter)),
        label=label,
        machine_label=label,
        size=len(stories),
        mentions=len(stories),
        **fields,
    )
    for story in stories:
        Assignment.objects.create(story=story, theme=theme, score=0.8, primary=True)
    return theme


def make_token(user: Any, name: str = "test script") -> tuple[ApiToken, str]:
    """An API token for ``user``; returns the row and the raw token to send."""
    return ApiToken.issue(user, name)
