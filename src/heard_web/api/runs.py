"""/api/projects/{slug}/runs: theme analysis runs (start one, follow its progress)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from heard_web.api.common import project_for
from heard_web.api.errors import ApiError, error_responses
from heard_web.api.schemas import Id, RunOut, Slug
from heard_web.core.access import ANALYST, VIEWER

router = Router(tags=["analysis runs"])


class RunsQuery(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get(
    "/{slug}/runs",
    response={200: list[RunOut], **error_responses(401, 404, 422)},
    summary="A project's analysis runs, newest first",
    url_name="runs",
)
def index(request: HttpRequest, slug: Slug, page: Query[RunsQuery]) -> Any:
    project = project_for(request, slug, VIEWER)
    runs = project.analysis_runs.order_by("-created_at", "-id")
    return runs[page.offset : page.offset + page.limit]


@router.get(
    "/{slug}/runs/{run_id}",
    response={200: RunOut, **error_responses(401, 404, 422)},
    summary="One analysis run: status and progress",
    url_name="run",
)
def show(request: HttpRequest, slug: Slug, run_id: Id) -> Any:
    project = project_for(request, slug, VIEWER)
    return get_object_or_404(project.analysis_runs, pk=run_id)


@router.post(
    "/{slug}/runs",
    response={202: RunOut, **error_responses(401, 403, 404, 409, 422)},
    summary="Start a theme analysis (analysts and owners)",
    url_name="run_create",
    description="The run happens in the background: follow it at the URL in the Location "
    "header until its status is succeeded or failed. People's edits to the themes are kept.",
)
def create(request: HttpRequest, slug: Slug, response: HttpResponse) -> Any:
    from heard_web.analysis import services

    project = project_for(request, slug, ANALYST)
    try:
        run = services.start_run(project, by=request.user, request=request)
    except services.AnalysisError as exc:  # nothing to analyse, or a run is already going
        raise ApiError(409, str(exc), code="analysis_refused") from exc
    response["Location"] = reverse("api:run", kwargs={"slug": project.slug, "run_id": run.pk})
    return Status(202, run)
