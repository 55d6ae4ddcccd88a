"""/api/projects/{slug}/themes: the themes of the latest (or a given) run, and people's edits.

Edits (rename, merge, pin) go through the analysis app's ``edits.make_edit``, which applies
them to the current run and logs them so a re-run keeps them. Edits name themes by key.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import Field

from heard_web.analysis.models import AnalysisRun, Theme
from heard_web.api.common import project_for
from heard_web.api.errors import ApiError, error_responses
from heard_web.api.schemas import (
    Id,
    MergeIn,
    PinIn,
    RenameIn,
    Slug,
    ThemeDetailOut,
    ThemeListOut,
)
from heard_web.core.access import ANALYST, VIEWER

router = Router(tags=["themes"])

QUOTES = 10


class ThemesQuery(Schema):
    run: Id | None = Field(None, description="A run id; the latest finished run if left out.")


def _theme(theme: Theme) -> dict[str, Any]:
    return {
        "id": theme.pk,
        "key": theme.key,
        "kind": theme.kind,
        "label": theme.label,
        "machine_label": theme.machine_label,
        "key_phrases": theme.key_phrases,
        "size": theme.size,
        "mentions": theme.mentions,
        "share": theme.share,
        "sentiment_mix": theme.sentiment_mix,
        "pinned": theme.pinned,
        "renamed": theme.renamed,
        "parent_id": theme.parent_id,
    }


def _tree(theme: Theme) -> dict[str, Any]:
    from heard_web.analysis import explorer

    return {**_theme(theme), "children": [_theme(c) for c in explorer.subthemes(theme)]}


@router.get(
    "/{slug}/themes",
    response={200: ThemeListOut, **error_responses(401, 404, 422)},
    summary="The themes and sub-themes of the latest finished run (or of ?run=)",
    url_name="themes",
)
def index(request: HttpRequest, slug: Slug, query: Query[ThemesQuery]) -> dict[str, Any]:
    project = project_for(request, slug, VIEWER)
    runs = project.analysis_runs.all()
    if query.run is not None:
        run: AnalysisRun | None = get_object_or_404(runs, pk=query.run)
    else:
        from heard_web.analysis.edits import current_run

        run = current_run(project)
    if run is None:
        return {"run": None, "themes": []}
    from heard_web.analysis import explorer

    return {"run": run, "themes": [_tree(t) for t in explorer.top_themes(run)]}


def _detail(theme: Theme) -> dict[str, Any]:
    """A theme with its sub-themes and the quotes the explorer shows (consent to quote only)."""
    from heard_web.analysis import explorer

    theme.refresh_from_db()
    quotes = [
        {"story_id": q.story_id, "text": q.text, "rank": q.rank}
        for q in explorer.quotes_for(theme, limit=QUOTES)
    ]
    return {**_tree(theme), "run_id": theme.run_id, "quotes": quotes}


@router.post(
    "/{slug}/themes/merge",
    response={200: ThemeDetailOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Merge themes into one (analysts and owners); kept when the analysis is re-run",
    url_name="theme_merge",
)
def merge(request: HttpRequest, slug: Slug, body: MergeIn) -> dict[str, Any]:
    project, into = _editable(request, slug, body.into)
    others = list(project.themes.filter(pk__in=body.theme_ids).exclude(pk=into.pk))
    missing = set(body.theme_ids) - {t.pk for t in others} - {into.pk}
    if missing:
        raise ApiError(
            404,
            f"This project has no theme with id {', '.join(map(str, sorted(missing)))}.",
            details={"theme_ids": sorted(missing)},
        )
    if not others:
        raise ApiError(422, "Name at least one theme other than 'into' to merge.")
    if any(t.run_id != into.run_id for t in others):
        raise ApiError(
            409,
            "Only themes of the latest finished run can be merged; some of these belong to an "
            "earlier run.",
            code="not_current_run",
        )
    _edit(project, "merge", {"keys": [t.key for t in others], "into": into.key}, request.user)
    return _detail(into)


@router.get(
    "/{slug}/themes/{theme_id}",
    response={200: ThemeDetailOut, **error_responses(401, 404, 422)},
    summary="One theme with its sub-themes and quotes (only stories that may be quoted)",
    url_name="theme",
)
def show(request: HttpRequest, slug: Slug, theme_id: Id) -> dict[str, Any]:
    project = project_for(request, slug, VIEWER)
    return _detail(get_object_or_404(project.themes, pk=theme_id))


def _editable(request: HttpRequest, slug: str, theme_id: int) -> tuple[Any, Theme]:
    """The theme to edit: in the project, and of the run people edit (the latest finished)."""
    from heard_web.analysis.edits import current_run

    project = project_for(request, slug, ANALYST)
    theme = get_object_or_404(project.themes, pk=theme_id)
    current = current_run(project)
    if current is None or theme.run_id != current.pk:
        raise ApiError(
            409,
            "This theme belongs to an earlier analysis run; only the themes of the latest "
            f"finished run can be changed (GET /api/projects/{project.slug}/themes lists them).",
            code="not_current_run",
            details={"run_id": theme.run_id, "current_run_id": current.pk if current else None},
        )
    return project, theme


def _edit(project: Any, kind: str, payload: dict[str, Any], user: Any) -> None:
    """Apply and log one edit; one the analysis app refuses is a 409 with its message."""
    from heard_web.analysis import edits

    try:
        edits.make_edit(project, kind, payload, by=user)
    except edits.EditError as exc:
        raise ApiError(409, str(exc), code="edit_refused") from exc


@router.post(
    "/{slug}/themes/{theme_id}/rename",
    response={200: ThemeDetailOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Rename a theme (analysts and owners); kept when the analysis is re-run",
    url_name="theme_rename",
)
def rename(request: HttpRequest, slug: Slug, theme_id: Id, body: RenameIn) -> dict[str, Any]:
    project, theme = _editable(request, slug, theme_id)
    _edit(project, "rename", {"key": theme.key, "label": body.label}, request.user)
    return _detail(theme)


@router.post(
    "/{slug}/themes/{theme_id}/pin",
    response={200: ThemeDetailOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Pin or unpin a theme (analysts and owners); kept when the analysis is re-run",
    url_name="theme_pin",
)
def pin(request: HttpRequest, slug: Slug, theme_id: Id, body: PinIn) -> dict[str, Any]:
    project, theme = _editable(request, slug, theme_id)
    _edit(project, "pin" if body.pinned else "unpin", {"key": theme.key}, request.user)
    return _detail(theme)
