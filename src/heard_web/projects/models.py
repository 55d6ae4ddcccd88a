"""A project: one listening exercise ("Adoption journeys 2026") inside an organisation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Pseudonyms(models.TextChoices):
    NONE = "none", "No: every name becomes [NAME]"
    STORY = "story", "Within each story: [NAME-1], [NAME-2]"
    PROJECT = "project", "Across the project: the same name gets the same number"


class Project(models.Model):
    """A listening exercise; everything else (sources, stories, themes) belongs to one."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="projects"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Protect: how stories are redacted, whether the original text is kept, for how long.
    pseudonyms = models.CharField(max_length=16, choices=Pseudonyms.choices, default="none")
    known_names = models.TextField(
        blank=True, help_text="Names to redact wherever they appear, one per line."
    )
    keep_original_text = models.BooleanField(
        default=False,
        help_text="Keep the text as written, before redaction (only owners can see it).",
    )
    retention_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Erase stories this many days after they arrive."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:show", kwargs={"project_slug": self.slug})
