"""The REST API at /api/ (OpenAPI at /api/openapi.json, docs at /api/docs).

One router per resource in this app (``api/projects.py``, ``api/stories.py``...), all under
/api/projects/{slug}/...; each route checks access with
``heard_web.core.access.resolve_project(request.user, slug, role)`` (outsiders get 404, a
role too low 403) and documents every status it can answer with ``errors.error_responses``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema, Status

from heard_web.api import errors, projects, runs, sources, stories, themes
from heard_web.api.auth import ActiveSessionAuth, TokenAuth


class HeardAPI(NinjaAPI):
    """NinjaAPI whose every answer under /api/ is JSON: a wrong method (405) and an unknown
    path (404) get the error envelope too, not Django's plain or HTML pages."""

    def _get_urls(self) -> list[Any]:
        from django.urls import re_path

        urls = super()._get_urls()
        for pattern in urls:
            if hasattr(pattern, "callback"):
                pattern.callback = errors.enveloped_405(self, pattern.callback)
        urls.append(re_path(r"^.*$", errors.not_found_view(self), name="not-found"))
        return urls


api = HeardAPI(
    title="heard API",
    version="1",
    description="Projects, sources, stories, themes and analysis runs in heard. "
    "Authenticate with a personal token: Authorization: Bearer heard_...",
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
)
errors.install(api)

for _router in (projects.router, sources.router, stories.router, runs.router, themes.router):
    api.add_router("/projects", _router)


class HealthOut(Schema):
    status: str
    version: str
    database: dict[str, Any]
    tasks: dict[str, Any]


@api.get(
    "/health",
    auth=None,
    response={200: HealthOut, 503: HealthOut},
    tags=["service"],
    summary="Is heard up?",
)
def health(request: HttpRequest) -> Status[dict[str, Any]]:
    from heard_web.core.views import health_report

    healthy, body = health_report()
    return Status(200 if healthy else 503, body)


class MeOut(Schema):
    username: str
    projects: list[str]


@api.get(
    "/me",
    response={200: MeOut, **errors.error_responses(401)},
    tags=["service"],
    summary="Who the token belongs to, and their projects",
)
def me(request: HttpRequest) -> dict[str, Any]:
    from heard_web.core.access import projects_for

    return {
        "username": request.user.get_username(),
        "projects": list(projects_for(request.user).values_list("slug", flat=True)),
    }
