"""Stories: the list with filters, keyword and semantic search; one story's page.

Everyone in the project reads; the filters live in the query string, so a filtered list is a
link to share, and htmx swaps only the results.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from heard_web.accounts.models import Role
from heard_web.core.access import VIEWER, project_required
from heard_web.core.htmx import render_page
from heard_web.projects.models import Project
from heard_web.stories import services, visibility
from heard_web.stories.models import Story

PER_PAGE = 25
#: Matches of a search or filter are counted up to this many ("more than 1,000"): counting
#: every match of a common word among 100,000 stories took longer (300-600 ms on PostgreSQL)
#: than finding the page itself. The project's whole list is counted exactly (an index count).
COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    """A Paginator that stops counting at ``cap`` + 1 (``capped`` says when it did)."""

    capped = False

    def __init__(self, object_list: Any, per_page: int, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        if self.cap is None:
            return int(self.object_list.count())
        # no ORDER BY: the database may stop at the first matches it meets, in any order
        found = int(self.object_list.order_by()[: self.cap + 1].count())
        self.capped = found > self.cap
        return min(found, self.cap)


#: Semantic search shows at most this many of the closest stories.
SEMANTIC_LIMIT = 200
SNIPPET_CHARS = 320


@project_required(VIEWER)
def index(request: HttpRequest, project: Project) -> HttpResponse:
    filters = services.StoryFilters.from_params(request.GET)
    role = request.membership.role  # type: ignore[attr-defined]
    stories = services.filter_stories(project, filters, role=role)
    page_number = _page_number(request)
    results: list[dict[str, Any]] = []
    capped = False
    semantic = bool(filters.q) and filters.mode == "semantic"
    if semantic:
        # Owners see every story: unless they filter, the ranking need not check the list.
        narrowed = _narrowed(filters) or role != Role.OWNER
        ranking = services.semantic_ranking(
            project, filters.q, SEMANTIC_LIMIT, queryset=stories if narrowed else None
        )
        paginator = Paginator(ranking, PER_PAGE)
        page = paginator.get_page(page_number)
        # only the stories this page shows are read
        for story, score, passage in services.load_hits(project, page.object_list):
            results.append(
                {"story": story, "score": score, "snippet": _clip(passage.text, [], SNIPPET_CHARS)}
            )
        total = len(ranking)
    else:
        paginator = CappedPaginator(
            stories.select_related("source").defer("original_text"),
            PER_PAGE,
            COUNT_CAP if filters.active else None,
        )
        page = paginator.get_page(page_number)
        terms = services.search_terms(filters.q) if filters.q else []
        for story in page.object_list:
            results.append({"story": story, "snippet": _clip(story.redacted_text, terms)})
        total = paginator.count
        capped = paginator.capped
    themes = services.theme_choices(project)
    context = {
        "summary": _summary(total, capped=capped, semantic=semantic, q=filters.q),
        "filters": filters,
        "results": results,
        "page": page,
        "total": total,
        "capped": capped,
        "semantic": semantic,
        "semantic_limit": SEMANTIC_LIMIT,
        "sources": list(project.sources.order_by("-created_at").values_list("pk", "name")),
        "segments": services.segment_choices(project),
        "themes": themes,
        "theme_label": dict(themes).get(filters.theme or 0, ""),
        "sentiments": services.SENTIMENTS,
        "query": filters.query_string(),
    }
    return render_page(
        request, "stories/story/index.html", context, partial="stories/story/_results.html"
    )


def _summary(total: int, *, capped: bool, semantic: bool, q: str) -> str:
    """The results' heading: "25 stories with “panel”" (also told to screen readers)."""
    stories = "story" if total == 1 else "stories"
    if semantic:
        return f"{total:,} {stories} closest in meaning to “{q}”"
    count = f"More than {total:,}" if capped else f"{total:,}"
    return f"{count} {stories}" + (f" with “{q}”" if q else "")


def _narrowed(filters: services.StoryFilters) -> bool:
    return bool(
        filters.sources
        or filters.segments
        or filters.date_from
        or filters.date_to
        or filters.theme
        or filters.sentiment
    )


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return max(int(raw), 1) if raw.isdigit() else 1


def _clip(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> SafeString:
    """Up to ``width`` characters around the first search word, the words marked."""
    start = 0
    if terms:
        lowered = text.casefold()
        found = [lowered.find(t.casefold()) for t in terms]
        hits = [f for f in found if f >= 0]
        if hits:
            start = max(min(hits) - width // 3, 0)
    clipped = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    words = [re.escape(t) for t in sorted(terms, key=len, reverse=True) if t]
    if words:
        parts = re.split(f"({'|'.join(words)})", clipped, flags=re.IGNORECASE)
        # odd parts are the matches; every part is escaped before it is marked
        html = "".join(
            f"<mark>{escape(part)}</mark>" if n % 2 else escape(part)
            for n, part in enumerate(parts)
        )
    else:
        html = escape(clipped)
    return mark_safe(escape(prefix) + html + escape(suffix))


@project_required(VIEWER)
def show(request: HttpRequest, project: Project, story_id: int) -> HttpResponse:
    role = request.membership.role  # type: ignore[attr-defined]
    story = get_object_or_404(
        visibility.visible(project.stories.select_related("source"), role), pk=story_id
    )
    run = services.latest_run(project)
    assignments = []
    if run is not None:
        assignments = list(
            story.assignments.filter(theme__run=run)
            .select_related("theme", "theme__parent")
            .order_by("-primary", "-score")
        )
    context = {
        "story": story,
        "assignments": assignments,
        "run": run,
        # Issue 5 adds the audited "show original": only owners, only when the project keeps
        # originals (Project.keep_original_text), and each view recorded as ORIGINAL_VIEWED.
        "original_available": can_see_original(request, project, story),
        "redactions": sorted(story.redaction_counts.items()),
        "notice": visibility.notice(story),
    }
    return render(request, "stories/story/show.html", context)


def can_see_original(request: HttpRequest, project: Project, story: Story) -> bool:
    """True when this person may ask for the original text (never shown without asking)."""
    membership = getattr(request, "membership", None)
    return bool(
        project.keep_original_text
        and story.original_text
        and membership is not None
        and membership.role == "owner"
    )
