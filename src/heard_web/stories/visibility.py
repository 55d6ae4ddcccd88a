"""Who may see which stories: moderation decides, by the member's role.

- viewers see approved stories only;
- analysts (who moderate) also see stories waiting for moderation and hidden ones;
- owners see everything, including stories flagged as a safeguarding concern, which carry
  a banner wherever they are shown.

Every list, search and page that shows stories to a member goes through :func:`visible`,
so a story someone may not see is not listed, not found by keyword or semantic search,
not counted in filtered results and answers 404 when asked for by id (pages and API).
Quotes and downloads are narrower still (``stories.consent``): approved and consented only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from heard_web.accounts.models import Role
from heard_web.stories.models import Moderation, Story

#: What a story in each moderation state says on its page, and to whom it shows.
NOTICES = {
    Moderation.PENDING: (
        "Waiting for moderation",
        "Only analysts and owners can see this story until someone approves it. It is not "
        "analysed, quoted or exported until then.",
    ),
    Moderation.HIDDEN: (
        "Hidden in moderation",
        "Only analysts and owners can see this story. It is not analysed, quoted or exported.",
    ),
    Moderation.FLAGGED: (
        "Safeguarding concern",
        "Someone flagged this story as a possible safeguarding concern. Only owners can see it. "
        "Follow your organisation's safeguarding procedure, and record what you did there, "
        "not here. It is not analysed, quoted or exported.",
    ),
}


#: The moderation states each role may not see (an unknown role: as a viewer).
_HIDDEN_FROM = {
    Role.VIEWER.value: (Moderation.PENDING, Moderation.HIDDEN, Moderation.FLAGGED),
    Role.ANALYST.value: (Moderation.FLAGGED,),
    Role.OWNER.value: (),
}


def _hidden(role: str) -> tuple[str, ...]:
    return _HIDDEN_FROM.get(str(role), _HIDDEN_FROM[Role.VIEWER.value])


def condition(role: str, prefix: str = "") -> Q:
    """The stories a member with ``role`` may see, as a filter.

    ``prefix`` reaches the story through a relation, e.g. ``"story__"`` on assignments.
    """
    hidden = _hidden(role)
    return ~Q(**{f"{prefix}moderation__in": hidden}) if hidden else Q()


def visible(stories: QuerySet[Story], role: str) -> QuerySet[Story]:
    """``stories`` narrowed to what a member with ``role`` may see."""
    return stories.filter(condition(role))


def may_see(story: Any, role: str) -> bool:
    """True when a member with ``role`` may see this story."""
    return story.moderation not in _hidden(role)


def notice(story: Any) -> tuple[str, str] | None:
    """(title, text) for a story not approved in moderation, else None."""
    return NOTICES.get(story.moderation)
