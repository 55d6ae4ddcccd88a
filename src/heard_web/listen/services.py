"""The public story form's work: storing a story, moderation, withdrawal, rate limits.

Views call these; they reuse the stories app (``stories.services.add_stories``: the same
redaction, de-duplication and embedding as imports) and erasure (``stories.erasure``).

- ``form_for(project)``: the project's StoryForm (made, closed, on first use);
- ``submit(project, answers)``: redact and store one story, pending moderation, with its
  withdrawal reference; contact details go to a separate ContactRequest;
- ``moderate(project, story, action, user, request)``: approve, hide or flag (audited);
- ``withdraw(project, reference, request)``: erase the story with this reference;
- ``allow(request, scope)``: the per-client rate limit (database, or Redis with REDIS_URL).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from heard_web.accounts.models import AuditAction
from heard_web.accounts.services import record_event
from heard_web.core.clients import client_address
from heard_web.listen.models import ContactRequest, RateBucket, StoryForm
from heard_web.projects.models import Project
from heard_web.stories.models import Moderation, Source, SourceKind, Story, story_content_hash

log = logging.getLogger(__name__)

#: Reference letters: no 0/O, 1/I/L or U (read aloud or copied by hand without mistakes).
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
REFERENCE_GROUPS = 3
REFERENCE_GROUP_LENGTH = 4
FORM_SOURCE_NAME = "Story form"


# --- references -----------------------------------------------------------------------------


def new_reference() -> str:
    """A withdrawal reference such as ``K7MX-3QPA-9TZE`` (3 groups of 4; about 59 bits)."""
    groups = (
        "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_GROUP_LENGTH))
        for _ in range(REFERENCE_GROUPS)
    )
    return "-".join(groups)


def normalise_reference(value: str) -> str:
    """A reference as typed (any case, with or without spaces or dashes) in its stored form."""
    letters = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    n = REFERENCE_GROUP_LENGTH
    return "-".join(letters[i : i + n] for i in range(0, len(letters), n))


# --- the form's settings --------------------------------------------------------------------


def form_for(project: Project) -> StoryForm:
    """The project's story form settings (a closed form is made on first use)."""
    form, _ = StoryForm.objects.get_or_create(project=project)
    return form


def save_settings(form: StoryForm, user: Any, request: HttpRequest | None = None) -> None:
    form.updated_at = timezone.now()
    form.save()
    record_event(
        AuditAction.SETTINGS_CHANGED,
        actor=user,
        project=form.project,
        details={"what": "story form", "open": form.is_open},
        request=request,
    )


def form_source(project: Project) -> Source:
    """The project's one Source for stories from the form."""
    source = Source.objects.filter(project=project, kind=SourceKind.FORM).order_by("pk").first()
    if source is None:
        source = Source.objects.create(project=project, name=FORM_SOURCE_NAME, kind=SourceKind.FORM)
    return source


# --- submitting -----------------------------------------------------------------------------


@dataclass
class Answers:
    """What a person sent through the form (already validated by the form class)."""

    answers: list[str]
    submission: str  # the form's one-time token: sending the same form twice stores it once
    consent_quote: bool = False
    consent_contact: bool = False
    contact_name: str = ""
    contact: str = ""
    attributes: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        return "\n\n".join(a.strip() for a in self.answers if a.strip())


@dataclass
class Submitted:
    story: Story
    reference: str
    again: bool = False  # the same form was sent before: nothing new was stored


def submit(project: Project, answers: Answers) -> Submitted:
    """Redact and store one story from the form, waiting for moderation; commit, then return.

    The caller acknowledges the person (shows the reference) only after this returns: the
    story row and its reference are committed by then. Sending the same form again (a
    double click, a refresh, a retry after a timeout) returns the first story.
    """
    from heard_web.stories.services import add_stories

    external_id = f"form:{answers.submission}"
    key = story_content_hash(answers.text(), external_id=external_id, attributes=answers.attributes)
    for attempt in range(5):
        try:
            with transaction.atomic():
                result = add_stories(
                    project,
                    form_source(project),
                    [
                        {
                            "text": answers.text(),
                            "external_id": external_id,
                            "attributes": answers.attributes,
                        }
                    ],
                )
                if not result.stories:
                    story = Story.objects.get(project=project, content_hash=key)
                    return Submitted(story, story.reference or "", again=True)
                story = result.stories[0]
                story.reference = new_reference()
                story.moderation = Moderation.PENDING
                story.received_at = timezone.now()
                story.consent_analysis = True
                story.consent_quote = answers.consent_quote
                story.consent_contact = answers.consent_contact
                story.save(
                    update_fields=[
                        "reference",
                        "moderation",
                        "received_at",
                        "consent_analysis",
                        "consent_quote",
                        "consent_contact",
                    ]
                )
                if answers.consent_contact and answers.contact:
                    ContactRequest.objects.create(
                        story=story, name=answers.contact_name, contact=answers.contact
                    )
            return Submitted(story, story.reference or "")
        except IntegrityError:
            # A reference taken already (about 1 in 10^17) or the same form sent twice at
            # once on PostgreSQL: try again; the second time finds the first story.
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


# --- moderation -----------------------------------------------------------------------------

ACTIONS = {
    "approve": Moderation.APPROVED,
    "hide": Moderation.HIDDEN,
    "flag": Moderation.FLAGGED,
    "pending": Moderation.PENDING,
}


def queue(project: Project, state: str, *, owner: bool) -> QuerySet[Story]:
    """Stories from the form in one moderation state; flagged ones only for owners."""
    stories = project.stories.filter(source__kind=SourceKind.FORM)
    if state == Moderation.FLAGGED and not owner:
        return stories.none()
    return stories.filter(moderation=state).order_by("received_at", "pk")


def counts(project: Project, *, owner: bool) -> dict[str, int]:
    return {
        state: queue(project, state, owner=owner).count()
        for state in (
            Moderation.PENDING,
            Moderation.FLAGGED,
            Moderation.HIDDEN,
            Moderation.APPROVED,
        )
    }


def moderate(
    project: Project,
    story: Story,
    action: str,
    user: Any,
    request: HttpRequest | None = None,
) -> Story:
    """Approve, hide or flag a story (``ACTIONS``); a story taken out stops being a quote.

    Only approved stories are analysed (``analysis.services``); a hidden or flagged story
    already placed in themes keeps its place until the next run, but is no longer quoted.
    A change is audited (who, when, the story's id, the states from and to; never its
    words); choosing the state the story is already in changes nothing and is not audited.
    """
    state = ACTIONS[action]
    if story.project_id != project.pk:
        raise ValueError("The story belongs to another project.")
    came_from = story.moderation
    if came_from == state:
        return story
    with transaction.atomic():
        story.moderation = state
        story.save(update_fields=["moderation"])
        if state != Moderation.APPROVED:
            from heard_web.analysis.models import Assignment

            Assignment.objects.filter(story=story, quote_rank__isnull=False).update(quote_rank=None)
        record_event(
            AuditAction.STORY_MODERATED,
            actor=user,
            project=project,
            target=story,
            details={"story": story.pk, "from": came_from, "to": state},
            request=request,
        )
    log.info(
        "Story %s in project %s moderated: %s by user %s",
        story.pk,
        project.pk,
        state,
        getattr(user, "pk", None),
    )
    return story


# --- withdrawal -----------------------------------------------------------------------------


def withdraw(project: Project, reference: str, request: HttpRequest | None = None) -> bool:
    """Erase the story with this reference (stories.erasure); False when none has it."""
    from heard_web.stories import erasure

    reference = normalise_reference(reference)
    if len(reference) != REFERENCE_GROUPS * (REFERENCE_GROUP_LENGTH + 1) - 1:
        return False
    return erasure.erase_by_reference(project, reference, request=request)


# --- rate limits ----------------------------------------------------------------------------


def rate_limit_address(address: str | None) -> str:
    """What one client's rate limit counts by: its IPv4 address, or its IPv6 /64 network.

    An IPv6 home or mobile connection is handed a whole /64 network (2^64 addresses), so
    counting each address apart would let one visitor take a fresh address for every
    request. An IPv4 address mapped into IPv6 (``::ffff:192.0.2.1``) counts as that IPv4
    address.
    """
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def client_key(request: HttpRequest, scope: str) -> str:
    """A keyed hash of the client's address and the scope (addresses are never stored).

    Behind reverse proxies (``HEARD_TRUSTED_PROXIES``) the address is the one the proxies
    saw, so each member of the public has their own count (``core.clients``).
    """
    address = rate_limit_address(client_address(request))
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{scope}|{address}".encode(), hashlib.sha256
    ).hexdigest()
    return digest[:64]


def allow(request: HttpRequest, scope: str, limit: int, period: int = 3600) -> bool:
    """Count one request of this client in ``scope``; False once it passed ``limit`` per period.

    The count is shared by every thread and process of the server: in Redis when REDIS_URL
    is set, otherwise in the database (one row per client and window). ``limit`` 0: no limit.
    """
    if limit <= 0:
        return True
    key = client_key(request, scope)
    window = int(time.time()) // period * period
    if settings.REDIS_URL:
        return _allow_redis(key, window, limit, period)
    return _allow_db(key, window, limit)


def _allow_db(key: str, window: int, limit: int) -> bool:
    with transaction.atomic():
        updated = RateBucket.objects.filter(key=key, window=window).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    RateBucket.objects.create(key=key, window=window, count=1)
            except IntegrityError:
                RateBucket.objects.filter(key=key, window=window).update(count=F("count") + 1)
        count = RateBucket.objects.filter(key=key, window=window).values_list("count", flat=True)
        seen = next(iter(count), 1)
    if seen == 1:
        # The first request of a new window clears old windows (a few rows at most).
        RateBucket.objects.filter(window__lt=window).delete()
    return seen <= limit


_redis_client: Any = None


def _allow_redis(key: str, window: int, limit: int, period: int) -> bool:
    global _redis_client
    import redis

    if _redis_client is None:
        _redis_client = redis.Redis.from_url(settings.REDIS_URL)
    name = f"heard:rate:{key}:{window}"
    pipe = _redis_client.pipeline()
    pipe.incr(name)
    pipe.expire(name, period)
    seen, _ = pipe.execute()
    return int(seen) <= limit
