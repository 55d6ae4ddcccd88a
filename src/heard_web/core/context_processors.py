"""Values every template can use: the version, the current project and its navigation."""

from __future__ import annotations

import os
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
            nav.append({"label": label, "url": url, "name": name, "active": name == current})
        _mark_section(nav, current)
    return {
        "heard_version": VERSION,
        "project": project,
        "membership": membership,
        "project_nav": nav,
    }


def _mark_section(nav: list[dict[str, Any]], current: str) -> None:
    """On a page with no entry of its own (a story, an import), mark the one entry of its app
    whose URL name shares the longest start with the page's ("stories:import_show" is under
    Imports, "stories:show" under Stories): one item is the current page, never two."""
    app = current.split(":")[0] + ":"
    if any(item["active"] for item in nav) or app in {":", "projects:"}:
        return
    same_app = [item for item in nav if item["name"].startswith(app)]
    if same_app:
        best = max(same_app, key=lambda item: len(os.path.commonprefix([item["name"], current])))
        best["active"] = True
