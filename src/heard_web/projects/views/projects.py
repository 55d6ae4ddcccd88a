"""Project pages: your projects, create one, its overview, its settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from heard_web.accounts.models import Membership
from heard_web.core.access import OWNER, VIEWER, project_required
from heard_web.core.htmx import render_page
from heard_web.projects import services
from heard_web.projects.forms import ProjectForm, ProjectSettingsForm
from heard_web.projects.models import Project


@login_required
def index(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("project", "project__organisation")
        .annotate(stories=Count("project__stories"))
        .order_by("project__name")
    )
    return render_page(
        request,
        "projects/project/index.html",
        {"memberships": memberships},
        partial="projects/project/_list.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        project = services.create_project(
            request.user,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            organisation=form.cleaned_data.get("organisation"),
            new_organisation=form.cleaned_data["new_organisation"],
            request=request,
        )
        messages.success(request, f"Project ‘{project.name}’ created.")
        return redirect(project)
    return render(request, "projects/project/new.html", {"form": form})


@project_required(VIEWER)
def show(request: HttpRequest, project: Project) -> HttpResponse:
    from heard_web.stories.models import Moderation
    from heard_web.stories.visibility import visible

    role = request.membership.role  # type: ignore[attr-defined]
    counts = {
        "stories": visible(project.stories.all(), role).count(),
        "sources": project.sources.count(),
        "members": project.memberships.count(),
        # for those who moderate: what waits for them
        "waiting": 0
        if role == "viewer"
        else project.stories.filter(moderation=Moderation.PENDING).count(),
    }
    latest_run = project.analysis_runs.order_by("-created_at").first()
    return render(
        request, "projects/project/show.html", {"counts": counts, "latest_run": latest_run}
    )


@project_required(OWNER)
@require_http_methods(["GET", "POST"])
def settings(request: HttpRequest, project: Project) -> HttpResponse:
    form = ProjectSettingsForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        services.update_settings(
            form.save(commit=False), form.changed_data, by=request.user, request=request
        )
        messages.success(request, "Settings saved.")
        return redirect("projects:settings", project_slug=project.slug)
    return render(request, "projects/project/settings.html", {"form": form})
