"""A story's owner-only pages: erase it (with a confirmation page) and see its original text.

Both need the owner role: analysts and viewers get 403, people outside the project 404.
Seeing the original is asked for with a button (a POST), and each view is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from heard_web.accounts.models import AuditAction
from heard_web.accounts.services import record_event
from heard_web.core.access import OWNER, project_required
from heard_web.projects.models import Project
from heard_web.stories.erasure import Reason, erase_story


@project_required(OWNER)
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, project: Project, story_id: int) -> HttpResponse:
    """GET: what erasing the story does, and a button to confirm. POST: erase it."""
    story = get_object_or_404(project.stories, pk=story_id)
    if request.method == "POST":
        erase_story(story, actor=request.user, reason=Reason.OWNER, request=request)
        messages.success(
            request,
            f"Story {story_id} was erased: its text, passages, theme places and the project's "
            "downloads are gone. Make the downloads again if you need them.",
        )
        return redirect("stories:index", project_slug=project.slug)
    return render(request, "stories/erasure/delete.html", {"story": story})


@project_required(OWNER)
@require_http_methods(["GET", "POST"])
def original(request: HttpRequest, project: Project, story_id: int) -> HttpResponse:
    """GET: a button to see the text as written. POST: show it, and record that it was seen."""
    story = get_object_or_404(project.stories, pk=story_id)
    if not (project.keep_original_text and story.original_text):
        raise Http404("This project does not keep the original text of its stories.")
    shown = request.method == "POST"
    if shown:
        record_event(
            AuditAction.ORIGINAL_VIEWED,
            project=project,
            target=story,
            request=request,
            details={"story": story.pk},
        )
    return render(request, "stories/erasure/original.html", {"story": story, "shown": shown})
