"""/api/projects: the projects the caller is a member of."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, OuterRef, Q, Subquery, When
from django.http import HttpRequest
from ninja import Router

from heard_web.accounts.models import ROLE_RANK, Membership
from heard_web.analysis.models import AnalysisRun
from heard_web.api.errors import error_responses
from heard_web.api.schemas import ProjectOut, Slug
from heard_web.core.access import VIEWER, resolve_project
from heard_web.projects.models import Project
from heard_web.stories.models import Source, Story
from heard_web.stories.visibility import condition

router = Router(tags=["projects"])


def _count(model: Any, condition: Q | None = None) -> Subquery:
    return Subquery(
        model.objects.filter(project=OuterRef("project"))
        .filter(condition or Q())
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )


def _memberships(user: Any) -> Any:
    latest = AnalysisRun.objects.filter(project=OuterRef("project")).order_by("-created_at", "-id")
    return (
        Membership.objects.filter(user=user)
        .select_related("project", "project__organisation")
        .annotate(
            # what the member's role may see (stories.visibility): one count per project
            stories_count=Case(
                *(When(role=role, then=_count(Story, condition(role))) for role in ROLE_RANK)
            ),
            sources_count=_count(Source),
            latest_run_id=Subquery(latest.values("pk")[:1]),
        )
        .order_by("project__name", "project__slug")
    )


def _out(membership: Membership) -> dict[str, Any]:
    project: Project = membership.project
    return {
        "slug": project.slug,
        "name": project.name,
        "description": project.description,
        "organisation": {"slug": project.organisation.slug, "name": project.organisation.name},
        "role": membership.role,
        "created_at": project.created_at,
        "stories_count": getattr(membership, "stories_count", None) or 0,
        "sources_count": getattr(membership, "sources_count", None) or 0,
        "latest_run_id": getattr(membership, "latest_run_id", None),
    }


@router.get(
    "",
    response={200: list[ProjectOut], **error_responses(401)},
    summary="Your projects",
    url_name="projects",
)
def index(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(m) for m in _memberships(request.user)]


@router.get(
    "/{slug}",
    response={200: ProjectOut, **error_responses(401, 404, 422)},
    summary="One of your projects",
    url_name="project",
)
def show(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    _, membership = resolve_project(request.user, slug, VIEWER)
    return _out(_memberships(request.user).get(pk=membership.pk))
