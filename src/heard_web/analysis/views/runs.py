"""Analysis runs: the theme explorer's front page, starting a run, and a run's progress."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from heard_web.analysis import edits, explorer, services
from heard_web.analysis.forms import MergeForm, RunForm
from heard_web.analysis.models import ThemeKind
from heard_web.core.access import ANALYST, VIEWER, project_required
from heard_web.core.htmx import render_page
from heard_web.projects.models import Project


def overview_context(request: HttpRequest, project: Project) -> dict:
    run = edits.current_run(project)
    latest = project.analysis_runs.order_by("-created_at", "-id").first()
    themes = explorer.top_themes(run) if run else []
    total = run.stories_count if run else 0
    can_edit = request.membership.allows(ANALYST)  # type: ignore[attr-defined]
    editable = [t for t in themes if t.kind != ThemeKind.NONE]
    return {
        "run": run,
        "latest": latest,
        "themes": themes,
        "total": total,
        "size_chart": services.size_chart(themes, total) if themes else None,
        "sentiment_chart": services.sentiment_chart(themes) if themes else None,
        "can_edit": can_edit,
        "run_form": RunForm() if can_edit else None,
        "merge_form": MergeForm(themes=editable) if can_edit and len(editable) > 1 else None,
        "edits": project.theme_edits.select_related("created_by").order_by("-created_at", "-id")[
            :10
        ],
    }


@project_required(VIEWER)
def index(request: HttpRequest, project: Project) -> HttpResponse:
    return render_page(request, "analysis/run/index.html", overview_context(request, project))


@project_required(ANALYST)
@require_POST
def create(request: HttpRequest, project: Project) -> HttpResponse:
    form = RunForm(request.POST)
    n_themes = form.cleaned_data["n_themes"] if form.is_valid() else "auto"
    try:
        run = services.start_run(project, by=request.user, request=request, n_themes=n_themes)
    except services.AnalysisError as exc:
        messages.error(request, str(exc))
        return redirect("analysis:index", project_slug=project.slug)
    messages.success(request, "The analysis has started. This page shows its progress.")
    return redirect("analysis:run_show", project_slug=project.slug, run_id=run.pk)


@project_required(VIEWER)
def show(request: HttpRequest, project: Project, run_id: int) -> HttpResponse:
    run = get_object_or_404(project.analysis_runs, pk=run_id)
    return render_page(
        request,
        "analysis/run/show.html",
        {"run": run},
        partial="analysis/run/_status.html",
    )
