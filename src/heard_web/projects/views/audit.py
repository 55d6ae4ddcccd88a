"""A project's audit log, for its owners: who did what and when, filterable, paged.

It shows the project's own events (settings, members and roles, imports, analyses,
downloads, views of original text, moderation, erasures) and the sign-ins and sign-outs of the
people who are members of the project now. Never any story content (none is recorded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from heard_web.accounts.models import AuditAction, AuditEvent
from heard_web.core.access import OWNER, project_required
from heard_web.projects.models import Project
from heard_web.stories.models import Moderation

PER_PAGE = 50
#: Events without a project that an owner sees for the project's members.
PERSONAL = [
    AuditAction.SIGN_IN,
    AuditAction.SIGN_OUT,
    AuditAction.TOKEN_CREATED,
    AuditAction.TOKEN_REVOKED,
]


def events_for(project: Project) -> QuerySet[AuditEvent]:
    members = project.memberships.values("user_id")
    return AuditEvent.objects.filter(
        Q(project=project) | Q(project__isnull=True, action__in=PERSONAL, actor__in=members)
    )


def _day(value: str) -> datetime | None:
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class Moderated:
    """A moderation event as the page shows it: the story, and its states by name."""

    story: Any
    present: bool  # False once the story has been erased
    came_from: str
    went_to: str


def _rows(events: list[AuditEvent], project: Project) -> list[tuple[AuditEvent, Moderated | None]]:
    """Each event with, for a moderation, its states' names and whether the story is there."""
    moderated = [e for e in events if e.action == AuditAction.STORY_MODERATED]
    ids = [e.details.get("story") for e in moderated]
    present = set(
        project.stories.filter(pk__in=[i for i in ids if isinstance(i, int)]).values_list(
            "pk", flat=True
        )
    )
    states = dict(Moderation.choices)
    rows: list[tuple[AuditEvent, Moderated | None]] = []
    for e in events:
        moved = None
        if e.action == AuditAction.STORY_MODERATED:
            story, came_from, went_to = (e.details.get(k) for k in ("story", "from", "to"))
            moved = Moderated(
                story=story,
                present=story in present,
                came_from=states.get(came_from, str(came_from)),
                went_to=states.get(went_to, str(went_to)),
            )
        rows.append((e, moved))
    return rows


@project_required(OWNER)
def index(request: HttpRequest, project: Project) -> HttpResponse:
    events = events_for(project)
    action = request.GET.get("action", "")
    who = request.GET.get("who", "").strip()
    start, end = _day(request.GET.get("from", "")), _day(request.GET.get("to", ""))
    if action in AuditAction.values:
        events = events.filter(action=action)
    if who:
        events = events.filter(actor_label__iexact=who)
    if start is not None:
        events = events.filter(at__gte=start)
    if end is not None:
        events = events.filter(at__lt=end + timedelta(days=1))
    page = Paginator(events.order_by("-at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/audit/index.html",
        {
            "page": page,
            "rows": _rows(list(page.object_list), project),
            "actions": AuditAction.choices,
            "action": action,
            "who": who,
            "start": request.GET.get("from", ""),
            "end": request.GET.get("to", ""),
            "query": query.urlencode(),
            "people": sorted(project.memberships.values_list("user__username", flat=True)),
        },
    )
