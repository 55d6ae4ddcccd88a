"""Helpers every router shares: the project a request may use."""

from __future__ import annotations

from django.http import HttpRequest

from heard_web.core.access import resolve_project
from heard_web.projects.models import Project


def project_for(request: HttpRequest, slug: str, role: str) -> Project:
    """The project ``slug`` if the caller's role allows ``role`` (else the 404/403 envelope)."""
    project, _ = resolve_project(request.user, slug, role)
    return project
