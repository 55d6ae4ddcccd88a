"""The public story form: its settings per project, contact details kept apart, rate limits."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class StoryForm(models.Model):
    """How a project's public "tell us your story" form looks, and whether it is open."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="story_form"
    )
    is_open = models.BooleanField(
        default=False, help_text="When closed, the form's page says so and accepts nothing."
    )
    title = models.CharField(max_length=200, default="Tell us your story")
    introduction = models.TextField(
        blank=True, help_text="A few sentences at the top of the form: who is asking and why."
    )
    questions = models.TextField(
        default="What happened, and what difference did it make to you?",
        help_text="One question per line. People must answer the first; the others are optional.",
    )
    role_choices = models.TextField(
        blank=True, help_text='Answers to "I am a…", one per line. Leave empty not to ask.'
    )
    area_choices = models.TextField(
        blank=True, help_text="Areas to choose from, one per line. Leave empty not to ask."
    )
    age_choices = models.TextField(
        blank=True,
        help_text="Age bands to choose from, one per line (e.g. 18 to 24). Leave empty not to ask.",
    )
    ask_contact = models.BooleanField(
        default=True, help_text="Offer to contact people back (their details are kept apart)."
    )
    privacy_contact = models.TextField(
        blank=True,
        help_text="Who to contact about this form and their data (a name, team or e-mail address).",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Story form of {self.project_id}"

    def question_list(self) -> list[str]:
        return _lines(self.questions)

    def choices(self, kind: str) -> list[str]:
        return _lines(getattr(self, f"{kind}_choices"))


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class ContactRequest(models.Model):
    """Contact details of someone who asked to be contacted back, kept apart from their story.

    Never analysed, searched or exported with the story; only the project's owners see them.
    Deleted with the story (erasure, withdrawal, retention).
    """

    story = models.OneToOneField(
        "stories.Story", on_delete=models.CASCADE, related_name="contact_request"
    )
    name = models.CharField(max_length=200, blank=True)
    contact = models.CharField(max_length=254, help_text="An e-mail address or phone number.")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Contact request for story {self.story_id}"


class RateBucket(models.Model):
    """How many requests one client made in one time window (the rate limit's shared store).

    ``key`` is a keyed hash of the client's address, never the address itself.
    """

    key = models.CharField(max_length=64)
    window = models.BigIntegerField(help_text="Start of the window, in seconds since 1970.")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="ratebucket_unique_window")
        ]
