"""The team's pages for the story form: its settings (owners) and the moderation queue."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from heard_web.core.access import ANALYST, OWNER, project_required
from heard_web.listen import services
from heard_web.listen.forms import StoryFormSettings
from heard_web.projects.models import Project
from heard_web.stories import visibility
from heard_web.stories.models import Moderation

STATES = [
    (Moderation.PENDING, "Waiting"),
    (Moderation.FLAGGED, "Safeguarding"),
    (Moderation.HIDDEN, "Hidden"),
    (Moderation.APPROVED, "Approved"),
]


@project_required(OWNER)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, project: Project) -> HttpResponse:
    """The story form's settings: questions, choices, contact, open or closed."""
    config = services.form_for(project)
    form = StoryFormSettings(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        services.save_settings(form.save(commit=False), request.user, request)
        messages.success(request, "The story form's settings are saved.")
        return redirect("listen:edit", project_slug=project.slug)
    return render(request, "listen/settings/edit.html", {"form": form, "config": config})


@project_required(ANALYST)
@require_http_methods(["GET"])
def index(request: HttpRequest, project: Project) -> HttpResponse:
    """Stories from the form in one state (waiting by default), oldest first."""
    owner = request.membership.allows(OWNER)  # type: ignore[attr-defined]
    state = request.GET.get("state") or Moderation.PENDING
    if state not in dict(STATES) or (state == Moderation.FLAGGED and not owner):
        raise Http404("No such moderation state.")
    stories = services.queue(project, state, owner=owner)[:50]
    counts = services.counts(project, owner=owner)
    tabs = [
        {"state": s, "label": label, "count": counts[s], "active": s == state}
        for s, label in STATES
        if owner or s != Moderation.FLAGGED
    ]
    return render(
        request,
        "listen/moderation/index.html",
        {
            "stories": stories,
            "state": state,
            "tabs": tabs,
            "owner": owner,
            "form_exists": hasattr(project, "story_form"),
        },
    )


@project_required(ANALYST)
@require_POST
def update(request: HttpRequest, project: Project, story_id: int) -> HttpResponse:
    """Approve, hide or flag one story (a flagged story then shows only to owners)."""
    owner = request.membership.allows(OWNER)  # type: ignore[attr-defined]
    stories = project.stories.all()
    if not owner:
        stories = stories.exclude(moderation=Moderation.FLAGGED)
    story = get_object_or_404(stories, pk=story_id)
    action = request.POST.get("action", "")
    if action not in services.ACTIONS:
        messages.error(request, "Choose approve, hide or flag.")
    else:
        came_from = story.moderation
        services.moderate(project, story, action, request.user, request)
        done = {
            "approve": "approved: it will be in the next analysis",
            "hide": "hidden: it stays out of analysis and reports",
            "flag": "flagged as a safeguarding concern: owners can see it under Safeguarding",
            "pending": "back in the waiting list",
        }[action]
        messages.success(request, f"Story {story.pk} {done}.")
        role = request.membership.role  # type: ignore[attr-defined]
        if request.POST.get("next") == "story" and visibility.may_see(story, role):
            return redirect("stories:show", project_slug=project.slug, story_id=story.pk)
        return redirect(f"{_url(project)}?state={came_from}")
    return redirect(_url(project))


def _url(project: Project) -> str:
    from django.urls import reverse

    return reverse("listen:index", kwargs={"project_slug": project.slug})
