"""What people said: sources, import jobs, stories and their passages (with embeddings)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class SourceKind(models.TextChoices):
    IMPORT = "import", "Imported file"
    FORM = "form", "Story form"
    INTERVIEWS = "interviews", "Interviews"
    API = "api", "API"


class Source(models.Model):
    """Where a set of stories came from: an imported file, the public form, interviews."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="sources"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=SourceKind.choices, default=SourceKind.IMPORT)
    # For imports: the columns chosen on the preview page, e.g. {"text": "comment", "id": "ref",
    # "by": ["service"], "time": "date", "sheet": null}.
    columns = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["project_id", "-created_at"]

    def __str__(self) -> str:
        return self.name


class JobStatus(models.TextChoices):
    """Shared by import jobs and analysis runs."""

    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"

    @classmethod
    def finished(cls) -> tuple[str, str]:
        return (cls.SUCCEEDED.value, cls.FAILED.value)


class ImportJob(models.Model):
    """One upload being read into stories in the background; all or nothing."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="import_jobs"
    )
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_jobs"
    )
    file_name = models.CharField(max_length=255, help_text="The name of the uploaded file.")
    # Where the upload waits under settings.UPLOAD_DIR (deleted when the job ends).
    stored_path = models.CharField(max_length=500, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    options = models.JSONField(default=dict, blank=True, help_text="Columns and reading options.")
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.FloatField(default=0.0, help_text="0 to 1.")
    stage = models.CharField(max_length=200, blank=True, help_text="What it is doing now.")
    error_message = models.TextField(blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    stories_added = models.PositiveIntegerField(default=0)
    duplicates_skipped = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import of {self.file_name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in JobStatus.finished()


class Moderation(models.TextChoices):
    APPROVED = "approved", "Approved"
    PENDING = "pending", "Waiting for moderation"
    HIDDEN = "hidden", "Hidden"
    FLAGGED = "flagged", "Safeguarding concern"


def story_content_hash(
    text: str,
    *,
    external_id: str = "",
    attributes: dict[str, Any] | None = None,
    received: str = "",
) -> str:
    """The de-duplication key of a story within a project.

    Built from the original text and what identifies the response (its id, attributes and
    date), so re-importing the same file adds nothing, while two people who wrote the same
    words ("Very good") in different rows stay two stories.
    """
    payload = json.dumps(
        [" ".join(text.split()), external_id, attributes or {}, received],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class Story(models.Model):
    """One response, story or transcript turn: redacted text, who said it, what they consented to."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="stories"
    )
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="stories")
    external_id = models.CharField(
        max_length=200, blank=True, help_text="The id in the imported file, if it had one."
    )
    # The text as written; empty unless the project keeps originals (owners only, audited).
    original_text = models.TextField(blank=True)
    # The text everyone sees and the analysis reads: personal data replaced by [NAME], [PHONE]...
    redacted_text = models.TextField()
    # The value-free record of what redaction replaced, e.g. {"NAME": 2, "PHONE": 1}.
    redaction_counts = models.JSONField(default=dict, blank=True)
    attributes = models.JSONField(
        default=dict, blank=True, help_text="Segments, e.g. {'role': 'adopter', 'area': 'North'}."
    )
    received_at = models.DateTimeField(null=True, blank=True, db_index=True)
    content_hash = models.CharField(max_length=64, help_text="See story_content_hash().")
    created_at = models.DateTimeField(default=timezone.now)
    # Consent (issue 5): imports are used under the importing organisation's own basis.
    consent_analysis = models.BooleanField(default=True)
    consent_quote = models.BooleanField(default=True, help_text="May be quoted anonymously.")
    consent_contact = models.BooleanField(default=False)
    moderation = models.CharField(
        max_length=16, choices=Moderation.choices, default=Moderation.APPROVED
    )
    # A reference the person can use to withdraw their story without an account (form stories).
    reference = models.CharField(max_length=32, unique=True, null=True, blank=True)
    # Set by analysis.
    sentiment = models.CharField(max_length=16, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["project_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "content_hash"], name="story_unique_content_per_project"
            )
        ]
        indexes = [
            models.Index(fields=["project", "received_at"], name="story_project_received"),
            models.Index(fields=["project", "source"], name="story_project_source"),
            models.Index(fields=["project", "moderation"], name="story_project_moderation"),
            # The story list filters by sentiment and pages by id.
            models.Index(fields=["project", "sentiment"], name="story_project_sentiment"),
        ]
        verbose_name_plural = "stories"

    @property
    def display_id(self) -> str:
        """How people refer to the story: its id in the imported file, else its number here.

        A story from the public form has an internal id (its one-time form token): shown as
        its number instead.
        """
        if self.external_id and not self.external_id.startswith("form:"):
            return str(self.external_id)
        return str(self.pk)

    def __str__(self) -> str:
        return f"Story {self.pk} in {self.project_id}"


class Passage(models.Model):
    """A piece of a story that fits the model's window, with its embedding (float32 bytes)."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="passages")
    index = models.PositiveIntegerField(help_text="Position within the story, from 0.")
    text = models.TextField(help_text="Redacted text of this passage.")
    start = models.PositiveIntegerField(default=0, help_text="Offset in the redacted text.")
    end = models.PositiveIntegerField(default=0)
    embedding = models.BinaryField(null=True, blank=True, help_text="numpy float32 .tobytes().")
    model_name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["story_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["story", "index"], name="passage_unique_index")
        ]

    def __str__(self) -> str:
        return f"Passage {self.index} of story {self.story_id}"
