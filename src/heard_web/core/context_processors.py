"""Values every template can use: the version, the current project and its navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from heard_web.core.version import VERSION

# (label, URL name, role needed). An app adds its entry by defining the URL name; entries
# whose URL does not exist yet are left out, so the menu grows as the apps are built.
PROJECT_NAV: list[tuple[str, str, str]] = [
    ("Overview", "projects:show", "viewer"),
    ("Stories", "stories:index", "viewer"),
    ("Imports", "stories:imports", "analyst"),
    ("Themes", "analysis:index", "viewer"),
    ("Reports", "reports:index", "viewer"),
    ("Story form", "listen:index", "analyst"),
    ("Members", "projects:members", "viewer"),
    ("Settings", "projects:settings", "owner"),
    ("Audit log", "projects:audit", "owner"),
]


def heard(request: HttpRequest) -> dict[str, Any]:
    project = getattr(request, "project", None)
    membership = getattr(request, "membership", None)
    nav: list[dict[str, Any]] = []
    if project is not None and membership is not None:
        current = request.resolver_match.view_name if request.resolver_match else ""
        for label, name, role in PROJECT_NAV:
            if not membership.allows(role):
                continue
            try:
                url = reverse(name, kwargs={"project_slug": project.slug})
            except NoReverseMatch:
                continue
            app = name.split(":")[0]
            active = current == name or (app not in {"projects"} and current.startswith(app + ":"))
            nav.append({"label": label, "url": url, "active": active})
    return {
        "heard_version": VERSION,
        "project": project,
        "membership": membership,
        "project_nav": nav,
    }
