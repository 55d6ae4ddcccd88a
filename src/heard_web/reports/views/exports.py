"""Exports: ask for the report or a table of a (filtered) view, follow it, download it.

Every member may download the project's finished exports (a download is reading, and it is
audited); analysts and owners ask for new ones, since that queues work on the server.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from heard_web.analysis.edits import current_run
from heard_web.core.access import ANALYST, VIEWER, project_required
from heard_web.core.htmx import render_page
from heard_web.projects.models import Project
from heard_web.reports import services
from heard_web.reports.models import ExportKind
from heard_web.stories.models import JobStatus

BUTTONS = [
    (ExportKind.REPORT.value, "Make the report (HTML)"),
    (ExportKind.PDF.value, "Make the report (PDF)"),
    (ExportKind.XLSX.value, "Make the workbook (XLSX)"),
    (ExportKind.THEMES.value, "Make themes.csv"),
    (ExportKind.ASSIGNMENTS.value, "Make assignments.csv"),
    (ExportKind.RESPONSES.value, "Make responses.csv"),
]


@project_required(VIEWER)
def index(request: HttpRequest, project: Project) -> HttpResponse:
    run = current_run(project)
    filters = services.filters_from(request.GET)
    count = services.chosen_stories(project, run, filters).count() if run else 0
    exports = list(project.exports.select_related("created_by")[:20])
    for export in exports:
        export.described = services.describe_filters(project, export.filters) or "All stories"  # type: ignore[attr-defined]
    return render_page(
        request,
        "reports/export/index.html",
        {
            "run": run,
            "filters": filters,
            "hidden": [(k, v) for k, values in filters.items() for v in values],
            "described": services.describe_filters(project, filters),
            "count": count,
            "kinds": BUTTONS,
            "exports": exports,
            "waiting": any(not e.is_finished for e in exports),
            "can_export": request.membership.allows(ANALYST),  # type: ignore[attr-defined]
        },
        partial="reports/export/_list.html",
    )


@project_required(ANALYST)
@require_POST
def create(request: HttpRequest, project: Project) -> HttpResponse:
    kind = request.POST.get("kind", "")
    if kind not in ExportKind.values:
        messages.error(request, "Choose what to download.")
        return redirect("reports:index", project_slug=project.slug)
    try:
        export = services.start_export(
            project, kind, request.POST, by=request.user, request=request
        )
    except services.ExportError as exc:
        messages.error(request, str(exc))
        return redirect("reports:index", project_slug=project.slug)
    return redirect("reports:show", project_slug=project.slug, export_id=export.pk)


@project_required(VIEWER)
def show(request: HttpRequest, project: Project, export_id: int) -> HttpResponse:
    export = get_object_or_404(project.exports, pk=export_id)
    export.described = services.describe_filters(project, export.filters) or "All stories"  # type: ignore[attr-defined]
    return render_page(
        request,
        "reports/export/show.html",
        {"export": export},
        partial="reports/export/_status.html",
    )


@project_required(VIEWER)
def download(request: HttpRequest, project: Project, export_id: int) -> HttpResponse:
    export = get_object_or_404(project.exports, pk=export_id, status=JobStatus.SUCCEEDED)
    path = export.path
    if path is None or not path.is_file():
        raise Http404("This file is no longer kept. Ask for it again.")
    services.record_download(export, request)
    response = FileResponse(path.open("rb"), as_attachment=True, filename=export.file_name)
    response["Content-Type"] = export.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response
