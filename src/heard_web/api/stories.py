"""/api/projects/{slug}/stories: list, search, read and add stories (redacted text only).

What the API gives follows the workspace's rules: a member sees the stories their role may
see (``stories.visibility``: viewers approved stories only, flagged ones owners only), and
a story's words leave through the API only when they may be quoted (``stories.consent``:
the author agreed and moderation approved); otherwise ``text`` is null and ``text_withheld``
says why.

The filtering, searching and storing belong to the stories app (``stories.services``);
these routes only check access, translate the query, and shape the answer.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from heard_web.analysis.models import Assignment
from heard_web.api.common import project_for
from heard_web.api.errors import ApiError, error_responses
from heard_web.api.schemas import (
    Id,
    Slug,
    StoriesAddedOut,
    StoriesIn,
    StoryDetailOut,
    StoryPage,
    Text,
)
from heard_web.core.access import ANALYST, VIEWER, resolve_project
from heard_web.stories.consent import may_quote
from heard_web.stories.visibility import visible

router = Router(tags=["stories"])

MAX_LIMIT = 200
Segment = Annotated[str, StringConstraints(pattern=r"^[^=\x00]+=[^\x00]*$", max_length=400)]


class StoriesQuery(Schema):
    """The web list's filters (stories.services.filter_stories), checked strictly."""

    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10_000_000)
    source: list[Id] = Field(default_factory=list, description="Source ids (repeatable).")
    segment: list[Segment] = Field(
        default_factory=list,
        description="A segment value as name=value, e.g. role=adopter (repeatable).",
    )
    date_from: date | None = Field(
        None, alias="from", description="Received on or after (YYYY-MM-DD)."
    )
    date_to: date | None = Field(None, alias="to", description="Received on or before.")
    theme: Id | None = Field(None, description="A theme id of the latest run (with sub-themes).")
    sentiment: Literal["negative", "mixed or neutral", "positive"] | None = None
    q: Text | None = Field(
        None, max_length=500, description='Keyword search: every word, "quoted phrases" whole.'
    )
    semantic: Text | None = Field(
        None,
        max_length=1000,
        description="Find stories by meaning ('waiting after approval'), best first; "
        "combines with the filters above.",
    )


def _withheld(story: Any) -> str | None:
    """Why the API may not give this story's words (None when it may): see stories.consent."""
    if may_quote(story):
        return None
    return "not_approved" if story.consent_quote and story.consent_analysis else "no_quote_consent"


def _story(story: Any, score: float | None = None) -> dict[str, Any]:
    withheld = _withheld(story)
    return {
        "id": story.pk,
        "source_id": story.source_id,
        "external_id": story.external_id,
        "text": None if withheld else story.redacted_text,
        "text_withheld": withheld,
        "attributes": story.attributes,
        "received_at": story.received_at,
        "created_at": story.created_at,
        "sentiment": story.sentiment,
        "sentiment_score": story.sentiment_score,
        "score": score,
    }


def _filters(query: StoriesQuery) -> dict[str, Any]:
    """The query as the stories app's filter parameters (the web list's query string)."""
    from heard_web.stories.services.search import SEGMENT_PREFIX

    params: dict[str, Any] = {"source": [str(pk) for pk in query.source], "mode": "keyword"}
    for segment in query.segment:
        name, value = segment.split("=", 1)
        params.setdefault(SEGMENT_PREFIX + name.strip(), []).append(value.strip())
    if query.date_from:
        params["from"] = query.date_from.isoformat()
    if query.date_to:
        params["to"] = query.date_to.isoformat()
    if query.theme:
        params["theme"] = str(query.theme)
    for name in ("sentiment", "q"):
        if getattr(query, name):
            params[name] = getattr(query, name)
    return params


@router.get(
    "/{slug}/stories",
    response={200: StoryPage, **error_responses(401, 404, 422)},
    summary="A project's stories: filter, keyword search (q) or semantic search (semantic)",
    url_name="stories",
)
def index(request: HttpRequest, slug: Slug, query: Query[StoriesQuery]) -> dict[str, Any]:
    from heard_web.stories import services

    project, membership = resolve_project(request.user, slug, VIEWER)
    stories = services.filter_stories(project, _filters(query), role=membership.role)
    if query.semantic and query.semantic.strip():
        # Ranked by meaning: page through the best offset+limit+1, without a total.
        end = query.offset + query.limit
        hits = services.semantic_search(project, query.semantic, end + 1, queryset=stories)
        return {
            "count": None,
            "limit": query.limit,
            "offset": query.offset,
            "next_offset": end if len(hits) > end else None,
            "items": [_story(story, score) for story, score, _ in hits[query.offset : end]],
        }
    count = stories.count()
    page = stories[query.offset : query.offset + query.limit]
    end = query.offset + query.limit
    return {
        "count": count,
        "limit": query.limit,
        "offset": query.offset,
        "next_offset": end if end < count else None,
        "items": [_story(story) for story in page],
    }


@router.get(
    "/{slug}/stories/{story_id}",
    response={200: StoryDetailOut, **error_responses(401, 404, 422)},
    summary="One story: redacted text, attributes, sentiment and its themes in the latest run",
    url_name="story",
)
def show(request: HttpRequest, slug: Slug, story_id: Id) -> dict[str, Any]:
    from heard_web.analysis.edits import current_run

    project, membership = resolve_project(request.user, slug, VIEWER)
    # Its themes in the analysis people see (the latest finished run), as they now stand.
    assignments = (
        Assignment.objects.filter(theme__run=current_run(project), theme__merged_into=None)
        .select_related("theme")
        .order_by("-primary", "-score")
    )
    story = get_object_or_404(
        visible(
            project.stories.prefetch_related(Prefetch("assignments", queryset=assignments)),
            membership.role,
        ),
        pk=story_id,
    )
    return {
        **_story(story),
        "redaction_counts": story.redaction_counts,
        "consent_quote": story.consent_quote,
        "moderation": story.moderation,
        "themes": [
            {
                "id": a.theme_id,
                "key": a.theme.key,
                "label": a.theme.label,
                "primary": a.primary,
                "score": a.score,
            }
            for a in story.assignments.all()
        ],
    }


@router.post(
    "/{slug}/stories",
    response={201: StoriesAddedOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Add stories (analysts and owners); redacted before they are stored",
    url_name="story_create",
    description="Each story's text is redacted with the project's settings before anything "
    "is stored. Stories the project already has (same text, id, attributes and date) are "
    "skipped and counted as duplicates, so sending the same batch twice adds nothing.",
)
def create(request: HttpRequest, slug: Slug, body: StoriesIn) -> Any:
    from heard_web.stories import services

    project = project_for(request, slug, ANALYST)
    source = project.sources.filter(pk=body.source_id).first()
    if source is None:
        raise ApiError(
            422,
            f"This project has no source with id {body.source_id}. List the sources with "
            f"GET /api/projects/{project.slug}/sources, or create one with POST to the same URL.",
            code="unknown_source",
            details={"source_id": body.source_id},
        )
    result = services.add_stories(project, source, [s.dict() for s in body.stories], request.user)
    return Status(
        201,
        {
            "added": len(result.stories),
            "duplicates": result.duplicates,
            "empty": result.empty,
            "story_ids": [story.pk for story in result.stories],
        },
    )
