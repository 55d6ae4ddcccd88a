"""Themes: one theme's page (numbers, quotes, trend, segments, stories) and a person's edits."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from heard_web.analysis import edits, explorer, services
from heard_web.analysis.forms import MergeForm, RenameForm
from heard_web.analysis.models import EditKind, Theme, ThemeKind
from heard_web.core.access import ANALYST, VIEWER, project_required
from heard_web.core.htmx import render_page
from heard_web.projects.models import Project

STORIES_PER_PAGE = 25


def _theme(project: Project, key: str) -> Theme:
    run = edits.current_run(project)
    theme = (
        edits.live_themes(run).filter(key=key).select_related("parent", "run").first()
        if run
        else None
    )
    if theme is None:
        raise Http404("No such theme in this project's current analysis.")
    return theme


def story_link(project: Project, story_id: int) -> str | None:
    """The story's own page, once the stories app has one."""
    try:
        return reverse("stories:show", kwargs={"project_slug": project.slug, "story_id": story_id})
    except NoReverseMatch:
        return None


def _context(request: HttpRequest, project: Project, theme: Theme, **extra: Any) -> dict[str, Any]:
    role = request.membership.role  # type: ignore[attr-defined]
    page = Paginator(explorer.theme_stories(theme, role), STORIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    stories = explorer.stories_for(page)
    rows = [
        {"assignment": a, "story": stories[a.story_id], "url": story_link(project, a.story_id)}
        for a in page
        if a.story_id in stories
    ]
    months = explorer.trend(theme)
    others = [t for t in explorer.top_themes(theme.run) if t.pk != theme.pk]
    can_edit = request.membership.allows(ANALYST) and theme.parent_id is None  # type: ignore[attr-defined]
    return {
        "theme": theme,
        "run": theme.run,
        "subthemes": explorer.subthemes(theme),
        "sentiment": explorer.sentiment_parts(theme),
        "sentiment_chart": services.sentiment_chart([theme], chart_id="this-theme-sentiment"),
        "months": months,
        "trend_chart": services.trend_chart(theme, months),
        "segments": explorer.segments(theme),
        "quotes": explorer.quotes_for(theme),
        "page": page,
        "rows": rows,
        "can_edit": can_edit,
        "editable": can_edit and theme.kind != ThemeKind.NONE,
        "targets": [t for t in others if t.parent_id is None],
        "rename_form": extra.pop("rename_form", None) or RenameForm(initial={"label": theme.label}),
        "merge_form": MergeForm(themes=[theme] + [t for t in others if t.kind != ThemeKind.NONE]),
        "error": "",
        **extra,
    }


@project_required(VIEWER)
def show(request: HttpRequest, project: Project, key: str) -> HttpResponse:
    theme = _theme(project, key)
    return render_page(
        request,
        "analysis/theme/show.html",
        _context(request, project, theme),
        partial="analysis/theme/_stories.html",
    )


def _edit(
    request: HttpRequest, project: Project, theme: Theme | None, kind: str, payload: dict, done: str
) -> HttpResponse:
    try:
        edits.make_edit(project, kind, payload, by=request.user)
    except edits.EditError as exc:
        if theme is None:
            messages.error(request, str(exc))
            return redirect("analysis:index", project_slug=project.slug)
        return render_page(
            request,
            "analysis/theme/show.html",
            _context(request, project, theme, error=str(exc)),
            status=400,
        )
    messages.success(request, done)
    return None  # type: ignore[return-value]


@project_required(ANALYST)
@require_POST
def rename(request: HttpRequest, project: Project, key: str) -> HttpResponse:
    theme = _theme(project, key)
    form = RenameForm(request.POST)
    if not form.is_valid():
        return render_page(
            request,
            "analysis/theme/show.html",
            _context(request, project, theme, rename_form=form),
            status=400,
        )
    old = theme.label
    label = form.cleaned_data["label"]
    failed = _edit(
        request,
        project,
        theme,
        EditKind.RENAME,
        {"key": key, "label": label},
        f"“{old}” is now called “{label}”.",
    )
    return failed or redirect("analysis:theme_show", project_slug=project.slug, key=key)


@project_required(ANALYST)
@require_POST
def pin(request: HttpRequest, project: Project, key: str) -> HttpResponse:
    theme = _theme(project, key)
    value = request.POST.get("pinned", "1") != "0"
    kind = EditKind.PIN if value else EditKind.UNPIN
    done = (
        f"“{theme.label}” is pinned: a re-run always keeps it, even when no story is in it."
        if value
        else f"“{theme.label}” is no longer pinned."
    )
    failed = _edit(request, project, theme, kind, {"key": key}, done)
    return failed or redirect("analysis:theme_show", project_slug=project.slug, key=key)


@project_required(ANALYST)
@require_POST
def merge(request: HttpRequest, project: Project) -> HttpResponse:
    run = edits.current_run(project)
    themes = [t for t in explorer.top_themes(run) if t.kind != ThemeKind.NONE] if run else []
    form = MergeForm(request.POST, themes=themes)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        back = request.POST.get("back")
        if back and back in {t.key for t in themes}:
            return redirect("analysis:theme_show", project_slug=project.slug, key=back)
        return redirect("analysis:index", project_slug=project.slug)
    keys, into = form.cleaned_data["keys"], form.cleaned_data["into"]
    labels = {t.key: t.label for t in themes}
    done = (
        "Merged "
        + ", ".join(f"“{labels[k]}”" for k in keys if k != into)
        + f" into “{labels[into]}”."
    )
    failed = _edit(request, project, None, EditKind.MERGE, {"keys": keys, "into": into}, done)
    return failed or redirect("analysis:theme_show", project_slug=project.slug, key=into)


def _story_ids(request: HttpRequest) -> list[int]:
    ids = []
    for value in request.POST.getlist("story_ids"):
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return ids


@project_required(ANALYST)
@require_POST
def split(request: HttpRequest, project: Project, key: str) -> HttpResponse:
    theme = _theme(project, key)
    payload: dict[str, Any] = {"key": key, "label": request.POST.get("label", "")}
    sub_key = request.POST.get("subtheme")
    if sub_key:
        sub = theme.children.filter(key=sub_key, merged_into=None).first()
        if sub is None:
            raise Http404("No such sub-theme.")
        payload.update(
            subtheme=sub.key,
            label=payload["label"].strip() or sub.label,
            story_ids=list(sub.assignments.values_list("story_id", flat=True)),
        )
    else:
        payload["story_ids"] = _story_ids(request)
    failed = _edit(
        request,
        project,
        theme,
        EditKind.SPLIT,
        payload,
        f"“{payload['label'].strip()}” is now a theme of its own.",
    )
    return failed or redirect("analysis:theme_show", project_slug=project.slug, key=key)


@project_required(ANALYST)
@require_POST
def move(request: HttpRequest, project: Project, key: str) -> HttpResponse:
    theme = _theme(project, key)
    ids = _story_ids(request)
    to = request.POST.get("to", "")
    target = edits.live_themes(theme.run).filter(key=to, parent=None).first()
    label = target.label if target else edits.NO_THEME_LABEL
    n = len(ids)
    done = f"Moved {n} {'story' if n == 1 else 'stories'} to “{label}”."
    failed = _edit(
        request, project, theme, EditKind.MOVE, {"story_ids": ids, "from": key, "to": to}, done
    )
    return failed or redirect("analysis:theme_show", project_slug=project.slug, key=key)
