"""Exports: a report or table made in the background for a project, or a filtered view of it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

from heard_web.stories.models import JobStatus


class ExportKind(models.TextChoices):
    """What can be downloaded, with the file name it is downloaded as."""

    REPORT = "report", "Report (HTML page)"
    PDF = "pdf", "Report (PDF)"
    XLSX = "xlsx", "Workbook (XLSX): themes, responses, quotes"
    THEMES = "themes", "Themes (CSV)"
    ASSIGNMENTS = "assignments", "Assignments (CSV)"
    RESPONSES = "responses", "Responses (CSV)"


EXPORT_FILES = {
    ExportKind.REPORT.value: ("report.html", "text/html; charset=utf-8"),
    ExportKind.PDF.value: ("report.pdf", "application/pdf"),
    ExportKind.XLSX.value: (
        "results.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ExportKind.THEMES.value: ("themes.csv", "text/csv; charset=utf-8"),
    ExportKind.ASSIGNMENTS.value: ("assignments.csv", "text/csv; charset=utf-8"),
    ExportKind.RESPONSES.value: ("responses.csv", "text/csv; charset=utf-8"),
}


class Export(models.Model):
    """One requested download, written to the data folder by a background task.

    The file is deleted with the row (erasing a story deletes the project's exports, since
    they may hold its text).
    """

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="exports"
    )
    run = models.ForeignKey(
        "analysis.AnalysisRun", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=ExportKind.choices)
    # The story filters of the view it was made from (the story list's query string, parsed).
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.FloatField(default=0.0)
    stage = models.CharField(max_length=200, blank=True)
    error_message = models.TextField(blank=True)
    stored_path = models.CharField(max_length=500, blank=True)
    stories_count = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.project_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in JobStatus.finished()

    @property
    def file_name(self) -> str:
        return EXPORT_FILES[self.kind][0]

    @property
    def content_type(self) -> str:
        return EXPORT_FILES[self.kind][1]

    @property
    def path(self) -> Path | None:
        return Path(self.stored_path) if self.stored_path else None
