"""Consent: the one place that decides whether a story's words may leave the workspace as a quote.

Every quote and every story text written out of the workspace (theme pages, the API's
quotes, the HTML and PDF report, CSV and XLSX downloads) goes through these helpers, so
a story whose author did not agree to be quoted, that was hidden or flagged in moderation,
or that may not be analysed, never appears as a quote anywhere.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from heard_web.stories.models import Moderation, Story

#: Stories whose words may be quoted: the author agreed, and moderation approved the story.
QUOTABLE = Q(consent_quote=True, consent_analysis=True, moderation=Moderation.APPROVED)


def quotable(project: Any = None, stories: QuerySet[Story] | None = None) -> QuerySet[Story]:
    """The stories (of ``project``, or within ``stories``) that may be quoted."""
    rows = stories if stories is not None else Story.objects.all()
    if project is not None:
        rows = rows.filter(project=project)
    return rows.filter(QUOTABLE)


def may_quote(story: Any) -> bool:
    """True when this story's words may be shown as a quote or written to a download."""
    return bool(
        story.consent_quote and story.consent_analysis and story.moderation == Moderation.APPROVED
    )


def quote_text(story: Any) -> str:
    """The words of ``story`` that may leave the workspace: its redacted text, or "" if none."""
    return story.redacted_text if may_quote(story) else ""


#: For ``values_list`` queries: the fields :func:`may_quote_values` needs, in order.
CONSENT_FIELDS = ("consent_quote", "consent_analysis", "moderation")


def may_quote_values(consent_quote: bool, consent_analysis: bool, moderation: str) -> bool:
    """:func:`may_quote` for the ``CONSENT_FIELDS`` values of a row."""
    return bool(consent_quote and consent_analysis and moderation == Moderation.APPROVED)
