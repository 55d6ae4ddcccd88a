"""Theme analysis in the workspace: runs, themes, story assignments and the edits people make.

A person's edits are stored twice: applied to the current themes, and as a ``ThemeEdit``
log, so a re-run of the analysis can replay them (rename, merge, split, move, pin).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from heard_web.stories.models import JobStatus


class AnalysisRun(models.Model):
    """One theme analysis of a project's stories, done in the background."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="analysis_runs"
    )
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.FloatField(default=0.0, help_text="0 to 1.")
    stage = models.CharField(max_length=200, blank=True, help_text="What it is doing now.")
    error_message = models.TextField(blank=True)
    # The library's settings: n_themes, random_state, codebook..., and what it measured.
    parameters = models.JSONField(default=dict, blank=True)
    previous_run = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stories_count = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"Analysis {self.pk} of {self.project_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in JobStatus.finished()


class ThemeKind(models.TextChoices):
    DISCOVERED = "discovered", "Discovered"
    CODEBOOK = "codebook", "From the codebook"
    PROPOSED = "proposed", "Proposed"
    PERSON = "person", "Made by a person"
    NONE = "none", "No clear theme"


class Theme(models.Model):
    """A theme or sub-theme found by one run, as people have since shaped it."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="themes")
    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="themes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    # Stable across runs: the library's theme_id ("3", "3.2", "none") or one made for a person's
    # split; edits refer to themes by key so they can be replayed on a new run.
    key = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=ThemeKind.choices, default=ThemeKind.DISCOVERED)
    label = models.CharField(max_length=200)
    machine_label = models.CharField(max_length=200, blank=True, help_text="Before any rename.")
    key_phrases = models.JSONField(default=list, blank=True)
    size = models.PositiveIntegerField(default=0, help_text="Stories whose main theme this is.")
    mentions = models.PositiveIntegerField(default=0, help_text="Stories assigned at all.")
    share = models.FloatField(default=0.0)
    sentiment_mix = models.JSONField(
        default=dict, blank=True, help_text="{'negative': 0.4, 'mixed or neutral': 0.3, ...}"
    )
    centroid = models.BinaryField(null=True, blank=True, help_text="float32 bytes, for placing.")
    position = models.PositiveIntegerField(default=0, help_text="Display order, biggest first.")
    pinned = models.BooleanField(default=False)
    renamed = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )

    class Meta:
        ordering = ["run_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="theme_unique_key")]
        indexes = [models.Index(fields=["project", "run"], name="theme_project_run")]

    def __str__(self) -> str:
        return self.label


class AssignedBy(models.TextChoices):
    MACHINE = "machine", "Machine"
    PERSON = "person", "Person"


class Assignment(models.Model):
    """A story (or one passage of it) placed in a theme, with a score, by the machine or a person.

    On a top-level theme, ``primary`` marks the story's main theme (every analysed story has
    exactly one: a theme or "No clear theme"); other rows on top-level themes are the other
    themes it is also about. On a sub-theme (``theme.parent`` set), the row says which
    sub-theme of its main theme the story falls in.
    """

    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="assignments")
    passage = models.ForeignKey(
        "stories.Passage", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="assignments")
    score = models.FloatField(default=0.0, help_text="0 to 1.")
    primary = models.BooleanField(default=False, help_text="The story's main theme.")
    source = models.CharField(max_length=16, choices=AssignedBy.choices, default=AssignedBy.MACHINE)
    # 1, 2, 3...: this story is one of the theme's representative quotes, most central first.
    # Shown only when the story's consent allows quoting (see analysis.explorer.quotes_for).
    quote_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["theme", "story"], name="assignment_unique_story")
        ]
        indexes = [models.Index(fields=["story", "primary"], name="assignment_story_primary")]

    def __str__(self) -> str:
        return f"story {self.story_id} → theme {self.theme_id}"


class EditKind(models.TextChoices):
    RENAME = "rename", "Renamed"
    MERGE = "merge", "Merged"
    SPLIT = "split", "Split"
    MOVE = "move", "Moved stories"
    PIN = "pin", "Pinned"
    UNPIN = "unpin", "Unpinned"


class ThemeEdit(models.Model):
    """One edit a person made to the themes, kept in order so it can be replayed on a new run.

    ``payload`` by kind (theme keys, story ids):
    rename {"key", "label"}; merge {"keys": [...], "into"}; split {"key", "new_key", "label",
    "story_ids"}; move {"story_ids", "from", "to"}; pin/unpin {"key"}.
    """

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="theme_edits"
    )
    run = models.ForeignKey(
        AnalysisRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="edits",
        help_text="The run the edit was made on.",
    )
    kind = models.CharField(max_length=16, choices=EditKind.choices)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone = models.BooleanField(default=False)

    class Meta:
        ordering = ["project_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.payload}"
