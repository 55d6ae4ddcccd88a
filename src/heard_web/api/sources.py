"""/api/projects/{slug}/sources: where a project's stories came from."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Status

from heard_web.api.common import project_for
from heard_web.api.errors import error_responses
from heard_web.api.schemas import Id, Slug, SourceIn, SourceOut
from heard_web.core.access import ANALYST, VIEWER
from heard_web.stories.models import Source

router = Router(tags=["sources"])


def _sources(project: Any) -> Any:
    return project.sources.annotate(stories_count=Count("stories")).order_by("-created_at", "-id")


@router.get(
    "/{slug}/sources",
    response={200: list[SourceOut], **error_responses(401, 404, 422)},
    summary="A project's sources",
    url_name="sources",
)
def index(request: HttpRequest, slug: Slug) -> Any:
    return _sources(project_for(request, slug, VIEWER))


@router.get(
    "/{slug}/sources/{source_id}",
    response={200: SourceOut, **error_responses(401, 404, 422)},
    summary="One source",
    url_name="source",
)
def show(request: HttpRequest, slug: Slug, source_id: Id) -> Any:
    project = project_for(request, slug, VIEWER)
    return get_object_or_404(_sources(project), pk=source_id)


@router.post(
    "/{slug}/sources",
    response={201: SourceOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Add a source (analysts and owners)",
    url_name="source_create",
    description="A source groups stories: an API feed, a set of interviews, a form. "
    "Then add stories to it with POST /projects/{slug}/stories.",
)
def create(request: HttpRequest, slug: Slug, body: SourceIn, response: HttpResponse) -> Any:
    project = project_for(request, slug, ANALYST)
    source = Source.objects.create(
        project=project, name=body.name, kind=body.kind, created_by=request.user
    )
    source.stories_count = 0  # type: ignore[attr-defined]
    response["Location"] = reverse(
        "api:source", kwargs={"slug": project.slug, "source_id": source.pk}
    )
    return Status(201, source)
