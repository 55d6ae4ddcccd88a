"""Imports: upload a file, preview it and choose its columns, watch it run, see the result.

Analysts and owners import; viewers get 403, people outside the project 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from heard.errors import HeardError
from heard_web.core.access import ANALYST, project_required
from heard_web.core.htmx import render_page
from heard_web.projects.models import Project
from heard_web.stories import services
from heard_web.stories.forms import ColumnsForm, SheetForm, UploadForm
from heard_web.stories.models import ImportJob


def _index(
    request: HttpRequest, project: Project, form: UploadForm, status: int = 200
) -> HttpResponse:
    jobs = project.import_jobs.select_related("source", "created_by").order_by(
        "-created_at", "-id"
    )[:50]
    return render(request, "stories/import/index.html", {"form": form, "jobs": jobs}, status=status)


@project_required(ANALYST)
def index(request: HttpRequest, project: Project) -> HttpResponse:
    return _index(request, project, UploadForm(suffixes=services.supported_suffixes()))


@project_required(ANALYST)
@require_POST
def create(request: HttpRequest, project: Project) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES, suffixes=services.supported_suffixes())
    if form.is_valid():
        try:
            job = services.store_upload(project, form.cleaned_data["file"], request.user)
        except HeardError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("stories:import_preview", project_slug=project.slug, job_id=job.pk)
    return _index(request, project, form, status=400)


def _waiting_job(project: Project, job_id: int) -> ImportJob:
    return get_object_or_404(project.import_jobs, pk=job_id)


@project_required(ANALYST)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, project: Project, job_id: int) -> HttpResponse:
    """The preview: columns and first rows; choose the columns, then start the import."""
    job = _waiting_job(project, job_id)
    if job.options.get("confirmed"):
        return redirect("stories:import_show", project_slug=project.slug, job_id=job.pk)
    preview = job.options["preview"]
    guess = job.options.get("columns") or {}
    sheet_form = None
    if preview.get("sheets") and len(preview["sheets"]) > 1:
        sheet_form = SheetForm(initial={"sheet": preview.get("sheet")}, sheets=preview["sheets"])
    status = 200
    if request.method == "POST":
        form = ColumnsForm(request.POST, columns=preview["columns"])
        if form.is_valid():
            services.start_import(job, form.columns(preview.get("sheet")), request.user)
            return redirect("stories:import_show", project_slug=project.slug, job_id=job.pk)
        status = 400
    else:
        form = ColumnsForm(
            initial={
                "text": guess.get("text"),
                "id": guess.get("id") or "",
                "by": guess.get("by") or [],
                "time": guess.get("time") or "",
            },
            columns=preview["columns"],
        )
    return render(
        request,
        "stories/import/edit.html",
        {"job": job, "preview": preview, "form": form, "sheet_form": sheet_form},
        status=status,
    )


@project_required(ANALYST)
@require_POST
def sheet(request: HttpRequest, project: Project, job_id: int) -> HttpResponse:
    """Preview another sheet of a workbook."""
    job = _waiting_job(project, job_id)
    preview_url = reverse(
        "stories:import_preview", kwargs={"project_slug": project.slug, "job_id": job.pk}
    )
    if job.options.get("confirmed"):
        return redirect(preview_url)
    form = SheetForm(request.POST, sheets=job.options["preview"].get("sheets") or [])
    if form.is_valid():
        try:
            services.change_sheet(job, form.cleaned_data["sheet"])
        except HeardError as exc:
            messages.error(request, str(exc))
    return redirect(preview_url)


@project_required(ANALYST)
@require_POST
def delete(request: HttpRequest, project: Project, job_id: int) -> HttpResponse:
    """Cancel an import that has not started: its file is deleted."""
    job = _waiting_job(project, job_id)
    if not job.options.get("confirmed"):
        services.discard(job)
        messages.success(request, f"The upload of ‘{job.file_name}’ was cancelled and deleted.")
    return redirect("stories:imports", project_slug=project.slug)


@project_required(ANALYST)
def show(request: HttpRequest, project: Project, job_id: int) -> HttpResponse:
    """Progress while it runs (the partial polls itself), then the result or the problem."""
    job = get_object_or_404(project.import_jobs.select_related("source"), pk=job_id)
    if not job.options.get("confirmed"):
        return redirect("stories:import_preview", project_slug=project.slug, job_id=job.pk)
    return render_page(
        request,
        "stories/import/show.html",
        {"job": job},
        partial="stories/import/_progress.html",
    )
